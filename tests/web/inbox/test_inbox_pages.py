"""The inbox page, its unread count in the navigation, marking read, the preferences page."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from skillcert.inbox.models import Message, Preference
from skillcert.inbox.service import notify
from tests.conftest import PASSWORD
from tests.support.personas import web_client

pytestmark = pytest.mark.django_db


def nav_count(html: str) -> str | None:
    found = re.search(r"data-unread-messages>(\d+)<", html)
    return found.group(1) if found else None


def test_empty_inbox_says_what_will_come(org_user):
    page = web_client(org_user).get("/messages")
    assert page.status_code == 200
    text = page.content.decode()
    assert "暂无消息" in text and "消息接收设置" in text
    assert nav_count(text) is None


def test_unread_count_in_the_navigation_of_every_page(org_user, city_bureau):
    notify([org_user], event="a", title="备案申请已受理", link="/org/filings")
    notify([org_user], event="b", title="补正告知")
    notify([city_bureau], event="c", title="别人的")
    client = web_client(org_user)
    for path in ("/dashboard", "/messages", "/verify"):
        assert nav_count(client.get(path).content.decode()) == "2", path
    assert nav_count(web_client().get("/verify").content.decode()) is None  # the public


def test_the_count_is_one_query(org_user):
    notify([org_user], event="a", title="一")
    client = web_client(org_user)
    client.get("/verify")
    with CaptureQueriesContext(connection) as queries:
        client.get("/verify")
    inbox = [q["sql"] for q in queries.captured_queries if "inbox_message" in q["sql"]]
    assert len(inbox) == 1 and "COUNT" in inbox[0].upper()


def test_list_marks_unread_and_opening_marks_read(org_user):
    notify([org_user], event="filing.correction_requested", title="已读的", link="/org/filings")
    notify([org_user], event="filing.accepted", title="备案申请已受理", link="/org/filings")
    Message.objects.filter(title="已读的").update(read_at="2026-01-01T00:00:00Z")
    client = web_client(org_user)
    text = client.get("/messages").content.decode()
    assert text.index("备案申请已受理") < text.index("已读的")  # unread first
    assert "1 条未读" in text
    # What asks the reader to act says so; what only informs is looked at.
    assert text.count("前往办理") == 1 and text.count("查看详情") == 1
    assert text.index("查看详情") < text.index("前往办理")
    message = Message.objects.get(title="备案申请已受理")
    answer = client.post(f"/messages/{message.pk}/open")
    assert answer.status_code == 302 and answer["Location"] == "/org/filings"
    message.refresh_from_db()
    assert message.read
    assert nav_count(client.get("/messages").content.decode()) is None


def test_open_needs_post_and_ones_own_message(org_user, city_bureau):
    theirs = notify([city_bureau], event="a", title="别人的")[0]
    mine = notify([org_user], event="a", title="我的", link="https://evil.example/")[0]
    client = web_client(org_user)
    assert client.get(f"/messages/{mine.pk}/open").status_code == 405
    assert client.post(f"/messages/{theirs.pk}/open").status_code == 404
    assert not Message.objects.get(pk=theirs.pk).read
    # A link off the site is never followed.
    assert client.post(f"/messages/{mine.pk}/open")["Location"] == "/messages"
    assert web_client().get("/messages").status_code == 302  # to the login


def test_mark_all_read(org_user, city_bureau):
    notify([org_user], event="a", title="一")
    notify([org_user], event="a", title="二")
    notify([city_bureau], event="a", title="别人的")
    client = web_client(org_user)
    assert client.post("/messages/read-all").status_code == 302
    assert not Message.objects.filter(recipient=org_user, read_at__isnull=True).exists()
    assert Message.objects.filter(recipient=city_bureau, read_at__isnull=True).exists()


def test_preferences_page(org_user):
    client = web_client(org_user)
    page = client.get("/messages/settings")
    assert page.status_code == 200 and "仅站内消息" in page.content.decode()
    refused = client.post("/messages/settings", {"channel": "sms", "phone": "123", "email": ""})
    assert refused.status_code == 200
    assert "手机号码应为 11 位数字" in refused.content.decode()
    assert not Preference.objects.exists()
    saved = client.post(
        "/messages/settings",
        {
            "channel": "sms",
            "phone": "13800138000",
            "email": "school@example.cn",
            "password": PASSWORD,
        },
    )
    assert saved.status_code == 302
    preference = Preference.objects.get(user=org_user)
    assert (preference.channel, preference.phone) == ("sms", "13800138000")
    org_user.refresh_from_db()
    assert org_user.email == "school@example.cn"
    assert "仅站内消息" not in client.get("/messages").content.decode().split("接收方式：")[1][:20]


def test_changing_the_email_address_needs_the_current_password(org_user):
    """The address is where a forgotten password is reset: a session alone cannot change it."""
    from axes.models import AccessAttempt

    from skillcert.accounts import security
    from skillcert.audit.models import AuditEntry

    org_user.email = "old@example.cn"
    org_user.save(update_fields=["email"])
    client = web_client(org_user)
    form = {"channel": "email", "phone": "", "email": "thief@example.com"}
    missing = client.post("/messages/settings", form)
    assert missing.status_code == 200
    assert "更改电子邮箱需要输入当前登录密码" in missing.content.decode()
    wrong = client.post("/messages/settings", {**form, "password": "not-the-password"})
    assert wrong.status_code == 200
    assert "当前登录密码不正确" in wrong.content.decode()
    org_user.refresh_from_db()
    assert org_user.email == "old@example.cn"
    assert not Preference.objects.exists()
    assert not AuditEntry.objects.filter(action="inbox.preference_changed").exists()
    assert AccessAttempt.objects.get(username=org_user.username).failures_since_start == 1

    # keeping the address (or only changing the channel or phone) asks no password
    kept = client.post(
        "/messages/settings", {"channel": "sms", "phone": "13800138000", "email": "old@example.cn"}
    )
    assert kept.status_code == 302
    # clearing the address is a change too
    cleared = client.post("/messages/settings", {"channel": "inbox", "phone": "", "email": ""})
    assert (
        cleared.status_code == 200
        and "更改电子邮箱需要输入当前登录密码" in cleared.content.decode()
    )
    # the right password changes it
    moved = client.post("/messages/settings", {**form, "password": PASSWORD})
    assert moved.status_code == 302
    org_user.refresh_from_db()
    assert org_user.email == "thief@example.com"
    assert not security.is_locked(org_user.username)


def test_wrong_passwords_on_the_settings_page_lock_the_account(org_user, settings):
    from skillcert.accounts import security

    client = web_client(org_user)
    form = {"channel": "email", "phone": "", "email": "thief@example.com", "password": "guess"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/messages/settings", form)
    assert security.is_locked(org_user.username)
    refused = client.post("/messages/settings", {**form, "password": PASSWORD})
    # Refused on the form, even with the right password, with the lock's own message.
    assert refused.status_code == 200
    alert = refused.content.decode().split('role="alert">')[1].split("</div>")[0]
    assert alert == security.locked_message(org_user.username) and "锁定" in alert
    org_user.refresh_from_db()
    assert org_user.email != "thief@example.com"
