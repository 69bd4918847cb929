"""Logins (domain.md §11): account locks, login records, password age and changes, resets.

The lock is django-axes's: 5 failed attempts for one user name within 15 minutes lock that
account for 15 minutes, whatever the client address (``AXES_LOCKOUT_PARAMETERS = ["username"]``);
its counts live in the database (axes' database handler) or, with ``SKILLCERT_REDIS_URL``, in the
shared cache. Everything here that changes something writes its audit entry in the same
transaction; the login records are one entry each (``login``, ``login_failed``, ``logout``,
``account_locked``), never with a password.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from skillcert.accounts.models import User
from skillcert.accounts.roles import ADMINISTRATOR_ROLES, Role
from skillcert.audit import service as audit
from skillcert.audit.service import Actor, ActorRef
from skillcert.rules import clock
from skillcert.rules.errors import Forbidden, InvalidInput, NotFound

# Accounts whose passwords age and who may be required to use TOTP: officers, inspectors and the
# administrators (everyone but organizations and certificate holders).
UNAGED_ROLES = frozenset({Role.ORGANIZATION, Role.HOLDER})
LOCKED_MESSAGE = "账号已被锁定，请于 {minutes} 分钟后再试或联系安全管理员"
IDLE_MESSAGE = "长时间未操作，已自动退出，请重新登录"


def is_staff_account(user: Any) -> bool:
    """Officers, inspectors and administrators: passwords age, TOTP may be required."""
    role = getattr(user, "role", "")
    return bool(role) and role not in UNAGED_ROLES


def _max_age_days() -> int:
    return int(getattr(settings, "SKILLCERT_PASSWORD_MAX_AGE_DAYS", 90))


def password_expired(user: Any) -> bool:
    """Whether the user must choose a new password before anything else: a temporary password
    (set by the security administrator), or an officer's or administrator's older than
    ``SKILLCERT_PASSWORD_MAX_AGE_DAYS`` days on the platform clock."""
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "password_temporary", False):
        return True
    changed = getattr(user, "password_changed_at", None)
    if changed is None or not is_staff_account(user):
        return False
    changed_on = timezone.localtime(changed, clock.LOCAL_TZ).date()
    return clock.today() >= changed_on + dt.timedelta(days=_max_age_days())


# --- the lock (django-axes) --------------------------------------------------------------


def cool_off() -> dt.timedelta:
    value = settings.AXES_COOLOFF_TIME
    return value if isinstance(value, dt.timedelta) else dt.timedelta(hours=float(value or 0))


def _probe() -> HttpRequest:
    request = HttpRequest()
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    return request


def is_locked(username: str) -> bool:
    from axes.handlers.proxy import AxesProxyHandler

    if not username:
        return False
    return bool(AxesProxyHandler.is_locked(_probe(), {"username": username}))


def minutes_left(username: str) -> int:
    """Whole minutes (at least 1) until the lock of ``username`` ends, as far as known."""
    from axes.models import AccessAttempt

    total = cool_off()
    if settings.AXES_HANDLER.endswith("AxesDatabaseHandler"):
        last = (
            AccessAttempt.objects.filter(username=username)
            .order_by("-attempt_time")
            .values_list("attempt_time", flat=True)
            .first()
        )
        if last is not None:
            total = last + cool_off() - timezone.now()
    return max(1, int(total.total_seconds() // 60) + (1 if total.total_seconds() % 60 else 0))


def locked_message(username: str) -> str:
    return LOCKED_MESSAGE.format(minutes=minutes_left(username))


def locked_accounts() -> list[dict[str, Any]]:
    """The accounts locked now: those whose lock was recorded within the cool-off period and
    that axes still holds (this works whichever handler keeps the counts)."""
    from skillcert.audit.models import AuditEntry

    since = timezone.now() - cool_off()
    rows = (
        AuditEntry.objects.filter(action="account_locked", recorded_at__gte=since)
        .order_by("-seq")
        .values_list("object_id", "recorded_at")
    )
    found: dict[str, dt.datetime] = {}
    for username, at in rows:
        found.setdefault(username, at)
    users = {u.username: u for u in User.objects.filter(username__in=list(found))}
    return [
        {
            "username": name,
            "user": users.get(name),
            "locked_at": at,
            "minutes_left": minutes_left(name),
        }
        for name, at in found.items()
        if is_locked(name)
    ]


def unlock(username: str, *, actor: Actor) -> None:
    """The security administrator ends the lock of ``username`` (axes reset)."""
    from axes.utils import reset

    require_security_admin(actor)
    if not is_locked(username):
        raise NotFound(f"账号 {username} 当前未被锁定")
    with transaction.atomic():
        reset(username=username)
        audit.record(
            actor=actor,
            action="accounts.unlocked",
            object_type="accounts.user",
            object_id=username,
            after={"username": username},
        )


# --- login records ------------------------------------------------------------------------


def _tried(username: str) -> ActorRef:
    return ActorRef(str(username or "")[: audit.ACTOR_NAME_LENGTH] or "(空)", None, "")


def _client(request: Any) -> dict[str, str]:
    address = ""
    if request is not None:
        address = str(
            getattr(request, "axes_ip_address", "") or request.META.get("REMOTE_ADDR", "")
        )
    return {"address": address, "channel": _channel(request)}


def _channel(request: Any) -> str:
    path = str(getattr(request, "path", "") or "")
    return "api" if path.startswith("/api/") else "web"


def record_login(user: User, request: Any) -> None:
    with transaction.atomic():
        audit.record(actor=user, action="login", obj=user, after=_client(request))


def record_logout(user: User, request: Any, *, reason: str = "") -> None:
    after = _client(request)
    if reason:
        after["reason"] = reason
    with transaction.atomic():
        audit.record(actor=user, action="logout", obj=user, after=after)


def record_login_failed(username: str, request: Any) -> None:
    after = _client(request)
    if getattr(request, "axes_locked_out", False):
        after["locked"] = "true"
    with transaction.atomic():
        audit.record(
            actor=_tried(username),
            action="login_failed",
            object_type="accounts.user",
            object_id=str(username or "")[:150],
            after=after,
        )


def record_locked(username: str, request: Any) -> None:
    with transaction.atomic():
        audit.record(
            actor=_tried(username),
            action="account_locked",
            object_type="accounts.user",
            object_id=str(username or "")[:150],
            after={**_client(request), "minutes": str(int(cool_off().total_seconds() // 60))},
        )


# --- passwords ------------------------------------------------------------------------------


def _revoke_tokens(user: User, *, keep: Any = None) -> int:
    """Delete the user's API tokens (knox), except ``keep`` (the token of the request making
    the change, if any); the number deleted."""
    from knox.models import AuthToken

    tokens = AuthToken.objects.filter(user_id=user.pk)
    if keep is not None and getattr(keep, "pk", None) is not None:
        tokens = tokens.exclude(pk=keep.pk)
    deleted, _ = tokens.delete()
    return int(deleted)


def confirm_password(
    user: User,
    password: str,
    *,
    request: Any = None,
    field: str = "password",
    wrong: str = "密码不正确",
) -> None:
    """The signed-in ``user`` proves it is them by typing their password again (before a change
    that a stolen session must not make). A wrong password counts as a failed login of the
    account (django-axes: it may lock it; a locked account is refused, 403 ``account_locked``);
    it is 400 ``wrong_password`` under ``field``."""
    from django.contrib.auth.signals import user_login_failed

    if is_locked(user.username):
        raise Forbidden(locked_message(user.username), code="account_locked")
    if not user.check_password(password or ""):
        user_login_failed.send(
            sender=__name__, credentials={"username": user.username}, request=request
        )
        if getattr(request, "axes_locked_out", False) or is_locked(user.username):
            raise Forbidden(locked_message(user.username), code="account_locked")
        raise InvalidInput.for_field(field, wrong, code="wrong_password")


def change_password(
    user: User,
    *,
    old_password: str,
    new_password: str,
    request: Any = None,
    keep_token: Any = None,
) -> User:
    """The user changes their own password: the old one must be right, the new one follow
    the policy (messages under ``password``). A wrong old password counts as a failed login
    of the account (django-axes: it may lock it, and a locked account cannot change its
    password). Every other API token of the user ends (``keep_token``, the token of the API
    request making the change, stays)."""
    from skillcert.accounts.services import check_password

    confirm_password(
        user, old_password, request=request, field="old_password", wrong="原密码不正确"
    )
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        check_password(new_password, locked)
        locked.set_password(new_password)
        locked.save(update_fields=["password", "password_changed_at", "password_temporary"])
        revoked = _revoke_tokens(locked, keep=keep_token)
        audit.record(
            actor=locked,
            action="accounts.password_changed",
            obj=locked,
            after={"tokens_revoked": revoked},
        )
    user.password = locked.password
    user.password_changed_at = locked.password_changed_at
    user.password_temporary = False
    return user


def require_security_admin(actor: Actor) -> None:
    if getattr(actor, "role", None) != Role.SECURITY_ADMIN or not getattr(
        actor, "is_authenticated", False
    ):
        raise Forbidden("只有安全管理员可以执行此操作")


_TEMPORARY_ALPHABET = string.ascii_letters + string.digits


def temporary_password() -> str:
    """A random password that follows the policy (upper, lower, digit, symbol; 14 characters)."""
    while True:
        body = "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(12))
        candidate = f"{body[:6]}-{body[6:]}#"
        if (
            any(c.isupper() for c in body)
            and any(c.islower() for c in body)
            and any(c.isdigit() for c in body)
        ):
            return candidate


def reset_password(username: str, *, actor: Actor) -> str:
    """The security administrator gives ``username`` a temporary password (returned once, to
    be shown once); the user must choose a new one at the next login. Also ends a lock and
    every API token of the user. Not for the three administrators (三员分立): their passwords
    are reset by the operator on the command line (``reset_password_by_operator``)."""
    require_security_admin(actor)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            raise NotFound(f"未找到账号 {username}")
        if user.pk == getattr(actor, "pk", None):
            raise Forbidden("不能重置自己的密码，请在「修改密码」中修改")
        if user.role in ADMINISTRATOR_ROLES:
            # 三员分立: no administrator holds another administrator's password.
            raise Forbidden("三员账户的密码只能由部署人员通过命令行重置")
        return _reset(user, actor)


def reset_password_by_operator(username: str, *, actor: Actor) -> str:
    """``skillcert user password USERNAME``: the installation's operator (the command line,
    not a signed-in person) gives any account, an administrator's included, a temporary
    password, returned once; recorded like the security administrator's reset."""
    if getattr(actor, "is_authenticated", False):
        raise Forbidden("只能由部署人员在服务器命令行重置")
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            raise NotFound(f"未找到账号 {username}")
        return _reset(user, actor)


