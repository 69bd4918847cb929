"""Supervision (六): random draws (双随机), inspections and their publication (一公开),
annual reports, violations and exit."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from skillcert.accounts.models import Authority
from skillcert.assessment.models import Batch
from skillcert.registry.models import Organization
from skillcert.rules import clock
from skillcert.supervision.workflow import (
    AnnualReportState,
    InspectionState,
    RectificationState,
)


class TargetKind(models.TextChoices):
    ORGANIZATIONS = "organizations", "评价组织"
    BATCHES = "batches", "认定批次"


class InspectorConflict(models.Model):
    """An inspector's declared conflict of interest with an organization (回避)."""

    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField("回避原因", max_length=200)
    declared_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inspector", "organization"], name="conflict_once")
        ]

    def __str__(self) -> str:
        return f"{self.inspector_id}×{self.organization_id}"


class InspectionDraw(models.Model):
    """One draw, with everything needed to recompute it: seed, pools, conflicts, result."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="draws")
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(default=clock.now, editable=False)
    business_date = models.DateField("抽取日期")
    target_kind = models.CharField("抽查对象", max_length=16, choices=TargetKind.choices)
    filters = models.JSONField("筛选条件", default=dict)
    count = models.PositiveIntegerField("抽取对象数")
    per_target = models.PositiveIntegerField("每个对象督查员数")
    seed = models.CharField("随机种子", max_length=64)
    seed_given = models.BooleanField("种子由抽取人给定", default=False)
    targets_pool = models.JSONField("对象库快照", default=list)  # [{"id", "label"}]
    inspectors_pool = models.JSONField("督查员库快照", default=list)
    conflicts = models.JSONField("回避关系", default=list)  # [[inspector, target]]
    targets_digest = models.CharField(max_length=64)
    inspectors_digest = models.CharField(max_length=64)
    result = models.JSONField("抽取结果", default=dict)

    class Meta:
        ordering = ["-drawn_at"]
        verbose_name = "双随机抽取"

    def __str__(self) -> str:
        return f"draw {self.pk}"


class Conclusion(models.TextChoices):
    PASSED = "passed", "合格"
    RECTIFY = "rectify", "限期整改"
    FAILED = "failed", "不合格"


class Inspection(models.Model):
    """A drawn target's inspection: findings per stage, a conclusion, publication."""

    draw = models.ForeignKey(
        InspectionDraw, null=True, blank=True, on_delete=models.PROTECT, related_name="inspections"
    )
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="supervision_inspections"
    )
    batch = models.ForeignKey(
        Batch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_inspections",
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="assigned_inspections"
    )
    state = models.CharField(
        "状态", max_length=16, choices=InspectionState.choices, default=InspectionState.ASSIGNED
    )
    conclusion = models.CharField("结论", max_length=16, choices=Conclusion.choices, blank=True)
    conclusion_note = models.TextField("结论说明", blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_on = models.DateField("公开日期", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_on = models.DateField("终止日期", null=True, blank=True)
    end_reason = models.TextField("终止原因", blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "监督检查"

    def __str__(self) -> str:
        return f"inspection {self.pk}"


class Finding(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    stage = models.CharField("环节", max_length=100)
    text = models.TextField("发现情况")
    attachment_name = models.CharField("附件", max_length=200, blank=True)
    attachment_stored = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["pk"]  # append-only: insertion order (see rules.clock.now)

    def __str__(self) -> str:
        return self.stage


class Rectification(models.Model):
    """A follow-up (整改) ordered by a 限期整改 conclusion, with its due date; its ``state``
    moves by the ``RECTIFICATION`` workflow."""

    inspection = models.OneToOneField(
        Inspection, on_delete=models.CASCADE, related_name="rectification"
    )
    requirement = models.TextField("整改要求")
    due_on = models.DateField("整改期限")
    response = models.TextField("整改情况", blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    accepted = models.BooleanField("整改通过", null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(
        "状态",
        max_length=16,
        choices=RectificationState.choices,
        default=RectificationState.ORDERED,
    )

    def __str__(self) -> str:
        return f"rectification {self.pk}"


class AnnualReport(models.Model):
    """An organization's annual report (年度报告): statistics from the records, its narrative."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField("年度")
    narrative = models.TextField("年度工作情况")
    statistics = models.JSONField("统计数据", default=dict)
    filed_on = models.DateField("报送日期")
    due_on = models.DateField("报送期限")
    late = models.BooleanField("逾期报送", default=False)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "organization"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="annual_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year}"

    @property
    def state(self) -> str:
        """Filed once it is stored; an unsaved report stands for the year's report still due
        (what the ``ANNUAL_REPORT`` workflow checks before filing)."""
        return AnnualReportState.FILED if self.pk is not None else AnnualReportState.DUE


class ViolationKind(models.TextChoices):
    FALSE_MATERIALS = "false_materials", "提供虚假材料"
    DISHONESTY = "dishonesty", "违规失信"
    VICIOUS_COMPETITION = "vicious_competition", "恶意竞争"
    DISORDERLY_MANAGEMENT = "disorderly_management", "管理失序"


class Violation(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="violations"
    )
    kind = models.CharField("违规类型", max_length=32, choices=ViolationKind.choices)
    description = models.TextField("情况")
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.SET_NULL, related_name="violations"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_on = models.DateField("记录日期")
    led_to_exit = models.BooleanField("已据此撤销备案", default=False)

    class Meta:
        ordering = ["-recorded_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.kind}"


class TallySpan(models.TextChoices):
    DAY = "day", "日"
    MONTH = "month", "月"


class CertificateTally(models.Model):
    """The statistics' summary (证书统计汇总): certificates issued (valid or revoked; a
    corrected one counts once, as its replacement) per day or month, issuer's filing city,
    occupation, level and status. Written only by ``services.summaries``; a period's figures
    add the month rows of its whole months and the day rows of its ends."""

    span = models.CharField(max_length=5, choices=TallySpan.choices)
    start = models.DateField()  # the day, or the month's first day
    month = models.DateField()  # the month's first day (both spans)
    authority = models.ForeignKey(Authority, null=True, on_delete=models.CASCADE, related_name="+")
    occupation_name = models.CharField(max_length=100)
    level = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["span", "start"], name="tally_span_start")]

    def __str__(self) -> str:
        return f"{self.span} {self.start}: {self.count}"


class StatisticsRefresh(models.Model):
    """When the summary was last brought up to date (one row)."""

    refreshed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.refreshed_at}"
