"""Evaluation organizations (评价组织) and the users who act for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from skillcert.accounts.models import Authority


class OrganizationStatus(models.TextChoices):
    APPLYING = "applying", "申请中"
    IN_PILOT = "in_pilot", "试点中"
    ACTIVE = "active", "已备案"
    PILOT_FAILED = "pilot_failed", "试点未通过"
    REVOKED = "revoked", "已撤销"
    EXPIRED = "expired", "已过期"


class Category(models.TextChoices):
    SOCIAL = "S", "社会培训评价组织"
    EMPLOYER = "Y", "用人单位"


class Organization(models.Model):
    name = models.CharField("名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    category = models.CharField("类别", max_length=1, choices=Category.choices, blank=True)
    # The city of registration, read from the credit code's division; null outside Anhui.
    home_city = models.ForeignKey(
        Authority,
        verbose_name="登记注册地",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="home_organizations",
    )
    status = models.CharField(
        "状态",
        max_length=16,
        choices=OrganizationStatus.choices,
        default=OrganizationStatus.APPLYING,
    )
    filing_number = models.CharField("备案号", max_length=13, null=True, blank=True, unique=True)
    registered_at = models.DateTimeField("注册时间", auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "评价组织"
        verbose_name_plural = "评价组织"

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """Binds an organization user to the one organization it acts for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="members")

    class Meta:
        verbose_name = "组织用户"
        verbose_name_plural = "组织用户"

    def __str__(self) -> str:
        return f"{self.user_id} → {self.organization_id}"
