"""找回密码: the link arrives by e-mail at a real SMTP server on loopback, works once, within
its time, under the password policy; the same answer whether or not the account exists; not
for the three administrators; throttled."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from knox.models import AuthToken

from skillcert.accounts.services import issue_token
from skillcert.audit.models import AuditEntry
from skillcert.inbox.models import Delivery
from tests.conftest import PASSWORD, _officer
from tests.support.personas import web_client
from tests.support.smtp import smtp_server

pytestmark = pytest.mark.django_db
__all__ = ["smtp_server"]

NEW_PASSWORD = "Neues-Passwort-2026"


def ask(client, identifier, capture):
    with capture(execute=True):
        return client.post("/password/forgot", {"identifier": identifier})


def link_in(text: str) -> str:
    found = re.search(r"http://[^\s]+/password/reset/[^\s]+", text)
    assert found, text
    return urlsplit(found.group(0)).path


def test_login_page_links_to_the_reset(db):
    assert "/password/forgot" in web_client().get("/login").content.decode()


def test_reset_by_email_end_to_end(smtp_server, org_user, django_capture_on_commit_callbacks):
    org_user.email = "school@example.cn"
    org_user.save(update_fields=["email"])
    issue_token(org_user)
    client = web_client()
    answer = ask(client, "school@example.cn", django_capture_on_commit_callbacks)
    assert answer.status_code == 302 and answer["Location"] == "/password/forgot/sent"
    assert len(smtp_server.received) == 1
    mail = smtp_server.received[0]
    assert "重设密码" in str(mail["Subject"])
    assert smtp_server.envelopes[0].rcpt_tos == ["school@example.cn"]
    text = mail.get_content()
    assert "1 小时内" in text and org_user.username in text
    link = link_in(text)
    assert not Delivery.objects.filter(last_error__contains="/password/reset/").exists()

    # The link's token moves into the session; the address shown holds no token.
    opened = client.get(link)
    assert opened.status_code == 302 and opened["Location"].endswith("/set-password")
    form = client.get(opened["Location"])
    assert form.status_code == 200 and "设置新密码" in form.content.decode()
    weak = client.post(opened["Location"], {"new_password": "short", "new_password2": "short"})
    assert weak.status_code == 200 and "至少" in weak.content.decode()
    reused = client.post(
        opened["Location"], {"new_password": PASSWORD, "new_password2": PASSWORD}
    )  # the password history applies
    assert reused.status_code == 200
    done = client.post(
        opened["Location"], {"new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302 and done["Location"] == "/login"
    org_user.refresh_from_db()
    assert org_user.check_password(NEW_PASSWORD)
    assert not AuthToken.objects.filter(user=org_user).exists()  # API tokens ended
    entry = AuditEntry.objects.get(action="accounts.password_reset_by_email")
    assert entry.actor_id == org_user.pk
    assert json.loads(entry.after)["tokens_revoked"] == 1

    # The link works once.
    again = web_client().get(link)
    assert again.status_code == 400 and "无效或已过期" in again.content.decode()
    signed_in = web_client().post(
        "/login", {"username": org_user.username, "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302


def test_same_answer_for_unknown_accounts_and_administrators(
    smtp_server, authorities, django_capture_on_commit_callbacks
):
    admin = _officer("secadmin", "security_admin", "province")
    admin.email = "admin@example.cn"
    admin.save(update_fields=["email"])
    known = ask(web_client(), "secadmin", django_capture_on_commit_callbacks)
    unknown = ask(web_client(), "nobody-here", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert smtp_server.received == []
    assert not Delivery.objects.exists()


def test_expired_or_forged_links_are_refused(org_user, settings):
    from skillcert.accounts import reset

    org_user.email = "school@example.cn"
    org_user.save(update_fields=["email"])
    uid, token = reset.link_parts(org_user)
    assert reset.user_for_link(uid, token) == org_user
    assert reset.user_for_link(uid, token[:-2] + "xx") is None
    assert reset.user_for_link("bm9wZQ", token) is None
    settings.PASSWORD_RESET_TIMEOUT = -1  # as if the hour had passed
    assert reset.user_for_link(uid, token) is None
    answer = web_client().get(f"/password/reset/{uid}/{token}")
    assert answer.status_code == 400


def test_mails_per_account_are_limited(org_user, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_COPIES_ENABLED = True
    org_user.email = "school@example.cn"
    org_user.save(update_fields=["email"])
    for _ in range(5):
        ask(web_client(), org_user.username, django_capture_on_commit_callbacks)
    assert Delivery.objects.filter(purpose="password_reset").count() == 3


def test_requests_are_throttled(db, settings):
    rates = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], auth="2/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    client = web_client()
    codes = [client.post("/password/forgot", {"identifier": "x"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]


def test_without_email_the_page_says_whom_to_ask(db, settings):
    settings.EMAIL_COPIES_ENABLED = False
    text = web_client().get("/password/forgot").content.decode()
    assert "暂未开通邮件发送" in text and "安全管理员" in text
