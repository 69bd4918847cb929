"""The certificates' workflows, declared once as data (see ``rules.workflow``)."""

from __future__ import annotations

from enum import StrEnum

from skillcert.certificates.models import (
    CertificateStatus,
    FilingReportState,
    NationalExportState,
    SegmentRequestState,
)
from skillcert.rules.workflow import SYSTEM, Wait, Workflow, t


class SegmentParty(StrEnum):
    REQUESTER = "organization"  # the requesting organization
    CENTER = "center"  # the provincial appraisal center (省鉴定中心)


SR = SegmentRequestState
SEGMENT_REQUEST = Workflow(
    name="segment_request",
    noun="号段申请",
    states=dict(SegmentRequestState.choices),
    final=frozenset({SR.GRANTED, SR.REFUSED}),
    transitions=(
        t("grant", {SR.PENDING}, SR.GRANTED, {SegmentParty.CENTER}, "分配号段"),
        t("refuse", {SR.PENDING}, SR.REFUSED, {SegmentParty.CENTER}, "不予分配"),
    ),
    waits={SR.PENDING: Wait(SegmentParty.CENTER, "grant")},
)


class CertificateParty(StrEnum):
    ISSUER = "issuer"  # the issuing organization's users
    OFFICER = "officer"  # an officer over the issuer: its city's bureau or center, the province


CS = CertificateStatus
CERTIFICATE = Workflow(
    name="certificate",
    noun="证书",
    states=dict(CertificateStatus.choices),
    final=frozenset({CS.REVOKED, CS.SUPERSEDED}),
    transitions=(
        t(
            "revoke",
            {CS.VALID},
            CS.REVOKED,
            {CertificateParty.ISSUER, CertificateParty.OFFICER},
            "撤销证书",
        ),
        # 补发: a lost certificate printed again, same number; the state stays.
        t("reissue", {CS.VALID}, None, {CertificateParty.ISSUER}, "补发证书"),
        # 更正: a new certificate with a new number replaces this one.
        t(
            "correct",
            {CS.VALID},
            CS.SUPERSEDED,
            {CertificateParty.ISSUER},
            "更正证书",
            guards=["issuer_may_certify"],
        ),
    ),
    # A valid certificate waits for nobody: ``next`` is null in every state.
)


class NationalExportParty(StrEnum):
    # Who may report the export's scope: the province department and center; a city center
    # for the batches held in its city. The command line acts as ``SYSTEM``.
    REPORTER = "reporter"


NE = NationalExportState
NATIONAL_EXPORT = Workflow(
    name="national_export",
    noun="上报",
    states=dict(NationalExportState.choices),
    final=frozenset({NE.SENT}),
    transitions=(
        # The sender decides the outcome; a failed send may be retried.
        t(
            "send",
            {NE.PENDING, NE.FAILED},
            (NE.SENT, NE.FAILED),
            {NationalExportParty.REPORTER, SYSTEM},
            "发送",
        ),
    ),
    waits={
        NE.PENDING: Wait(NationalExportParty.REPORTER, "send"),
        NE.FAILED: Wait(NationalExportParty.REPORTER, "send"),
    },
)


class FilingReportParty(StrEnum):
    # The provincial appraisal center (省鉴定中心): the ministry's appraisal center's
    # counterpart in the province; it records the center's answers and retries a send.
    CENTER = "center"
    # The officers of the authority that filed or revoked (a city's bureau; the province
    # department for its own filings): they correct a returned report and send it again.
    REVIEWER = "reviewer"


FR = FilingReportState
FILING_REPORT = Workflow(
    name="filing_report",
    noun="备案报部",
    states=dict(FilingReportState.choices),
    final=frozenset({FR.CONFIRMED, FR.RESENT}),
    transitions=(
        # Sent by a job after the filing commits; the sender decides the outcome.
        t(
            "send",
            {FR.PENDING, FR.FAILED},
            (FR.SENT, FR.FAILED),
            {FilingReportParty.CENTER, SYSTEM},
            "发送",
        ),
        t("confirm", {FR.SENT}, FR.CONFIRMED, {FilingReportParty.CENTER}, "登记确认"),
        t("return", {FR.SENT}, FR.RETURNED, {FilingReportParty.CENTER}, "登记退回"),
        # A returned report is corrected and goes out again as a new report (the next round).
        t("resend", {FR.RETURNED}, FR.RESENT, {FilingReportParty.REVIEWER}, "更正后重新报部"),
    ),
    waits={
        FR.FAILED: Wait(FilingReportParty.CENTER, "send"),
        FR.SENT: Wait(FilingReportParty.CENTER, "confirm"),
        FR.RETURNED: Wait(FilingReportParty.REVIEWER, "resend"),
    },
)
