"""Certificate numbers: serial segments (号段), counters, and the certificates themselves."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from skillcert.assessment.models import Batch, Candidate
from skillcert.keystore.fields import SealedCharField
from skillcert.registry.models import FilingCase, Organization
from skillcert.rules import clock


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
    allocated_at = models.DateTimeField(default=clock.now, editable=False)

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
    # One current certificate per candidate; a corrected one stays as history (superseded).
    candidate = models.ForeignKey(
        Candidate, null=True, on_delete=models.PROTECT, related_name="certificates"
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
    id_number = SealedCharField("证件号码", max_length=30, db_index=True)  # SM4 at rest
    work_unit = models.CharField("所在单位", max_length=100, blank=True)
    city = models.CharField("考生所在地市", max_length=2)
    occupation_code = models.CharField("职业编码", max_length=16)
    occupation_name = models.CharField("职业名称", max_length=100)
    work_type = models.CharField("工种", max_length=100, blank=True)
    organization_name = models.CharField("评价机构", max_length=200)
    filing_number = models.CharField("评价机构备案号", max_length=13)
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revocation_reason = models.TextField("撤销理由", blank=True)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name="更正后的证书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supersedes",
    )
    reissue_count = models.PositiveSmallIntegerField("补发次数", default=0)
    last_reissued_on = models.DateField("最近补发日期", null=True, blank=True)

    class Meta:
        ordering = ["number"]
        indexes = [
            # The lists' order (newest first), and the name search of the lists.
            models.Index(models.F("issued_on").desc(), "number", name="certificate_list_order"),
            models.Index(fields=["name"], name="certificate_name"),
            models.Index(fields=["issued_on", "status"], name="certificate_issued_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "level", "serial"], name="certificate_serial_unique"
            ),
            models.UniqueConstraint(
                fields=["candidate"],
                condition=~models.Q(status="superseded"),
                name="one_current_certificate_per_candidate",
            ),
        ]
        verbose_name = "职业技能等级证书"
        verbose_name_plural = "职业技能等级证书"

    def __str__(self) -> str:
        return self.number


class CertificateEventKind(models.TextChoices):
    ISSUED = "issued", "发证"
    REVOKED = "revoked", "撤销"
    REISSUED = "reissued", "补发"
    CORRECTED = "corrected", "更正"


class CertificateEvent(models.Model):
    """What happened to a certificate, in order (visible to the issuer and officers)."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事项", max_length=16, choices=CertificateEventKind.choices)
    on = models.DateField("日期")
    reason = models.TextField("原因", blank=True)
    actor = models.CharField("办理人", max_length=150)
    related = models.ForeignKey(
        Certificate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["pk"]  # append-only: insertion order (see rules.clock.now)

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.kind}"


class CandidatePhoto(models.Model):
    """A candidate's 2-inch photo (resized to 35 × 49 mm proportions, stored as JPEG)."""

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="photo")
    stored_name = models.CharField(max_length=200)  # a name in the file storage, never shown
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=clock.now, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "考生照片"

    def __str__(self) -> str:
        return f"photo of {self.candidate_id}"


class NationalExportKind(models.TextChoices):
    BATCH = "batch", "按批次"
    PERIOD = "period", "按时间段"
    CHANGES = "changes", "状态变更"


class NationalExportState(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class NationalExport(models.Model):
    """An outbox entry of the national query system: one 附件5 file, what it holds, and
    whether (and when, through which sender) it was sent. See ``certificates.national``."""

    kind = models.CharField("范围", max_length=8, choices=NationalExportKind.choices)
    # ``batch:42`` or ``period:2026-11-01:2026-11-30``: the same request twice is one entry.
    key = models.CharField("导出键", max_length=64, unique=True)
    batch = models.ForeignKey(
        Batch, null=True, blank=True, on_delete=models.PROTECT, related_name="national_exports"
    )
    period_from = models.DateField("发证日期自", null=True, blank=True)
    period_to = models.DateField("发证日期至", null=True, blank=True)
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    certificate_count = models.PositiveIntegerField("证书数")
    created_at = models.DateTimeField(default=clock.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_name = models.CharField("导出人", max_length=150)
    state = models.CharField(
        "状态",
        max_length=8,
        choices=NationalExportState.choices,
        default=NationalExportState.PENDING,
        db_index=True,
    )
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    sender = models.CharField("发送方式", max_length=200, blank=True)
    receipt = models.CharField("回执", max_length=200, blank=True)
    attempts = models.PositiveIntegerField("发送次数", default=0)
    last_error = models.TextField("最近错误", blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="batch",
                        batch__isnull=False,
                        period_from__isnull=True,
                        period_to__isnull=True,
                    )
                    | models.Q(
                        kind="period",
                        batch__isnull=True,
                        period_from__isnull=False,
                        period_to__isnull=False,
                        period_from__lte=models.F("period_to"),
                    )
                    | models.Q(
                        kind="changes",
                        batch__isnull=True,
                        period_from__isnull=True,
                        period_to__isnull=True,
                    )
                ),
                name="national_export_scope",
            )
        ]
        verbose_name = "全国联网查询上报"
        verbose_name_plural = "全国联网查询上报"

    def __str__(self) -> str:
        return self.key


