"""Password reset by e-mail (domain.md §11, issue 14 part 9): a one-time link valid for
``PASSWORD_RESET_TIMEOUT`` seconds (Django's ``PasswordResetTokenGenerator``: the token
hashes the password, the last login and the e-mail, so it ends once the password changes).

Not for the three administrators (三员分立): their passwords are reset by the operator on
the command line. Nothing here tells whether an account exists: ``accounts_for`` finds the
accounts a request may reset (possibly none) and the pages answer the same either way.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from skillcert.accounts.models import User
from skillcert.accounts.roles import ADMINISTRATOR_ROLES
from skillcert.audit import service as audit


class ResetTokens(PasswordResetTokenGenerator):
    key_salt = "skillcert.accounts.reset.ResetTokens"


tokens = ResetTokens()


def may_reset_by_email(user: Any) -> bool:
    return bool(
        user is not None
        and user.is_active
        and user.email
        and getattr(user, "role", None) not in ADMINISTRATOR_ROLES
    )


def accounts_for(identifier: str) -> list[User]:
    """The accounts a reset request for ``identifier`` (a user name, or an e-mail address)
    may reach: active, with an e-mail address, not one of the three administrators."""
    text = (identifier or "").strip()
    if not text or len(text) > 254:
        return []
    if "@" in text:
        found = list(User.objects.filter(email__iexact=text, is_active=True))
        found += [u for u in User.objects.filter(username__iexact=text) if u not in found]
    else:
        found = list(User.objects.filter(username__iexact=text))
    return [user for user in found if may_reset_by_email(user)]


def link_parts(user: User) -> tuple[str, str]:
    """The two parts of the reset link: the account's id (base64) and the token."""
    return urlsafe_base64_encode(force_bytes(user.pk)), tokens.make_token(user)


def user_for_link(uidb64: str, token: str) -> User | None:
    """The account the link is for, when the link is genuine, unused and not expired."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk).first()
    if not may_reset_by_email(user) or not tokens.check_token(user, token):
        return None
    return user


def complete(user: User, token: str, new_password: str, *, request: Any = None) -> User:
    """Set the password chosen through the link: the token is checked again under the row
    lock (a link works once), the policy and history apply (``fields.password``), the
    account's lock ends, every API token ends; audited (``accounts.password_reset_by_email``)."""
    from axes.utils import reset as reset_lock

    from skillcert.accounts.security import _client, _revoke_tokens
    from skillcert.accounts.services import check_password
    from skillcert.rules.errors import InvalidInput

    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not may_reset_by_email(locked) or not tokens.check_token(locked, token):
            raise InvalidInput("重设密码链接无效或已过期，请重新申请", code="invalid_link")
        check_password(new_password, locked)
        locked.set_password(new_password)
        locked.password_temporary = False
        locked.save(update_fields=["password", "password_changed_at", "password_temporary"])
        revoked = _revoke_tokens(locked)
        audit.record(
            actor=locked,
            action="accounts.password_reset_by_email",
            obj=locked,
            after={"tokens_revoked": revoked, **(_client(request) if request else {})},
        )
    reset_lock(username=locked.username)
    return locked
