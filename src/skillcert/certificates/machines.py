"""The certificates' workflows bound to their models."""

from __future__ import annotations

from django.db.models import QuerySet

from skillcert.accounts.actors import is_signed_in
from skillcert.accounts.roles import Role
from skillcert.audit.service import Actor
from skillcert.certificates.access import is_issuer, oversees, segment_requests_for
from skillcert.certificates.models import (
    Certificate,
    FilingReport,
    NationalExport,
    SegmentRequest,
)
from skillcert.certificates.workflow import (
    CERTIFICATE,
    FILING_REPORT,
    NATIONAL_EXPORT,
    SEGMENT_REQUEST,
    CertificateParty,
    FilingReportParty,
    NationalExportParty,
    SegmentParty,
)
from skillcert.registry.access import organization_of
from skillcert.registry.models import LISTED_STATUSES
from skillcert.rules.levels import level_name
from skillcert.rules.workflow import Refusal
from skillcert.workflow.machine import Machine


def _segment_request_parties(user: Actor | None, request: SegmentRequest) -> set[str]:
    parties: set[str] = set()
    own = organization_of(user)
    if own is not None and own.pk == request.organization_id:
        parties.add(SegmentParty.REQUESTER)
    if getattr(user, "role", None) == Role.PROVINCE_CENTER:
        parties.add(SegmentParty.CENTER)
    return parties


SEGMENT_REQUEST_MACHINE: Machine[SegmentRequest] = Machine(
    SEGMENT_REQUEST,
    SegmentRequest,
    audit_prefix="certificates.segment_request",
    parties=_segment_request_parties,
    roles=lambda party, request: (
        "organization" if party == SegmentParty.REQUESTER else Role.PROVINCE_CENTER
    ),
    related=("organization",),
    worklist=lambda user: segment_requests_for(user).filter(
        state__in=SEGMENT_REQUEST.waiting_states
    ),
    title=lambda request: (
        f"{request.organization.name} {request.year} 年"
        f"{level_name(request.level)}号段申请（{request.case_number}）"
    ),
)


# --- certificates ---------------------------------------------------------------------------


def _certificate_parties(user: Actor | None, certificate: Certificate) -> set[str]:
    parties: set[str] = set()
    if is_issuer(user, certificate):
        parties.add(CertificateParty.ISSUER)
    if oversees(user, certificate):
        parties.add(CertificateParty.OFFICER)
    return parties


def _certificate_role(party: str, certificate: Certificate) -> str:
    if party == CertificateParty.ISSUER:
        return "organization"
    authority = certificate.organization.filing_authority
    return Role.PROVINCE_DEPT if authority is None or authority.is_province else Role.CITY_BUREAU


def _issuer_may_certify(certificate: Certificate) -> Refusal | None:
    """A correction numbers a new certificate: only an organization that may certify."""
    if certificate.organization.status in LISTED_STATUSES:
        return None
    return Refusal("cannot_certify", "评价组织当前不能发证，无法更正证书")


CERTIFICATE_MACHINE: Machine[Certificate] = Machine(
    CERTIFICATE,
    Certificate,
    audit_prefix="certificates",
    parties=_certificate_parties,
    roles=_certificate_role,
    guards={"issuer_may_certify": _issuer_may_certify},
    related=("organization",),
    state_field="status",
    audit_names={
        "revoke": "certificate_revoked",
        "reissue": "certificate_reissued",
        "correct": "certificate_corrected",
    },
)


# --- national exports -----------------------------------------------------------------------

# The roles that report any scope (a city center reports its city's batches), as
# ``national.exports_for`` lists them.
_PROVINCE_REPORTERS = frozenset({Role.PROVINCE_DEPT, Role.PROVINCE_CENTER})


def _national_export_parties(user: Actor | None, export: NationalExport) -> set[str]:
    if not is_signed_in(user):
        return set()
    reports = user.role in _PROVINCE_REPORTERS or (
        user.role == Role.CITY_CENTER
        and user.authority_id is not None
        and export.batch is not None  # read only here: one query unless selected
        and export.batch.site_city_id == user.authority_id
    )
    return {NationalExportParty.REPORTER} if reports else set()


def _national_export_role(party: str, export: NationalExport) -> str:
    """Whoever prepared the export sends it (a city center its city's batch); the provincial
    center one made on the command line."""
    creator = export.created_by if export.created_by_id else None
    role = getattr(creator, "role", None)
    if role in _PROVINCE_REPORTERS or role == Role.CITY_CENTER:
        return str(role)
    return Role.PROVINCE_CENTER


def _unsent_exports(user: Actor) -> QuerySet[NationalExport]:
    from skillcert.certificates.national import exports_for  # national binds this machine

    return exports_for(user).filter(state__in=NATIONAL_EXPORT.waiting_states)


def _export_title(export: NationalExport) -> str:
    batch = export.batch
    if batch is not None:
        scope = batch.title
    elif export.period_from:
        scope = f"发证日期 {export.period_from} 至 {export.period_to}"
    else:
        scope = "证书状态变更"
    return f"全国联网上报 #{export.pk}（{scope}）"


NATIONAL_EXPORT_MACHINE: Machine[NationalExport] = Machine(
    NATIONAL_EXPORT,
    NationalExport,
    audit_prefix="certificates",
    parties=_national_export_parties,
    roles=_national_export_role,
    related=("batch",),
    audit_names={
        "send:sent": "national_export_sent",
        "send:failed": "national_export_send_failed",
    },
    worklist=_unsent_exports,
    title=_export_title,
)


# --- filing reports to the ministry's appraisal center --------------------------------------


def _filing_report_parties(user: Actor | None, report: FilingReport) -> set[str]:
    if not is_signed_in(user):
        return set()
    parties: set[str] = set()
    if user.role == Role.PROVINCE_CENTER:
        parties.add(FilingReportParty.CENTER)
    if user.role == _filing_report_reviewer(report):
        if report.authority.is_province or user.authority_id == report.authority_id:
            parties.add(FilingReportParty.REVIEWER)
    return parties


def _filing_report_reviewer(report: FilingReport) -> str:
    """The role that filed (or revoked) and corrects: the province department for its own
    filings, else the city's bureau."""
    return Role.PROVINCE_DEPT if report.authority.is_province else Role.CITY_BUREAU


def _filing_report_role(party: str, report: FilingReport) -> str:
    if party == FilingReportParty.CENTER:
        return Role.PROVINCE_CENTER
    return _filing_report_reviewer(report)


def _waiting_filing_reports(user: Actor) -> QuerySet[FilingReport]:
    from skillcert.certificates.national.filings import reports_for  # binds this machine

    return reports_for(user).filter(state__in=FILING_REPORT.waiting_states)


def _filing_report_title(report: FilingReport) -> str:
    from skillcert.certificates.national.filings import title_of

    return title_of(report)


FILING_REPORT_MACHINE: Machine[FilingReport] = Machine(
    FILING_REPORT,
    FilingReport,
    audit_prefix="certificates.filing_report",
    parties=_filing_report_parties,
    roles=_filing_report_role,
    related=("organization", "authority"),
    worklist=_waiting_filing_reports,
    title=_filing_report_title,
)
