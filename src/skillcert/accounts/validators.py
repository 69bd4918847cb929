"""The password policy (domain.md §11), as Django password validators with Chinese messages.

At least 10 characters, three of the four kinds (upper case, lower case, digits, symbols), not
containing the user name, and none of the user's last five passwords. ``settings.py`` lists them
in ``AUTH_PASSWORD_VALIDATORS``; ``accounts.services.check_password`` runs them for every
password a person chooses. ``PasswordHistoryValidator.password_changed`` (called by Django when a
user with a new password is saved) keeps the hash of each password set.
"""

from __future__ import annotations

import string
from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

MIN_LENGTH = 10
MIN_KINDS = 3
HISTORY = 5


def _kinds(password: str) -> int:
    upper = any("A" <= c <= "Z" for c in password)
    lower = any("a" <= c <= "z" for c in password)
    digit = any("0" <= c <= "9" for c in password)
    symbol = any(c in string.punctuation for c in password)  # ASCII punctuation only
    return sum((upper, lower, digit, symbol))


class MinimumLengthValidator:
    def __init__(self, min_length: int = MIN_LENGTH) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"密码长度不足：至少需要 {self.min_length} 个字符", code="password_too_short"
            )

    def get_help_text(self) -> str:
        return f"密码至少 {self.min_length} 个字符。"


class CharacterKindsValidator:
    def __init__(self, min_kinds: int = MIN_KINDS) -> None:
        self.min_kinds = min_kinds

    def validate(self, password: str, user: Any = None) -> None:
        if _kinds(password) < self.min_kinds:
            raise ValidationError(
                f"密码过于简单：须包含大写字母、小写字母、数字和符号中的至少 {self.min_kinds} 类",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"密码须包含大写字母、小写字母、数字和符号中的至少 {self.min_kinds} 类。"


class UsernameNotContainedValidator:
    def validate(self, password: str, user: Any = None) -> None:
        username = str(getattr(user, "username", "") or "")
        if username and username.casefold() in password.casefold():
            raise ValidationError("密码不能包含用户名", code="password_contains_username")

    def get_help_text(self) -> str:
        return "密码不能包含用户名。"


class PasswordHistoryValidator:
    """None of the last ``count`` passwords (the current one included)."""

    def __init__(self, count: int = HISTORY) -> None:
        self.count = count

    def _recent_hashes(self, user: Any) -> list[str]:
        if user is None or getattr(user, "pk", None) is None:
            return []
        from skillcert.accounts.models import PasswordHistory, User

        hashes = list(
            PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)[
                : self.count
            ]
        )
        current = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
        if current and current not in hashes:
            hashes.insert(0, current)  # a password set before the history was kept
        return hashes[: self.count]

    def validate(self, password: str, user: Any = None) -> None:
        for encoded in self._recent_hashes(user):
            if check_password(password, encoded):
                raise ValidationError(
                    f"新密码不能与最近 {self.count} 次使用过的密码相同", code="password_reused"
                )

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or getattr(user, "pk", None) is None or not user.has_usable_password():
            return
        from skillcert.accounts.models import PasswordHistory
        from skillcert.rules import clock

        PasswordHistory.objects.create(
            user_id=user.pk, password=user.password, set_at=user.password_changed_at or clock.now()
        )
        stale = PasswordHistory.objects.filter(user_id=user.pk).values_list("pk", flat=True)[
            self.count :
        ]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self) -> str:
        return f"不能使用最近 {self.count} 次使用过的密码。"
