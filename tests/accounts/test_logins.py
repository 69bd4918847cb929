"""Logins through the API (domain.md §11): the account lock, login records, the password policy,
password age and the password change endpoint."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from axes.models import AccessAttempt
from django.utils import timezone
from rest_framework.test import APIClient

from skillcert.accounts import security
from skillcert.accounts.models import PasswordHistory, User
from skillcert.audit.models import AuditEntry
from skillcert.ops.demo import demo_credit_code
from skillcert.rules import clock
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token"


def token(username: str, password: str, address: str = "10.0.0.1", **extra: str):
    client = APIClient(REMOTE_ADDR=address)
    return client.post(TOKEN, {"username": username, "password": password, **extra}, format="json")


def test_five_failures_lock_the_account_even_for_the_right_password(city_bureau):
    codes = [token("hf_bureau", f"Wrong-pass-{i}").status_code for i in range(5)]
    assert codes == [401, 401, 401, 401, 403]  # the fifth failure locks
    response = token("hf_bureau", PASSWORD)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "account_locked"
    assert error["message"].startswith("账号已被锁定，请于 ")
    assert error["message"].endswith(" 分钟后再试或联系安全管理员")
    assert set(error) == {"code", "message", "fields"}
    assert not AuditEntry.objects.filter(action="login").exists()


def test_failures_from_six_addresses_lock_the_account(city_bureau):
    """The red team's finding: per-address limits alone let 6 addresses x 20 tries through."""
    addresses = [f"192.0.2.{n}" for n in range(1, 7)]
    answers = [token("hf_bureau", "Wrong-pass-1", address).status_code for address in addresses]
    assert answers[:4] == [401] * 4
    assert answers[4:] == [403, 403]
    assert token("hf_bureau", PASSWORD, "198.51.100.7").json()["error"]["code"] == "account_locked"
    assert security.is_locked("hf_bureau")
    # Another account is not touched.
    assert not security.is_locked("hf_center")


def test_the_lock_ends_after_fifteen_minutes(city_bureau):
    for _ in range(5):
        token("hf_bureau", "Wrong-pass-1")
    assert token("hf_bureau", PASSWORD).status_code == 403
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    response = token("hf_bureau", PASSWORD)
    assert response.status_code == 200
    assert response.json()["password_expired"] is False


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(city_bureau):
    for _ in range(4):
        token("hf_bureau", "Wrong-pass-1")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert token("hf_bureau", "Wrong-pass-1").status_code == 401
    assert token("hf_bureau", PASSWORD).status_code == 200


def test_logins_are_recorded_without_passwords(city_bureau):
    token("hf_bureau", "Secret-guess-1")
    assert token("hf_bureau", PASSWORD).status_code == 200
    failed = AuditEntry.objects.get(action="login_failed")
    assert failed.actor == "hf_bureau"
    assert failed.object_id == "hf_bureau"
    login = AuditEntry.objects.get(action="login")
    assert login.actor_id == city_bureau.pk
    assert json.loads(login.after)["channel"] == "api"
    everything = json.dumps([list(e) for e in AuditEntry.objects.values_list()], default=str)
    assert "Secret-guess-1" not in everything
    assert PASSWORD not in everything


def test_the_lock_is_recorded_once(city_bureau):
    for _ in range(7):
        token("hf_bureau", "Wrong-pass-1")
    assert AuditEntry.objects.filter(action="account_locked").count() == 1
    locked = AuditEntry.objects.get(action="account_locked")
    assert locked.object_id == "hf_bureau"
    assert AuditEntry.objects.filter(action="login_failed").count() == 7


def test_an_unknown_user_name_is_counted_and_recorded(db):
    assert token("nobody", "Wrong-pass-1").status_code == 401
    assert AuditEntry.objects.get(action="login_failed").actor == "nobody"


WEAK = {
    "eight spaces": ("        ", "至少需要 10 个字符"),
    "one kind": ("a" * 20, "至少 3 类"),
    "user name inside": ("Neworg-2026-x", "不能包含用户名"),
}


