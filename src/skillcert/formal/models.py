"""Formal documents (文书, domain.md §9): each with a 文号 per authority and year, the
authority's seal and a QR code to its public verification page."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from skillcert.accounts.models import Authority
from skillcert.rules import clock


class DocumentKind(models.TextChoices):
    ACCEPTANCE = "acceptance", "受理通知书"
    NON_ACCEPTANCE = "non_acceptance", "不予受理通知书"
    CORRECTION = "correction", "补正告知书"
    FILING_RECEIPT = "filing_receipt", "备案回执"
    REVOCATION = "revocation", "撤销备案决定书"
    PLAN_RETURN = "plan_return", "计划退回通知"
    RESULTS_RETURN = "results_return", "结果退回通知"


class DocumentStatus(models.TextChoices):
    VALID = "valid", "有效"
    REVOKED = "revoked", "已撤销"  # withdrawn by its authority's decision
    EXPIRED = "expired", "已失效"  # what it records has lapsed (a filing expired or merged away)


class SealState(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    REJECTED = "rejected", "未通过"


class AuthoritySeal(models.Model):
    """An authority's seal image (公章). A city's is uploaded by its bureau and confirmed by the
    province department; the province's is uploaded by one province department officer and
    confirmed by another (``formal.seals``). Only a confirmed seal is printed."""

    authority = models.ForeignKey(
        Authority, verbose_name="机关", on_delete=models.PROTECT, related_name="seals"
    )
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
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = "机关印章"
        verbose_name_plural = "机关印章"

    def __str__(self) -> str:
        return f"seal {self.pk} of authority {self.authority_id}"


class DocumentCounter(models.Model):
    """The last 文号 serial per authority and year; locked while numbering, never reused."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authority", "year"], name="document_counter_unique")
        ]
        verbose_name = "文号计数器"

    def __str__(self) -> str:
        return f"{self.authority_id}-{self.year}: {self.last_serial}"


class FormalDocument(models.Model):
    """One issued document. ``code`` is what its QR code carries (unguessable)."""

    code = models.CharField("核验码", max_length=32, unique=True)
    kind = models.CharField("文书类型", max_length=20, choices=DocumentKind.choices)
    number = models.CharField("文号", max_length=40, unique=True)
    year = models.PositiveSmallIntegerField()
    serial = models.PositiveIntegerField()
    authority = models.ForeignKey(
        Authority, verbose_name="发文机关", on_delete=models.PROTECT, related_name="documents"
    )
    recipient = models.CharField("送达对象", max_length=200)
    # What it was issued on: "filing:12", "batch:3" (``object`` of the documents API).
    subject = models.CharField("对象", max_length=48, db_index=True)
    title = models.CharField("标题", max_length=200)
    # The text as issued: a list of paragraphs (items of a 补正告知书 are paragraphs too).
    body = models.JSONField("正文", default=list)
    issued_on = models.DateField("发文日期")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The seal confirmed when it was issued (None: none was; the PDF then prints the
    # authority's seal confirmed since, or says the seal is still to be confirmed).
    seal = models.ForeignKey(
        AuthoritySeal, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.VALID
    )
    status_note = models.CharField("状态说明", max_length=200, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = "文书"
        verbose_name_plural = "文书"

    def __str__(self) -> str:
        return self.number
