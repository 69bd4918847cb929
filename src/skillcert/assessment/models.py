"""Certification batches (认定批次): plan, staff, candidates, spot checks, results."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from skillcert.accounts.models import Authority
from skillcert.assessment.workflow import BATCH, BatchState, has_results
from skillcert.keystore.fields import SealedCharField
from skillcert.registry.models import Organization
from skillcert.rules import clock


class Batch(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="batches")
    title = models.CharField("批次名称", max_length=200)
    start_date = models.DateField("认定开始日期")
    end_date = models.DateField("认定结束日期")
    site_city = models.ForeignKey(
        Authority, verbose_name="认定地点所在地市", on_delete=models.PROTECT, related_name="+"
    )
    site_address = models.CharField("认定地点", max_length=200)
    overview = models.TextField("批次概况", blank=True)
    subjects = models.JSONField("认定科目", default=list)
    pass_marks = models.JSONField("合格分数线", default=dict)  # subject → "60"
    industry_only = models.BooleanField("仅面向本行业系统", default=False)
    state = models.CharField(
        "状态", max_length=24, choices=BatchState.choices, default=BatchState.DRAFT, db_index=True
    )
    plan_deadline = models.DateField("计划报备截止", null=True, blank=True)
    plan_deadline_estimated = models.BooleanField(default=False)
    plan_filed_on = models.DateField("计划报备日期", null=True, blank=True)
    copied_to_province = models.BooleanField("已抄报省鉴定中心", default=False)
    publicity_start = models.DateField("公示开始", null=True, blank=True)
    publicity_end = models.DateField("公示截止", null=True, blank=True, db_index=True)
    results_due = models.DateField("结果报备期限", null=True, blank=True, db_index=True)
    results_due_estimated = models.BooleanField(default=False)
    results_filed_on = models.DateField("结果报备日期", null=True, blank=True)
    late = models.BooleanField("逾期报备", default=False)
    # 办件编号 (domain.md §9): JH- for the plan filing, JG- for the result filing, from their
    # first submission.
    plan_case_number = models.CharField("计划报备办件编号", max_length=24, blank=True)
    results_case_number = models.CharField("结果报备办件编号", max_length=24, blank=True)
    # Receipt (签收) or return (退回) by the site city's appraisal center within 3 working days;
    # unanswered, the filing counts as received on the due day (``*_received_by`` empty).
    plan_receipt_due = models.DateField("计划签收期限", null=True, blank=True)
    plan_received_on = models.DateField("计划签收日期", null=True, blank=True)
    plan_received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    plan_return_reason = models.TextField("计划退回理由", blank=True)
    results_receipt_due = models.DateField("结果签收期限", null=True, blank=True)
    results_received_on = models.DateField("结果签收日期", null=True, blank=True)
    results_received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    results_return_reason = models.TextField("结果退回理由", blank=True)
    withdrawn_on = models.DateField("撤回日期", null=True, blank=True)
    # Kept by the service that writes the roster (``plans._write_candidates``): the lists show
    # it for every batch of a page, and counting the join grew with every candidate.
    candidate_count = models.PositiveIntegerField("考生人数", default=0)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "-pk"]
        indexes = [
            # ``selectors.ordered_by_deadline``'s order, so a page of it reads 50 index entries.
            models.Index(
                models.Case(models.When(state="results_filed", then=1), default=0),
                models.Case(
                    models.When(state="in_publicity", then=models.F("publicity_end")),
                    models.When(state="publicity_closed", then=models.F("results_due")),
                    models.When(state="certificates_issued", then=models.F("results_due")),
                    models.When(state="results_filed", then=models.F("results_filed_on")),
                    default=models.F("start_date"),
                ),  # ascending: PostgreSQL puts NULLs last, as the order asks
                models.F("id").desc(),
                name="batch_deadline_order",
            ),
            models.Index(fields=["site_city", "state"], name="batch_city_state"),
        ]
        verbose_name = "认定批次"
        verbose_name_plural = "认定批次"
        constraints = [
            models.UniqueConstraint(
                fields=["plan_case_number"],
                condition=~models.Q(plan_case_number=""),
                name="batch_plan_case_number_unique",
            ),
            models.UniqueConstraint(
                fields=["results_case_number"],
                condition=~models.Q(results_case_number=""),
                name="batch_results_case_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    # What the pages show, asked of the workflow (never a state compared in a template).
    @property
    def editable(self) -> bool:
        """The plan is still the organization's draft."""
        return self.state in BATCH.transition("edit").sources

    @property
    def running(self) -> bool:
        """The plan is filed and results may be entered (the assessment's stage)."""
        return self.state in BATCH.transition("results").sources

    @property
    def results_exist(self) -> bool:
        return has_results(self)

    @property
    def finished(self) -> bool:
        return BATCH.is_final(self.state)

    @property
    def plan_due(self) -> dt.date | None:
        """The last day to file the plan (10 working days before the start)."""
        from skillcert.reference.selectors import work_calendar
        from skillcert.rules.assessment import plan_filing_deadline

        if self.plan_deadline is not None:
            return self.plan_deadline
        if self.start_date is None:
            return None
        return plan_filing_deadline(work_calendar(), self.start_date).day


class BatchItem(models.Model):
    """An occupation (工种) and level the batch assesses."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="items")
    occupation_code = models.CharField("职业编码", max_length=16)
    occupation_name = models.CharField("职业名称", max_length=100)
    work_type = models.CharField("工种", max_length=100, blank=True)
    level = models.PositiveSmallIntegerField("等级")

    class Meta:
        ordering = ["occupation_code", "work_type", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "occupation_code", "work_type", "level"], name="batch_item_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.occupation_name} {self.level}"


class StaffRole(models.TextChoices):
    PROCTOR = "proctor", "监考人员"
    EXAMINER = "examiner", "考评人员"
    QUALITY_SUPERVISOR = "quality_supervisor", "内部质量督导员"


class StaffMember(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField("角色", max_length=24, choices=StaffRole.choices)
    name = models.CharField("姓名", max_length=50)
    id_type = models.CharField("证件类型", max_length=3)
    id_number = SealedCharField("证件号码", max_length=30)  # SM4 at rest

    class Meta:
        ordering = ["role", "pk"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class Candidate(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="candidates")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField("姓名", max_length=50)
    id_type = models.CharField("证件类型", max_length=3)
    id_number = SealedCharField("证件号码", max_length=30)  # SM4 at rest
    work_unit = models.CharField("所在单位", max_length=100, blank=True)
    city = models.CharField("考生所在地市", max_length=2)
    occupation_code = models.CharField("职业编码", max_length=16)
    occupation_name = models.CharField("职业名称", max_length=100)
    work_type = models.CharField("工种", max_length=100, blank=True)
    level = models.PositiveSmallIntegerField("申报等级")
    source = models.CharField("考生来源", max_length=50)
    attended = models.BooleanField("是否参加", null=True, blank=True)
    scores = models.JSONField("成绩", default=dict)  # subject → "85.5"
    passed = models.BooleanField("是否合格", null=True, blank=True)  # computed, never typed

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "id_type", "id_number"], name="candidate_once_per_batch"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Inspection(models.Model):
    """A spot check (抽查) of a key stage by an inspector or officer (五(二))."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="inspections")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inspections"
    )
    stage = models.CharField("环节", max_length=100)
    findings = models.TextField("发现情况")
    recorded_at = models.DateTimeField(default=clock.now, editable=False)
    business_date = models.DateField("日期")

    class Meta:
        ordering = ["recorded_at"]

    def __str__(self) -> str:
        return f"{self.stage}"