@pytest.mark.parametrize("name", list(WEAK))
def test_weak_passwords_are_refused_naming_the_rule(authorities, name):
    password, rule = WEAK[name]
    response = APIClient().post(
        "/api/v1/register",
        {
            "username": "neworg",
            "password": password,
            "credit_code": demo_credit_code("340104", "TT000009"),
            "name": "新的培训学校",
        },
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert any(rule in message for message in error["fields"]["password"]), error
    assert not User.objects.filter(username="neworg").exists()


def change(client: APIClient, old: str, new: str):
    return client.post(
        "/api/v1/auth/password", {"old_password": old, "new_password": new}, format="json"
    )


def test_change_password_and_history(client_for, city_bureau):
    client = client_for(city_bureau)
    passwords = [f"Fresh-pass-{n}x" for n in range(6)]
    previous = PASSWORD
    for password in passwords[:5]:
        assert change(client, previous, password).status_code == 200
        previous = password
    # The last five (the current one included) are refused; the sixth back is allowed again.
    for reused in passwords[:5][-5:]:
        response = change(client, previous, reused)
        assert response.status_code == 400
        assert "最近 5 次" in response.json()["error"]["fields"]["password"][0]
    assert change(client, previous, PASSWORD).status_code == 200
    assert PasswordHistory.objects.filter(user=city_bureau).count() == 5
    assert AuditEntry.objects.filter(action="accounts.password_changed").count() == 6


def test_change_password_needs_the_old_one(client_for, city_bureau):
    response = change(client_for(city_bureau), "Wrong-pass-1", "Fresh-pass-1x")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["old_password"] == ["原密码不正确"]
    response = change(client_for(city_bureau), PASSWORD, "hf_bureau-Pass-1")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["password"] == ["密码不能包含用户名"]


def test_change_password_needs_a_token(db):
    assert change(APIClient(), "a", "b").status_code == 401


def age(user: User, days: int) -> None:
    stamp = clock.now() - dt.timedelta(days=days)
    User.objects.filter(pk=user.pk).update(password_changed_at=stamp)


def test_an_officer_password_expires_after_ninety_days(city_bureau, org_user):
    assert token("hf_bureau", PASSWORD).json()["password_expired"] is False
    age(city_bureau, 89)
    assert token("hf_bureau", PASSWORD).json()["password_expired"] is False
    age(city_bureau, 90)
    response = token("hf_bureau", PASSWORD)
    assert response.status_code == 200  # still a token
    assert response.json()["password_expired"] is True
    # An organization's password does not age.
    age(org_user, 400)
    assert token("org_hf", PASSWORD).json()["password_expired"] is False


def test_password_age_counts_on_the_platform_clock(city_bureau, today, settings):
    settings.SKILLCERT_PASSWORD_MAX_AGE_DAYS = 30
    today("2026-09-01")
    User.objects.filter(pk=city_bureau.pk).update(password_changed_at=clock.now())
    assert token("hf_bureau", PASSWORD).json()["password_expired"] is False
    today("2026-10-01")
    assert token("hf_bureau", PASSWORD).json()["password_expired"] is True


def test_users_are_created_with_a_fresh_password(city_bureau, admin_user):
    for user in (city_bureau, admin_user):
        user.refresh_from_db()
        assert user.password_changed_at is not None
        assert not security.password_expired(user)
        assert PasswordHistory.objects.filter(user=user).count() == 1


def test_a_changed_password_is_no_longer_expired(client_for, city_bureau):
    age(city_bureau, 120)
    client = client_for(city_bureau)
    response = change(client, PASSWORD, "Fresh-pass-1x")
    assert response.status_code == 200
    assert response.json()["password_expired"] is False
    assert token("hf_bureau", "Fresh-pass-1x", "10.0.0.9").json()["password_expired"] is False


# --- review of the accounts security code ---------------------------------------------------


@pytest.fixture
def security_admin(authorities):
    from skillcert.accounts.services import add_user
    from skillcert.audit.service import SYSTEM

    return add_user(
        "sec_admin", password=PASSWORD, role="security_admin", authority="province", actor=SYSTEM
    )


def test_spaces_and_chinese_characters_are_not_symbols(authorities):
    from skillcert.accounts.validators import _kinds

    assert _kinds("abcdefgh 1x") == 2
    assert _kinds("abcdefgh1中文") == 2
    assert _kinds("abcdefgh1-x") == 3
    for demo in ("Demo-2026-skill", PASSWORD, security.temporary_password()):
        assert _kinds(demo) >= 3, demo
    response = APIClient().post(
        "/api/v1/register",
        {
            "username": "neworg",
            "password": "abcdefgh 1中文",
            "credit_code": demo_credit_code("340104", "TT000009"),
            "name": "新的培训学校",
        },
        format="json",
    )
    assert response.status_code == 400
    assert any("至少 3 类" in m for m in response.json()["error"]["fields"]["password"])


def test_a_temporary_password_opens_only_the_password_change_and_me(city_bureau, security_admin):
    temporary = security.reset_password("hf_bureau", actor=security_admin)
    answer = token("hf_bureau", temporary)
    assert answer.status_code == 200 and answer.json()["password_expired"] is True
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {answer.json()['token']}")
    refused = client.get("/api/v1/filings")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "password_change_required"
    assert refused.json()["error"]["message"] == "请先修改临时密码"
    assert client.get("/api/v1/me").status_code == 200
    # A page session on the API is refused alike.
    from django.test import Client

    page = Client()
    page.force_login(User.objects.get(pk=city_bureau.pk))
    assert page.get("/api/v1/filings").json()["error"]["code"] == "password_change_required"
    assert change(client, temporary, "Fresh-pass-1x").status_code == 200
    assert client.get("/api/v1/filings").status_code == 200
    assert page.get("/api/v1/filings").status_code != 403


def test_an_aged_password_still_uses_the_api(city_bureau):
    age(city_bureau, 120)
    answer = token("hf_bureau", PASSWORD)
    assert answer.json()["password_expired"] is True
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {answer.json()['token']}")
    assert client.get("/api/v1/filings").status_code == 200


def test_a_reset_ends_every_token_and_a_change_every_other(city_bureau, security_admin):
    first, second = APIClient(), APIClient()
    for client in (first, second):
        got = token("hf_bureau", PASSWORD).json()["token"]
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {got}")
        assert client.get("/api/v1/me").status_code == 200
    assert change(first, PASSWORD, "Fresh-pass-1x").status_code == 200
    assert first.get("/api/v1/me").status_code == 200  # the token making the change stays
    assert second.get("/api/v1/me").status_code == 401
    entry = AuditEntry.objects.get(action="accounts.password_changed")
    assert json.loads(entry.after)["tokens_revoked"] == 1
    security.reset_password("hf_bureau", actor=security_admin)
    assert first.get("/api/v1/me").status_code == 401
    entry = AuditEntry.objects.get(action="accounts.password_reset")
    assert json.loads(entry.after)["tokens_revoked"] == 1


def test_wrong_old_passwords_lock_the_account(client_for, city_bureau):
    client = client_for(city_bureau)
    codes = [change(client, f"Wrong-pass-{n}", "Fresh-pass-1x").status_code for n in range(5)]
    assert codes == [400, 400, 400, 400, 403]
    assert security.is_locked("hf_bureau")
    refused = change(client, PASSWORD, "Fresh-pass-1x")  # even the right one, while locked
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "account_locked"
    assert token("hf_bureau", PASSWORD).status_code == 403
    assert AuditEntry.objects.filter(action="login_failed").count() >= 5
    assert not AuditEntry.objects.filter(action="accounts.password_changed").exists()


def test_the_password_change_endpoint_is_rate_limited(client_for, city_bureau, settings):
    from skillcert.api.accounts.views import PasswordView

    assert PasswordView.throttle_scope == "auth"
    assert PasswordView.throttle_classes


def test_axes_never_logs_passwords_or_codes(settings):
    assert {"password", "otp", "csrfmiddlewaretoken"} <= set(settings.AXES_SENSITIVE_PARAMETERS)


def test_the_operator_resets_an_administrators_password_on_the_command_line(capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from skillcert.accounts.models import User
    from skillcert.accounts.roles import Role
    from skillcert.audit.models import AuditEntry

    auditor = User.objects.create_user(
        "auditor_x", password="Old-pass-2026!", role=Role.AUDIT_ADMIN
    )
    call_command("user", "password", "auditor_x")
    printed = capsys.readouterr().out
    temporary = printed.split("临时密码：")[1].split()[0]
    auditor.refresh_from_db()
    assert auditor.password_temporary and auditor.check_password(temporary)
    assert not auditor.check_password("Old-pass-2026!")
    entry = AuditEntry.objects.filter(action="accounts.password_reset").last()
    assert entry.actor.startswith("cli:") and temporary not in entry.after
    with pytest.raises(CommandError, match="未找到账号"):
        call_command("user", "password", "nobody_here")


def test_a_signed_in_person_cannot_use_the_operators_reset(db):
    from skillcert.accounts.models import User
    from skillcert.accounts.roles import Role
    from skillcert.accounts.security import reset_password_by_operator
    from skillcert.rules.errors import Forbidden

    security = User.objects.create_user(
        "sec_x", password="Old-pass-2026!", role=Role.SECURITY_ADMIN
    )
    User.objects.create_user("sys_x", password="Old-pass-2026!", role=Role.SYSTEM_ADMIN)
    with pytest.raises(Forbidden):
        reset_password_by_operator("sys_x", actor=security)