def _reset(user: User, actor: Actor) -> str:
    from axes.utils import reset

    password = temporary_password()
    user.set_password(password)
    user.password_temporary = True
    user.save(update_fields=["password", "password_changed_at", "password_temporary"])
    reset(username=user.username)
    revoked = _revoke_tokens(user)
    audit.record(
        actor=actor,
        action="accounts.password_reset",
        obj=user,
        after={"username": user.username, "temporary": True, "tokens_revoked": revoked},
    )
    return password


# --- second factor (TOTP, django-otp) ---------------------------------------------------------


def totp_required(user: Any) -> bool:
    """With ``SKILLCERT_REQUIRE_TOTP``, officers and administrators must enroll a device."""
    return bool(getattr(settings, "SKILLCERT_REQUIRE_TOTP", False)) and is_staff_account(user)


def may_use_totp(user: Any) -> bool:
    return is_staff_account(user)


def has_totp(user: Any) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if getattr(user, "pk", None) is None:
        return False
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def verify_totp(user: Any, code: str) -> bool:
    """Whether ``code`` is the current code of one of the user's confirmed devices (each code
    is accepted once: django-otp remembers the last time step used)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    code = (code or "").strip().replace(" ", "")
    if not code.isdigit():
        return False
    return any(
        device.verify_token(code)
        for device in TOTPDevice.objects.filter(user_id=user.pk, confirmed=True)
    )
