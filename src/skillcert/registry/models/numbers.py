"""Filing numbers: the counters they are allocated from and the retired pool (废置库)."""

from __future__ import annotations

from django.db import models

from skillcert.registry.models.organizations import ExitReason, Organization


class FilingNumberCounter(models.Model):
    """The last serial assigned per province and city (00 = 省直). Locked while allocating."""

    province = models.CharField(max_length=2)
    city = models.CharField(max_length=2)
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["province", "city"], name="filing_counter_city")
        ]
        verbose_name = "备案号计数器"

    def __str__(self) -> str:
        return f"{self.province}{self.city}: {self.last_serial}"


class RetiredNumber(models.Model):
    """The retired pool (废置库): cancelled filing numbers, never assigned again."""

    number = models.CharField("备案号", max_length=13, unique=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    organization_name = models.CharField("组织名称", max_length=200)
    reason = models.CharField(
        "原因", max_length=32, choices=[*ExitReason.choices, ("expired", "到期未延续")]
    )
    detail = models.TextField("说明", blank=True)
    retired_on = models.DateField("注销日期")

    class Meta:
        ordering = ["-retired_on", "number"]
        verbose_name = "已注销备案号"
        verbose_name_plural = "废置库"

    def __str__(self) -> str:
        return self.number
