"""Filing cases: the application, its occupations and materials, evaluations, objections,
public notices."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from skillcert.accounts.models import Authority
from skillcert.keystore.fields import SealedCharField, SealedKeysJSONField
from skillcert.registry.models.organizations import Category, Channel, Organization
from skillcert.registry.workflow import (
    FILING,
    OBJECTION,
    FilingKind,
    FilingState,
    ObjectionState,
    is_refused,
)
from skillcert.rules import clock
from skillcert.rules.disclosure import publicity_over, without_name_list


class FilingCase(models.Model):
    """An application (备案申请) and its way through the workflow of 三 (一)-(四)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="filing_cases"
    )
    kind = models.CharField("类型", max_length=16, choices=FilingKind.choices)
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    # Where it is filed and reviewed: a city, or the province (00).
    authority = models.ForeignKey(
        Authority, verbose_name="受理机关", on_delete=models.PROTECT, related_name="filing_cases"
    )
    category = models.CharField("类别", max_length=1, choices=Category.choices)
    state = models.CharField(
        "状态", max_length=20, choices=FilingState.choices, default=FilingState.DRAFT, db_index=True
    )
    # the 附件1 fields; the contact phone sealed at rest (SM4)
    basic = SealedKeysJSONField("基本信息", default=dict, sealed_keys=("contact_phone",))
    record = models.JSONField("培训评价经历", default=dict)
    narrative = models.JSONField("组织优势等说明", default=dict)  # 附件1 三、四、五
    industry = models.CharField("所属行业系统（省直渠道）", max_length=100, blank=True)
    recommended_by = models.CharField("推荐单位", max_length=100, blank=True)
    already_filed = models.BooleanField("已备案开展认定的企业或技工院校", default=False)
    same_scope = models.BooleanField("申请职业及等级与已开展认定的相同", default=False)
    pledge_signed = models.BooleanField("已签署承诺", default=False)
    priority_standards = models.BooleanField("参与标准、题库、教材编制", default=False)
    priority_appraisal_station = models.BooleanField("设有鉴定所（站）满3年", default=False)
    priority_self_certification = models.BooleanField("已备案开展自主认定", default=False)
    submitted_on = models.DateField("提交日期", null=True, blank=True)
    acceptance_due = models.DateField("受理反馈期限", null=True, blank=True, db_index=True)
    acceptance_due_estimated = models.BooleanField(default=False)
    overdue = models.BooleanField("受理超期", default=False)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    publicity_start = models.DateField("公示开始", null=True, blank=True)
    publicity_end = models.DateField("公示截止", null=True, blank=True, db_index=True)
    publicity_end_estimated = models.BooleanField(default=False)
    filed_on = models.DateField("备案日期", null=True, blank=True)
    decision_reason = models.TextField("不予受理/未遴选理由", blank=True)
    filing_number = models.CharField("备案号", max_length=13, blank=True)
    # 办件编号 (domain.md §9), given at the first submission and kept for good.
    case_number = models.CharField("办件编号", max_length=24, blank=True, db_index=True)
    # 一次性告知: the items of the current 补正 request, [{"target", "message"}].
    correction_items = models.JSONField("补正事项", default=list, blank=True)
    correction_requested_on = models.DateField("告知补正日期", null=True, blank=True)
    withdrawn_on = models.DateField("撤回日期", null=True, blank=True)
    # What the filing granted, as of its date (the receipt shows these, not later changes).
    filed_scope = models.CharField("备案时范围", max_length=16, blank=True)
    filed_valid_until = models.DateField("备案时有效期至", null=True, blank=True)
    filed_pilot_until = models.DateField("备案时试点期至", null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "备案申请"
        verbose_name_plural = "备案申请"
        constraints = [
            # The counter gives each number once; this is the last guard (conventions).
            models.UniqueConstraint(
                fields=["case_number"],
                condition=~models.Q(case_number=""),
                name="filing_case_number_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} {self.organization_id}"

    # What the pages show, asked of the workflow (never a state compared in a template).
    @property
    def is_draft(self) -> bool:
        return self.state in FILING.transition("submit").sources

    @property
    def is_filed(self) -> bool:
        return self.state in FILING.transition("file").targets

    @property
    def ended(self) -> bool:
        return FILING.is_final(self.state)

    @property
    def refused(self) -> bool:
        return is_refused(self)


class FilingOccupation(models.Model):
    """A row of 附件1's occupations table."""

    case = models.ForeignKey(FilingCase, on_delete=models.CASCADE, related_name="occupations")
    name = models.CharField("职业（工种）名称", max_length=100)
    code = models.CharField("职业编码", max_length=16)
    edition = models.CharField("大典版本", max_length=8, default="2022")
    work_type = models.CharField("工种", max_length=100, blank=True)
    new_occupation = models.BooleanField("是否新职业", default=False)
    years = models.PositiveIntegerField("培训评价经历时间（年）", default=0)
    persons = models.PositiveIntegerField("已培训评价人数", default=0)
    subsidised = models.BooleanField("开展补贴性培训", default=False)
    levels = models.JSONField("评价等级范围", default=list)
    experience_level = models.PositiveSmallIntegerField(
        "已有评价经历最高等级", null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "申请职业（工种）"

    def __str__(self) -> str:
        return f"{self.name} {self.code}"


class FilingMaterial(models.Model):
    case = models.ForeignKey(FilingCase, on_delete=models.CASCADE, related_name="materials")
    type = models.CharField("材料类型", max_length=16)
    original_name = models.CharField("文件名", max_length=200)
    stored_name = models.CharField(max_length=200)  # a name in the file storage, never shown
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=clock.now, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["type", "-uploaded_at"]
        verbose_name = "备案材料"

    def __str__(self) -> str:
        return f"{self.type}: {self.original_name}"


class EvaluationMethod(models.TextChoices):
    REPORT = "report", "听取报告"
    INTERVIEW = "interview", "访谈咨询"
    DEFENCE = "defence", "质询答辩"
    DOCUMENT_REVIEW = "document_review", "资料审核"
    TECHNICAL_CHECK = "technical_check", "技术核查"


class Evaluation(models.Model):
    """A technical evaluation (技术评估) step of an accepted case."""

    case = models.ForeignKey(FilingCase, on_delete=models.CASCADE, related_name="evaluations")
    method = models.CharField("方式", max_length=20, choices=EvaluationMethod.choices)
    evaluators = models.CharField("评估人员", max_length=200)
    date = models.DateField("日期")
    opinion = models.TextField("意见")
    score = models.DecimalField("评分", max_digits=5, decimal_places=1, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = "技术评估"

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.date}"


class Objection(models.Model):
    """An objection lodged during a publicity (公示期异议): to a filing case's publicity (三 (二))
    or to a batch's result publicity (五 (三)). Exactly one of ``filing`` and ``batch`` is set.

    ``batch`` names its model by string: registry sits below assessment and never imports it.
    """

    filing = models.ForeignKey(
        FilingCase, null=True, blank=True, on_delete=models.CASCADE, related_name="objections"
    )
    batch = models.ForeignKey(
        "assessment.Batch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objections",
    )
    content = models.TextField("异议内容")
    contact = SealedCharField("联系方式", max_length=100, mask="hidden")  # name and phone: SM4
    # 办件编号 (YY-…): the objector's reference; with ``code`` (kept only as a hash) anyone
    # holding both may follow the objection on the public page.
    case_number = models.CharField("办件编号", max_length=24, blank=True, db_index=True)
    code_hash = models.CharField(max_length=128, blank=True)
    lodged_at = models.DateTimeField(default=clock.now, editable=False)
    state = models.CharField(
        "状态", max_length=16, choices=ObjectionState.choices, default=ObjectionState.OPEN
    )
    resolution = models.TextField("处理意见", blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["lodged_at"]
        verbose_name = "异议"
        verbose_name_plural = "异议"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(filing__isnull=False, batch__isnull=True)
                    | models.Q(filing__isnull=True, batch__isnull=False)
                ),
                name="objection_has_one_subject",
                violation_error_message="异议须且只能针对一个备案申请或一个认定批次",
            ),
            models.UniqueConstraint(
                fields=["case_number"],
                condition=~models.Q(case_number=""),
                name="objection_case_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"异议 #{self.pk}"

    @property
    def is_open(self) -> bool:
        """Awaiting its resolution (the workflow has not ended)."""
        return not OBJECTION.is_final(self.state)

    @property
    def kind(self) -> str:
        """What it objects to: ``"filing"`` or ``"batch"``."""
        return "filing" if self.filing_id is not None else "batch"

    @property
    def subject(self) -> models.Model:
        """The filing case or the batch it objects to (its workflow: ``machine_for``)."""
        subject = self.filing if self.filing_id is not None else self.batch
        assert subject is not None, "an objection has one subject (the check constraint)"
        return subject


class NoticeKind(models.TextChoices):
    FILING_PUBLICITY = "filing_publicity", "评价组织备案公示"
    EXIT = "exit", "评价组织退出公告"
    MERGER = "merger", "评价组织合并公告"
    RESULT_PUBLICITY = "result_publicity", "认定结果公示"
    # 三 (三): the ministry's appraisal center confirmed a filing (评估确认的最终结果向社会发布).
    FILING_CONFIRMED = "filing_confirmed", "备案评估确认公告"


class Notice(models.Model):
    """A public notice (公示公告): publicity with its period, or an announcement."""

    kind = models.CharField("类型", max_length=20, choices=NoticeKind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="notices")
    filing = models.ForeignKey(
        FilingCase, null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)  # e.g. a batch (issue 4)
    starts_on = models.DateField("发布日期", db_index=True)
    ends_on = models.DateField("公示截止", null=True, blank=True)
    published_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = "公示公告"
        verbose_name_plural = "公示公告"

    def __str__(self) -> str:
        return self.title

    @property
    def lists_names(self) -> bool:
        """A result publicity: its text lists people (names, masked ID numbers)."""
        return self.kind == NoticeKind.RESULT_PUBLICITY

    def public_body(self, today: dt.date) -> str:
        """The text anyone may read on ``today``: a result publicity's list of names only while
        the publicity runs; afterwards its dates and counts only (domain.md §11), even before
        the job that removes the list from the stored text has run."""
        if self.lists_names and publicity_over(self.ends_on, today):
            return without_name_list(self.body)
        return self.body
