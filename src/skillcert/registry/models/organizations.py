"""Evaluation organizations (评价组织): their record, members, scope, service areas, seals
and city thresholds."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from skillcert.accounts.models import Authority
from skillcert.keystore.fields import SealedCharField
from skillcert.registry.workflow import (
    OrganizationStatus,
)
from skillcert.rules import clock

# Statuses of an organization on record with a filing number.
FILED_STATUSES = (
    OrganizationStatus.IN_PILOT,
    OrganizationStatus.ACTIVE,
    OrganizationStatus.PILOT_FAILED,
)
# Statuses that appear in the public catalog (they may certify).
LISTED_STATUSES = (OrganizationStatus.IN_PILOT, OrganizationStatus.ACTIVE)


class Category(models.TextChoices):
    SOCIAL = "S", "社会培训评价组织"
    EMPLOYER = "Y", "用人单位"


class Scope(models.TextChoices):
    CITY = "city", "面向本市"
    PROVINCE = "province", "面向全省"


class Channel(models.TextChoices):
    CITY = "city", "市级渠道"
    PROVINCE = "province", "省直渠道"


class ExitReason(models.TextChoices):
    FALSE_MATERIALS = "false_materials", "提供虚假材料"
    DISHONESTY = "dishonesty", "违规失信"
    VICIOUS_COMPETITION = "vicious_competition", "恶意竞争"
    DISORDERLY_MANAGEMENT = "disorderly_management", "管理失序"
    MERGED = "merged", "合并注销"
    OTHER = "other", "其他"


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
        db_index=True,
    )
    filing_number = models.CharField("备案号", max_length=13, null=True, blank=True, unique=True)
    # The authority that filed it: a city, or the province (code 00) for the province channel.
    filing_authority = models.ForeignKey(
        Authority,
        verbose_name="备案机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="filed_organizations",
    )
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices, blank=True)
    scope = models.CharField("范围", max_length=16, choices=Scope.choices, default=Scope.CITY)
    industry = models.CharField("所属行业系统", max_length=100, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    nature = models.CharField("机构性质", max_length=32, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=60, blank=True)
    contact_name = models.CharField("联系人", max_length=60, blank=True)
    contact_phone = SealedCharField("联系电话", max_length=40, blank=True, mask="phone")
    filed_on = models.DateField("备案日期", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True, db_index=True)
    pilot_until = models.DateField("试点期至", null=True, blank=True)
    province_wide_on = models.DateField("列入全省目录日期", null=True, blank=True)
    exited_on = models.DateField("退出日期", null=True, blank=True)
    exit_reason = models.CharField(
        "退出原因", max_length=32, choices=ExitReason.choices, blank=True
    )
    exit_detail = models.TextField("退出说明", blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name="并入", null=True, blank=True, on_delete=models.PROTECT
    )
    registered_at = models.DateTimeField("注册时间", default=clock.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "评价组织"
        verbose_name_plural = "评价组织"
        indexes = [models.Index(fields=["status", "scope"], name="org_status_scope_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_filed(self) -> bool:
        return self.status in FILED_STATUSES

    @property
    def is_listed(self) -> bool:
        return self.status in LISTED_STATUSES


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


class ScopeItem(models.Model):
    """One occupation (工种) an organization is filed for, with its levels."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="scope_items"
    )
    occupation_name = models.CharField("职业名称", max_length=100)
    occupation_code = models.CharField("职业编码", max_length=16)
    edition = models.CharField("大典版本", max_length=8, default="2022")
    work_type = models.CharField("工种", max_length=100, blank=True)
    levels = models.JSONField("等级", default=list)  # sorted list of 1-5
    # ",3,4," : lets the catalog filter by level with a plain LIKE on every database.
    levels_key = models.CharField(max_length=16, blank=True)
    new_occupation = models.BooleanField("新职业", default=False)

    class Meta:
        ordering = ["occupation_code", "work_type"]
        verbose_name = "备案职业（工种）"

    def __str__(self) -> str:
        return f"{self.occupation_name}（{self.work_type or '——'}）"


def levels_key(levels: list[int]) -> str:
    return "," + ",".join(str(level) for level in sorted(levels)) + ","


class ServiceArea(models.Model):
    """A city where an organization may certify (its filing city, and cross-city filings)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="service_areas"
    )
    city = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    since = models.DateField("起始日期")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "city"], name="service_area_unique")
        ]
        verbose_name = "可开展认定的地市"

    def __str__(self) -> str:
        return f"{self.organization_id}@{self.city_id}"


class CityThresholds(models.Model):
    """The city-wide experience thresholds a city bureau sets (一(三), last sentence)."""

    authority = models.OneToOneField(Authority, on_delete=models.CASCADE, related_name="thresholds")
    years_continuous = models.PositiveIntegerField("连续培训评价年限", null=True, blank=True)
    persons_total = models.PositiveIntegerField("累计培训评价人次", null=True, blank=True)
    persons_per_occupation = models.PositiveIntegerField(
        "每个职业培训评价人次", null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "本市备案条件"

    def __str__(self) -> str:
        return f"{self.authority_id}"


class SealState(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    REJECTED = "rejected", "未通过"


class OrganizationSeal(models.Model):
    """An organization's seal image (印章). Officers confirm it before it appears on its
    certificates and receipts; a newer upload replaces it once confirmed."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="seals")
    stored_name = models.CharField(max_length=200)  # a name in the file storage, never shown
    sha256 = models.CharField(max_length=64)
    state = models.CharField(
        "状态", max_length=16, choices=SealState.choices, default=SealState.PENDING
    )
    uploaded_at = models.DateTimeField(default=clock.now, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField("说明", blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = "评价组织印章"

    def __str__(self) -> str:
        return f"seal {self.pk} of {self.organization_id}"
