"""Certificate numbers: serial segments (号段), counters, and the certificates themselves."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from skillcert.assessment.models import Batch, Candidate
from skillcert.registry.models import Organization


class Segment(models.Model):
    """Serials the provincial center allocated to an organization for a year and level
    (附件5 note 4); certificate numbers may only use serials inside its segments."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="segments"
    )
    year = models.PositiveSmallIntegerField("年份")
    level = models.PositiveSmallIntegerField("等级")
    first = models.PositiveIntegerField("起始流水号")
    last = models.PositiveIntegerField("结束流水号")
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    allocated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "year", "level", "first"]
        indexes = [models.Index(fields=["organization", "year", "level"], name="segment_lookup")]
        verbose_name = "证书号段"

    def __str__(self) -> str:
        return f"{self.year}/{self.level}: {self.first}-{self.last}"

    @property
    def size(self) -> int:
        return self.last - self.first + 1


class CertificateCounter(models.Model):
    """The last serial used per organization, year and level. Locked while numbering."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    level = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "level"], name="certificate_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.year}/{self.level}: {self.last_serial}"


class CertificateStatus(models.TextChoices):
    VALID = "valid", "有效"
    REVOKED = "revoked", "已撤销"
    SUPERSEDED = "superseded", "已更正"


class Certificate(models.Model):
    """A skill level certificate (职业技能等级证书): the number and what it certifies, as issued."""

    number = models.CharField("证书编号", max_length=22, unique=True)
    candidate = models.OneToOneField(
        Candidate, null=True, on_delete=models.PROTECT, related_name="certificate"
    )
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="certificates")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="certificates"
    )
    year = models.PositiveSmallIntegerField("年份")
    level = models.PositiveSmallIntegerField("等级")
    serial = models.PositiveIntegerField("流水号")
    issued_on = models.DateField("发证日期")
    status = models.CharField(
        "状态", max_length=16, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    name = models.CharField("姓名", max_length=50)
    id_type = models.CharField("证件类型", max_length=3)
    id_number = models.CharField("证件号码", max_length=30, db_index=True)
    work_unit = models.CharField("所在单位", max_length=100, blank=True)
    city = models.CharField("考生所在地市", max_length=2)
    occupation_code = models.CharField("职业编码", max_length=16)
    occupation_name = models.CharField("职业名称", max_length=100)
    work_type = models.CharField("工种", max_length=100, blank=True)
    organization_name = models.CharField("评价机构", max_length=200)
    filing_number = models.CharField("评价机构备案号", max_length=13)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "level", "serial"], name="certificate_serial_unique"
            )
        ]
        verbose_name = "职业技能等级证书"
        verbose_name_plural = "职业技能等级证书"

    def __str__(self) -> str:
        return self.number