class NationalChangeItem(models.Model):
    """A reported certificate's revocation or correction in a ``changes`` export: one-to-one on
    the certificate (both states are final), so no change is reported twice."""

    export = models.ForeignKey(
        NationalExport, on_delete=models.PROTECT, related_name="change_items"
    )
    certificate = models.OneToOneField(
        Certificate, on_delete=models.PROTECT, related_name="national_change"
    )

    def __str__(self) -> str:
        return f"{self.export_id}: {self.certificate_id}"


class NationalExportItem(models.Model):
    """A certificate in an export: one-to-one on the certificate, so none is reported twice."""

    export = models.ForeignKey(NationalExport, on_delete=models.PROTECT, related_name="items")
    certificate = models.OneToOneField(
        Certificate, on_delete=models.PROTECT, related_name="national_item"
    )

    def __str__(self) -> str:
        return f"{self.export_id}: {self.certificate_id}"


class SegmentRequestState(models.TextChoices):
    PENDING = "pending", "待分配"
    GRANTED = "granted", "已分配"
    REFUSED = "refused", "未予分配"


class SegmentRequest(models.Model):
    """An organization's request for serial segments of a year and level (号段申请): the
    provincial center grants it (allocating a segment) or refuses it with a reason."""

    case_number = models.CharField("办件编号", max_length=24, unique=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="segment_requests"
    )
    year = models.PositiveSmallIntegerField("年份")
    level = models.PositiveSmallIntegerField("等级")
    count = models.PositiveIntegerField("申请数量")
    reason = models.TextField("申请说明", blank=True)
    state = models.CharField(
        "状态",
        max_length=12,
        choices=SegmentRequestState.choices,
        default=SegmentRequestState.PENDING,
        db_index=True,
    )
    requested_on = models.DateField("申请日期")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_on = models.DateField("办结日期", null=True, blank=True)
    decision_reason = models.TextField("不予分配理由", blank=True)
    segment = models.OneToOneField(
        Segment, null=True, blank=True, on_delete=models.PROTECT, related_name="request"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["-pk"]
        verbose_name = "号段申请"
        verbose_name_plural = "号段申请"

    def __str__(self) -> str:
        return self.case_number


class SignedCredential(models.Model):
    """A certificate's electronic certificate as last signed (``credentials.credential_for``):
    kept under a fingerprint of its payload and signing kids, so it is signed once per status
    change or key rotation, not per request. A cache of public data, safe to empty."""

    number = models.CharField("证书编号", max_length=22, db_index=True)
    fingerprint = models.CharField("内容与密钥指纹", max_length=64, unique=True)
    token = models.TextField("电子证书")
    signed_at = models.DateTimeField("签名时间", default=clock.now, editable=False)

    class Meta:
        verbose_name = "已签名电子证书"
        verbose_name_plural = "已签名电子证书"

    def __str__(self) -> str:
        return self.number


class FilingReportKind(models.TextChoices):
    """What a filing report tells the ministry's appraisal center (报部鉴定中心评估确认)."""

    INITIAL = "initial", "备案"
    SCOPE_CHANGE = "scope_change", "变更"
    RENEWAL = "renewal", "延续"
    CROSS_CITY = "cross_city", "异地备案"
    PROVINCE_WIDE = "province_wide", "面向全省备案"
    REVOCATION = "revocation", "撤销"


class FilingReportState(models.TextChoices):
    PENDING = "pending", "待发送"
    FAILED = "failed", "发送失败"
    SENT = "sent", "已报部，待确认"
    CONFIRMED = "confirmed", "部鉴定中心已确认"
    RETURNED = "returned", "部鉴定中心退回"
    RESENT = "resent", "已更正重报"


class FilingReport(models.Model):
    """One report of a filing event (a filing case filed, an organization's filing revoked)
    to the ministry's appraisal center, and its answer. See ``certificates.national.filings``.

    ``subject`` names the event (``filing:12``, ``revocation:7:S340100000012``); ``round`` 1
    is the first report, each resend after a return the next: the database refuses a second
    report of the same event and round, so an event goes out once however often it is swept.
    """

    subject = models.CharField("报部事项", max_length=64)
    round = models.PositiveSmallIntegerField("报送次序", default=1)
    kind = models.CharField("类型", max_length=16, choices=FilingReportKind.choices)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="filing_reports"
    )
    filing = models.ForeignKey(
        FilingCase, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    # The authority whose officers filed (or revoked) and correct a returned report.
    authority = models.ForeignKey(
        "accounts.Authority", on_delete=models.PROTECT, related_name="filing_reports"
    )
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="resent_as"
    )
    payload = models.JSONField("报送内容", default=dict)
    note = models.TextField("更正说明", blank=True)
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    state = models.CharField(
        "状态",
        max_length=12,
        choices=FilingReportState.choices,
        default=FilingReportState.PENDING,
        db_index=True,
    )
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    sender = models.CharField("发送方式", max_length=200, blank=True)
    receipt = models.CharField("回执", max_length=200, blank=True)
    attempts = models.PositiveIntegerField("发送次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    answered_on = models.DateField("部鉴定中心答复日期", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField("退回理由", blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "round"], name="filing_report_once"),
        ]
        verbose_name = "备案报部"
        verbose_name_plural = "备案报部"

    def __str__(self) -> str:
        return f"{self.subject}#{self.round}"
