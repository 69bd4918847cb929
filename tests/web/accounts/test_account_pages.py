"""Account pages (domain.md §11): page logins and the lock, login records, idle sessions on the
platform clock, expired passwords first, the security administrator's pages, TOTP."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from skillcert.accounts import security
from skillcert.accounts.middleware import SESSION_KEY
from skillcert.accounts.models import User
from skillcert.accounts.roles import Role
from skillcert.accounts.services import add_user
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM
from skillcert.rules import clock
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def page_login(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/login", {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = page_login(client, username, password)
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.fixture
def security_admin(authorities):
    return add_user(
        "sec_admin", password=PASSWORD, role="security_admin", authority="province", actor=SYSTEM
    )


# --- the lock ---------------------------------------------------------------------------------


def test_five_wrong_passwords_show_the_lock_page(city_bureau):
    client = Client()
    answers = [page_login(client, "hf_bureau", "Wrong-pass-1", f"10.0.0.{n}") for n in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 403]
    right = page_login(client, "hf_bureau", PASSWORD, "10.0.0.77")
    assert right.status_code == 403
    page = right.content.decode()
    assert "账号已被锁定，请于 15 分钟后再试或联系安全管理员" in page
    assert "_auth_user_id" not in client.session


def test_page_and_api_failures_count_together(city_bureau):
    client = Client()
    for _ in range(3):
        page_login(client, "hf_bureau", "Wrong-pass-1")
    api = APIClient(REMOTE_ADDR="10.9.9.9")
    for _ in range(2):
        api.post("/api/v1/auth/token", {"username": "hf_bureau", "password": "x"}, format="json")
    assert security.is_locked("hf_bureau")


# --- login records ----------------------------------------------------------------------------


def test_page_login_and_logout_are_recorded(city_bureau):
    client = Client()
    page_login(client, "hf_bureau", "Wrong-pass-1")
    client = signed_in("hf_bureau")
    client.post("/logout")
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", "actor"))
    assert ("login_failed", "hf_bureau") in actions
    assert [a for a, _ in actions if a in {"login", "logout"}] == ["login", "logout"]
    login = AuditEntry.objects.get(action="login")
    assert login.actor_id == city_bureau.pk
    assert json.loads(login.after)["channel"] == "web"


# --- idle sessions ----------------------------------------------------------------------------


def test_a_session_idle_for_thirty_minutes_ends(city_bureau):
    client = signed_in("hf_bureau")
    assert client.get("/dashboard").status_code == 200
    session = client.session
    session[SESSION_KEY] = clock.now().timestamp() - 31 * 60
    session.save()
    response = client.get("/dashboard", follow=True)
    assert response.redirect_chain[0][0].startswith("/login?next=")
    assert "长时间未操作，已自动退出，请重新登录" in response.content.decode()
    assert "_auth_user_id" not in client.session
    idle = AuditEntry.objects.filter(action="logout").get()
    assert json.loads(idle.after)["reason"] == "idle"


def test_a_session_used_within_thirty_minutes_stays(city_bureau):
    client = signed_in("hf_bureau")
    session = client.session
    session[SESSION_KEY] = clock.now().timestamp() - 29 * 60
    session.save()
    assert client.get("/dashboard").status_code == 200
    assert client.session[SESSION_KEY] > clock.now().timestamp() - 5


def test_idle_time_counts_on_the_platform_clock(city_bureau, today):
    """With a drill date, the stamps are on the platform clock: 29 minutes on the drill day is
    not idle (the real date is months away), 31 minutes is."""
    today("2026-09-18")
    client = signed_in("hf_bureau")
    session = client.session
    session[SESSION_KEY] = clock.now().timestamp() - 29 * 60
    session.save()
    assert client.get("/dashboard").status_code == 200
    session = client.session
    session[SESSION_KEY] = clock.now().timestamp() - 31 * 60
    session.save()
    assert client.get("/dashboard").status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_drill_date_set_anew_restarts_the_count(city_bureau, today):
    today("2026-09-18")
    client = signed_in("hf_bureau")
    today("2026-10-20")  # a drill moved to another date: not a month of idleness
    assert client.get("/dashboard").status_code == 200
    assert client.session[SESSION_KEY] > clock.now().timestamp() - 5


def test_the_last_activity_is_written_at_most_once_a_minute(city_bureau):
    client = signed_in("hf_bureau")
    stamp = clock.now().timestamp() - 30
    session = client.session
    session[SESSION_KEY] = stamp
    session.save()
    client.get("/dashboard")
    assert client.session[SESSION_KEY] == stamp


# --- expired passwords ------------------------------------------------------------------------


def test_an_expired_password_is_changed_before_anything_else(city_bureau):
    User.objects.filter(pk=city_bureau.pk).update(
        password_changed_at=clock.now() - dt.timedelta(days=91)
    )
    client = signed_in("hf_bureau")
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response["Location"] == "/account/password"
    assert client.get("/review/filings").status_code == 302
    page = client.get("/account/password")
    assert page.status_code == 200
    assert "密码已超过有效期" in page.content.decode()
    weak = client.post(
        "/account/password",
        {"old_password": PASSWORD, "new_password": "a" * 20, "new_password2": "a" * 20},
    )
    assert "至少 3 类" in weak.content.decode()
    done = client.post(
        "/account/password",
        {
            "old_password": PASSWORD,
            "new_password": "Fresh-pass-1x",
            "new_password2": "Fresh-pass-1x",
        },
    )
    assert done.status_code == 302
    assert client.get("/dashboard").status_code == 200  # still signed in, no longer sent away


def test_reusing_the_current_password_is_refused_on_the_page(city_bureau):
    client = signed_in("hf_bureau")
    response = client.post(
        "/account/password",
        {"old_password": PASSWORD, "new_password": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.status_code == 200
    assert "新密码不能与最近 5 次使用过的密码相同" in response.content.decode()


def test_the_navigation_links_the_password_page(city_bureau):
    client = signed_in("hf_bureau")
    assert 'href="/account/password"' in client.get("/dashboard").content.decode()


# --- the security administrator ---------------------------------------------------------------


def lock(username: str) -> None:
    client = Client()
    for n in range(5):
        page_login(client, username, "Wrong-pass-1", f"10.1.0.{n}")
    assert security.is_locked(username)


def test_the_security_admin_unlocks_an_account(security_admin, city_bureau):
    lock("hf_bureau")
    admin = signed_in("sec_admin")
    page = admin.get("/account/security/locks").content.decode()
    assert "hf_bureau" in page and "解除锁定" in page
    response = admin.post("/account/security/unlock", {"username": "hf_bureau"})
    assert response.status_code == 302
    assert not security.is_locked("hf_bureau")
    entry = AuditEntry.objects.get(action="accounts.unlocked")
    assert entry.actor_id == security_admin.pk and entry.object_id == "hf_bureau"
    assert signed_in("hf_bureau").get("/dashboard").status_code == 200


def test_the_security_admin_resets_a_password(security_admin, city_bureau):
    admin = signed_in("sec_admin")
    response = admin.post("/account/security/reset", {"username": "hf_bureau"})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    page = response.content.decode()
    temporary = page.split("data-temporary-password>")[1].split("<")[0]
    assert len(temporary) >= 10
    assert AuditEntry.objects.filter(action="accounts.password_reset").count() == 1
    assert temporary not in json.dumps(list(AuditEntry.objects.values_list("after", flat=True)))
    # The temporary password works once, and must be changed first.
    client = signed_in("hf_bureau", temporary)
    assert client.get("/dashboard")["Location"] == "/account/password"
    api = APIClient().post(
        "/api/v1/auth/token", {"username": "hf_bureau", "password": temporary}, format="json"
    )
    assert api.json()["password_expired"] is True


@pytest.fixture
def every_other_role(authorities, org_user):
    users = [org_user]
    for role in Role:
        if role in {Role.SECURITY_ADMIN, Role.ORGANIZATION}:
            continue
        user = User(username=f"r_{role.value}", role=role)
        user.set_password(PASSWORD)
        user.save()
        users.append(user)
    return users


def test_only_the_security_admin_may_use_its_pages(every_other_role, city_bureau):
    lock("hf_bureau")
    for user in every_other_role:
        client = Client()
        client.force_login(user)
        assert client.get("/account/security/locks").status_code == 403, user.role
        assert client.post("/account/security/unlock", {"username": "hf_bureau"}).status_code == 403
        assert client.post("/account/security/reset", {"username": "hf_bureau"}).status_code == 403
    assert security.is_locked("hf_bureau")
    assert not AuditEntry.objects.filter(
        action__in=["accounts.unlocked", "accounts.password_reset"]
    ).exists()
    anonymous = Client()
    assert anonymous.get("/account/security/locks").status_code == 302
    assert anonymous.post("/account/security/reset", {"username": "hf_bureau"}).status_code == 302


def test_the_security_admin_sees_only_locked_accounts(security_admin, city_bureau, city_center):
    lock("hf_center")
    page = signed_in("sec_admin").get("/account/security/locks").content.decode()
    assert "hf_center" in page
    assert "hf_bureau" not in page


# --- TOTP -------------------------------------------------------------------------------------


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def enroll(client: Client, user: User) -> TOTPDevice:
    page = client.get("/account/totp")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="/account/totp/qr.svg"' in html and "data:" not in html
    qr = client.get("/account/totp/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content.lstrip().startswith(b"<?xml") or b"<svg" in qr.content[:200]
    device = TOTPDevice.objects.get(user=user)
    assert (
        client.post(
            "/account/totp", {"otp": "000000" if current_code(device) != "000000" else "111111"}
        ).status_code
        == 200
    )
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()
    assert client.post("/account/totp", {"otp": current_code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_an_officer_enrolls_totp_and_then_needs_the_code(city_bureau):
    client = signed_in("hf_bureau")
    device = enroll(client, city_bureau)
    assert AuditEntry.objects.filter(action="accounts.totp_enrolled").count() == 1
    # The page login now asks for the code after the password.
    fresh = Client()
    response = page_login(fresh, "hf_bureau", PASSWORD)
    assert response["Location"] == "/login/otp"
    assert "_auth_user_id" not in fresh.session
    assert fresh.get("/dashboard").status_code == 302
    wrong = fresh.post("/login/otp", {"otp": "12345"})
    assert "动态验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down guesses after a wrong code
    device.last_t = -1  # as at a later time step: the enrollment's code is not accepted twice
    device.save()
    right = fresh.post("/login/otp", {"otp": current_code(device)})
    assert right.status_code == 302
    assert fresh.get("/dashboard").status_code == 200


def test_the_api_requires_the_code_once_enrolled(city_bureau):
    device = TOTPDevice.objects.create(user=city_bureau, name="x", confirmed=True)
    api = APIClient()
    body = {"username": "hf_bureau", "password": PASSWORD}
    missing = api.post("/api/v1/auth/token", body, format="json")
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "otp_required"
    wrong = api.post("/api/v1/auth/token", {**body, "otp": "12345"}, format="json")
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "otp_invalid"
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down guesses after a wrong code
    right = api.post("/api/v1/auth/token", {**body, "otp": current_code(device)}, format="json")
    assert right.status_code == 200


def test_organizations_cannot_enroll(org_user):
    client = signed_in("org_hf")
    assert client.get("/account/totp").status_code == 403


def test_required_totp_sends_officers_to_enroll_first(city_bureau, org_user, settings):
    settings.SKILLCERT_REQUIRE_TOTP = True
    client = signed_in("hf_bureau")
    assert client.get("/dashboard")["Location"] == "/account/totp"
    assert client.get("/account/totp/qr.svg").status_code == 200
    assert signed_in("org_hf").get("/dashboard").status_code == 200


# --- review of the accounts security code ---------------------------------------------------


def test_the_security_admin_cannot_reset_the_other_administrators(security_admin, authorities):
    from skillcert.rules.errors import Forbidden

    admin = signed_in("sec_admin")
    for role in ("system_admin", "audit_admin"):
        other = add_user(
            f"x_{role}", password=PASSWORD, role=role, authority="province", actor=SYSTEM
        )
        before = User.objects.get(pk=other.pk).password
        response = admin.post("/account/security/reset", {"username": other.username})
        assert response.status_code == 302
        assert "data-temporary-password" not in response.content.decode()
        assert User.objects.get(pk=other.pk).password == before
        with pytest.raises(Forbidden, match="三员账户的密码只能由部署人员通过命令行重置"):
            security.reset_password(other.username, actor=security_admin)
    assert not AuditEntry.objects.filter(action="accounts.password_reset").exists()


def test_required_totp_refuses_api_tokens_until_enrolled(city_bureau, org_user, settings):
    settings.SKILLCERT_REQUIRE_TOTP = True
    body = {"username": "hf_bureau", "password": PASSWORD}
    refused = APIClient().post("/api/v1/auth/token", body, format="json")
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "otp_enrollment_required"
    assert error["message"] == "请先在网页上绑定动态口令（TOTP）后再使用接口"
    assert not AuditEntry.objects.filter(action="login").exists()
    org = {"username": "org_hf", "password": PASSWORD}
    assert APIClient().post("/api/v1/auth/token", org, format="json").status_code == 200


def test_wrong_old_passwords_on_the_page_lock_the_account(city_bureau):
    client = signed_in("hf_bureau")
    for n in range(5):
        client.post(
            "/account/password",
            {
                "old_password": f"Wrong-pass-{n}",
                "new_password": "Fresh-pass-1x",
                "new_password2": "Fresh-pass-1x",
            },
        )
    assert security.is_locked("hf_bureau")


def test_a_drill_session_stamped_after_now_is_stamped_again(city_bureau, today):
    """With a drill date, real midnight makes ``now`` earlier than the last stamp."""
    today("2026-09-18")
    client = signed_in("hf_bureau")
    session = client.session
    session[SESSION_KEY] = clock.now().timestamp() + 23 * 3600
    session.save()
    assert client.get("/dashboard").status_code == 200
    assert client.session[SESSION_KEY] <= clock.now().timestamp()


def test_signing_in_by_registering_is_recorded(authorities):
    from skillcert.ops.demo import demo_credit_code

    client = Client()
    response = client.post(
        "/register",
        {
            "name": "新的培训学校",
            "credit_code": demo_credit_code("340104", "TT000009"),
            "username": "neworg",
            "password": "Fresh-pass-1x",
            "password_again": "Fresh-pass-1x",
        },
    )
    assert response.status_code == 302, response.content.decode()[:800]
    entry = AuditEntry.objects.get(action="login")
    assert entry.actor_id == User.objects.get(username="neworg").pk
    assert SESSION_KEY in client.session


def test_the_totp_step_expires_after_five_minutes(city_bureau):
    from skillcert.web.accounts.views import PENDING_AT

    TOTPDevice.objects.create(user=city_bureau, name="x", confirmed=True)
    client = Client()
    assert page_login(client, "hf_bureau", PASSWORD)["Location"] == "/login/otp"
    assert client.get("/login/otp").status_code == 200
    session = client.session
    session[PENDING_AT] = session[PENDING_AT] - 5 * 60 - 1
    session.save()
    response = client.get("/login/otp", follow=True)
    assert response.redirect_chain[0][0] == "/login"
    assert "验证超时，请重新输入用户名和密码登录" in response.content.decode()
    assert client.post("/login/otp", {"otp": "123456"})["Location"] == "/login"
