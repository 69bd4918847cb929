"""The supervision workflows bound to their models: inspections, rectifications, annual reports.

Who is which party comes from ``supervision.access`` and ``registry.access``; services apply
every change through these machines, and pages and the API ask them what to offer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from skillcert.accounts.actors import is_signed_in
from skillcert.accounts.roles import Role
from skillcert.audit.service import Actor
from skillcert.registry.access import organization_of
from skillcert.registry.models import Organization
from skillcert.rules import clock
from skillcert.rules.errors import Conflict
from skillcert.rules.workflow import Refusal, Transition
from skillcert.supervision.access import DRAWING_ROLES, inspections_for, may_publish
from skillcert.supervision.models import AnnualReport, Inspection, Rectification
from skillcert.supervision.workflow import (
    ANNUAL_REPORT,
    INSPECTION,
    RECTIFICATION,
    SupervisionParty,
    report_due,
)
from skillcert.workflow.machine import M, Machine

P = SupervisionParty


def check_in_words(
    machine: Machine[M],
    obj: M,
    action: str,
    actor: Actor,
    refusals: Mapping[str, Refusal],
) -> Transition:
    """``machine.check``, with the service's own words for the states it refuses in (403 for
    the wrong party still comes first)."""
    machine.check_party(obj, action, actor)
    refusal = refusals.get(machine.state(obj))
    if refusal is not None:
        raise Conflict(refusal.message, code=refusal.code)
    return machine.check(obj, action, actor)


def officer_role(inspection: Inspection) -> str:
    """The role ``next`` names for the officers: whoever drew the inspection follows it up
    (a city bureau or center, the province's), else the authority's deciding office."""
    draw = inspection.draw
    role = getattr(getattr(draw, "drawn_by", None), "role", None)
    if role in DRAWING_ROLES:
        return str(role)
    return Role.PROVINCE_DEPT if inspection.authority.is_province else Role.CITY_BUREAU


def _is_inspected(user: Actor | None, inspection: Inspection) -> bool:
    own = organization_of(user)
    return own is not None and own.pk == inspection.organization_id


# --- inspections ----------------------------------------------------------------------------


def _inspection_parties(user: Actor | None, inspection: Inspection) -> set[str]:
    parties: set[str] = set()
    # Through ``all()``: lists prefetch the inspectors.
    if (
        is_signed_in(user)
        and user.role == Role.INSPECTOR
        and user.pk in {member.pk for member in inspection.inspectors.all()}
    ):
        parties.add(P.INSPECTOR)
    if may_publish(user, inspection):
        parties.add(P.OFFICER)
    return parties


def _inspection_role(party: str, inspection: Inspection) -> str:
    return Role.INSPECTOR if party == P.INSPECTOR else officer_role(inspection)


def _not_started(inspection: Inspection) -> Refusal | None:
    """An inspection with findings took place: it is concluded, not ended with its plan."""
    if inspection.findings.exists():
        return Refusal("inspection_started", "督查员已记录检查情况，应作出检查结论，不能终止")
    return None


def _has_findings(inspection: Inspection) -> Refusal | None:
    if inspection.findings.exists():
        return None
    return Refusal("no_findings", "尚未记录检查情况，不能作出结论")


def _inspection_title(inspection: Inspection) -> str:
    batch = inspection.batch  # None without a query when an organization is inspected
    subject = batch.title if batch is not None else inspection.organization.name
    return f"监督检查 #{inspection.pk}（{subject}）"


INSPECTION_MACHINE: Machine[Inspection] = Machine(
    INSPECTION,
    Inspection,
    audit_prefix="supervision",
    parties=_inspection_parties,
    roles=_inspection_role,
    guards={"has_findings": _has_findings, "not_started": _not_started},
    related=("organization", "authority", "draw__drawn_by"),
    audit_names={
        "conclude": "inspection_concluded",
        "publish": "inspection_published",
        "end": "inspection_ended",
    },
    worklist=lambda user: (
        inspections_for(user)
        .filter(state__in=INSPECTION.waiting_states)
        .select_related("organization", "authority", "batch", "draw__drawn_by")
        .distinct()
    ),
    title=_inspection_title,
)


# --- rectifications -------------------------------------------------------------------------


def _rectification_parties(user: Actor | None, rectification: Rectification) -> set[str]:
    inspection = rectification.inspection
    parties: set[str] = set()
    if _is_inspected(user, inspection):
        parties.add(P.ORGANIZATION)
    if may_publish(user, inspection):
        parties.add(P.OFFICER)
    return parties


def _rectification_role(party: str, rectification: Rectification) -> str:
    if party == P.ORGANIZATION:
        return "organization"
    return officer_role(rectification.inspection)


def _rectifications_waiting(user: Actor) -> QuerySet[Rectification]:
    return Rectification.objects.filter(
        inspection__in=inspections_for(user), state__in=RECTIFICATION.waiting_states
    ).select_related(
        "inspection__organization",
        "inspection__authority",
        "inspection__batch",
        "inspection__draw__drawn_by",
    )


RECTIFICATION_MACHINE: Machine[Rectification] = Machine(
    RECTIFICATION,
    Rectification,
    audit_prefix="supervision",
    parties=_rectification_parties,
    roles=_rectification_role,
    related=("inspection", "inspection__organization", "inspection__authority"),
    audit_names={
        "rectification": "rectification_reported",
        "rectification-review": "rectification_reviewed",
    },
    worklist=_rectifications_waiting,
    title=lambda rectification: f"限期整改（{_inspection_title(rectification.inspection)}）",
)


# --- annual reports -------------------------------------------------------------------------


def _report_parties(user: Actor | None, report: AnnualReport) -> set[str]:
    own = organization_of(user)
    if own is not None and own.pk == report.organization_id:
        return {P.ORGANIZATION}
    return set()


def _filed_that_year(report: AnnualReport) -> Refusal | None:
    filed_on = report.organization.filed_on
    if filed_on is not None and filed_on.year <= report.year:
        return None
    return Refusal(
        "not_filed_that_year",
        f"本机构 {report.year} 年尚未备案，无需报送 {report.year} 年度报告",
    )


def _not_after_exit(report: AnnualReport) -> Refusal | None:
    exited_on = report.organization.exited_on
    if exited_on is None or report.year <= exited_on.year:
        return None
    return Refusal(
        "exited",
        f"本机构已于 {exited_on.year}年{exited_on.month}月{exited_on.day}日退出，"
        f"无需报送 {report.year} 年度报告",
    )


def due_report(organization: Organization, year: int) -> AnnualReport:
    """The year's report as the workflow sees it before it is filed (unsaved: ``due``)."""
    return AnnualReport(organization=organization, year=year, due_on=report_due(year))


def _reports_due(user: Actor) -> list[dict[str, Any]]:
    """The organization's reports owed and not filed: from January 1 of the next year until
    filed, for the years it was filed in and none after the year it exited."""
    organization = organization_of(user)
    if organization is None or organization.filed_on is None:
        return []
    last = clock.today().year - 1
    if organization.exited_on is not None:
        last = min(last, organization.exited_on.year)
    filed = set(organization.annual_reports.values_list("year", flat=True))
    items = []
    for year in range(organization.filed_on.year, last + 1):
        if year in filed:
            continue
        item = ANNUAL_REPORT_MACHINE.work_item(due_report(organization, year), user)
        if item is not None:
            items.append({**item, "id": organization.pk})
    return items


ANNUAL_REPORT_MACHINE: Machine[AnnualReport] = Machine(
    ANNUAL_REPORT,
    AnnualReport,
    audit_prefix="supervision",
    parties=_report_parties,
    roles=lambda party, report: "organization",
    guards={"filed_that_year": _filed_that_year, "not_after_exit": _not_after_exit},
    related=("organization",),
    audit_names={"annual-reports": "annual_report_filed"},
    # A report row exists only once filed (final): what is due comes from ``duties``.
    worklist=lambda user: AnnualReport.objects.none(),
    title=lambda report: f"{report.year} 年度报告",
    duties=_reports_due,
)
