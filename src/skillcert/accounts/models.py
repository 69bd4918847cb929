"""Authorities (the province and its cities) and the users who act for them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from skillcert.accounts.roles import (
    CITY_ROLES,
    OFFICER_ROLES,
    PROVINCE_ROLES,
    AuthorityKind,
    Role,
)
from skillcert.rules import clock


class Authority(models.Model):
    """An HR authority (人社部门): the province (code 00, 省直) or one of its cities (01 …)."""

    code = models.CharField("代码", max_length=2, unique=True)
    name = models.CharField("名称", max_length=40)
    kind = models.CharField("级别", max_length=16, choices=AuthorityKind.choices)
    division = models.CharField("行政区划代码", max_length=6)

    class Meta:
        ordering = ["code"]
        verbose_name = "人社部门"
        verbose_name_plural = "人社部门"

    def __str__(self) -> str:
        return self.name

    @property
    def is_province(self) -> bool:
        return self.kind == AuthorityKind.PROVINCE


class User(AbstractUser):
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    authority = models.ForeignKey(
        Authority,
        verbose_name="所属部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    display_name = models.CharField("姓名", max_length=60, blank=True)
    department = models.CharField("部门", max_length=60, blank=True)
    # Password age (domain.md §11): when the password was last set, on the platform clock; a
    # temporary password set by the security administrator must be changed at the next login.
    password_changed_at = models.DateTimeField("密码设置时间", null=True, blank=True)
    password_temporary = models.BooleanField("临时密码", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    def set_password(self, raw_password: str | None) -> None:
        """Hash and set the password, stamping when (platform clock). Saving the user then
        keeps the new hash in the password history (``validators.PasswordHistoryValidator``)."""
        super().set_password(raw_password)
        self.password_changed_at = clock.now()
        self.password_temporary = False

    @property
    def signature(self) -> str:
        """Who the person is on pages and in histories (署名): 部门 姓名 (``合肥市人社局 张明``);
        an organization user without a name signs with its organization's name; else the
        login name."""
        if self.display_name:
            return f"{self.department} {self.display_name}".strip()
        # The registry's Membership (reverse one-to-one): accounts does not import registry.
        membership = getattr(self, "membership", None)
        if membership is not None:
            return membership.organization.name
        return self.username

    @property
    def is_officer(self) -> bool:
        return self.role in OFFICER_ROLES

    @property
    def is_province_officer(self) -> bool:
        return self.role in PROVINCE_ROLES

    @property
    def is_city_officer(self) -> bool:
        return self.role in CITY_ROLES

    @property
    def is_organization_user(self) -> bool:
        return self.role == Role.ORGANIZATION

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""


class PasswordHistory(models.Model):
    """The hashes of a user's earlier passwords: a new one may not be any of the last five."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="password_history", verbose_name="用户"
    )
    password = models.CharField("密码散列", max_length=128)
    set_at = models.DateTimeField("设置时间")

    class Meta:
        ordering = ["-set_at", "-pk"]
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"

    def __str__(self) -> str:
        return f"{self.user_id} {self.set_at:%Y-%m-%d}"
