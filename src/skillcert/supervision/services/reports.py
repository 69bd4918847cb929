"""Annual reports (年度报告), violations and exit (评估、退出)."""

from __future__ import annotations

from collections import Counter
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet

from skillcert.accounts.actors import acting_user
from skillcert.assessment.models import Batch, Candidate
from skillcert.assessment.models import Inspection as SpotCheck
from skillcert.assessment.selectors import with_filed_plan
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.certificates.models import Certificate, CertificateStatus
from skillcert.registry.access import decides_for_organization
from skillcert.registry.models import LISTED_STATUSES, Objection, Organization
from skillcert.registry.services.organizations import revoke_organization
from skillcert.rules import clock
from skillcert.rules.errors import Conflict, Forbidden, InvalidInput
from skillcert.rules.inputs import Body
from skillcert.rules.levels import level_name
from skillcert.rules.workflow import Refusal
from skillcert.supervision.inputs import AnnualReportRequest, ViolationRequest
from skillcert.supervision.machines import ANNUAL_REPORT_MACHINE, check_in_words, due_report
from skillcert.supervision.models import (
    AnnualReport,
    AnnualReportState,
    Inspection,
    InspectionState,
    Violation,
    ViolationKind,
)
from skillcert.supervision.workflow import report_due as report_due  # read here by pages, API


def counted_batches(organization: Organization, year: int) -> QuerySet[Batch]:
    """The year's batches of an annual report: plan filed, ``start_date`` in the year."""
    return with_filed_plan(Batch.objects.filter(organization=organization, start_date__year=year))


def report_statistics(organization: Organization, year: int) -> dict[str, Any]:
    """The year's figures from the records (never typed by the organization), as domain.md
    §8 counts them: batches with a filed plan starting in the year and their candidates;
    attended: those with results entered (scores recorded, not marked absent); passed;
    certificates issued in the year; certificates revoked in the year (by revocation date)."""
    batches = counted_batches(organization, year)
    candidates = Candidate.objects.filter(batch__in=batches)
    certificates = Certificate.objects.filter(
        organization=organization, issued_on__year=year
    ).exclude(status=CertificateStatus.SUPERSEDED)
    revoked = Certificate.objects.filter(
        organization=organization, status=CertificateStatus.REVOKED, revoked_on__year=year
    )
    by_occupation: Counter[str] = Counter()
    for name, level, count in certificates.values_list("occupation_name", "level").annotate(
        n=Count("pk")
    ):
        by_occupation[f"{name}·{level_name(level)}"] += count
    batch_ids = list(batches.values_list("pk", flat=True))
    return {
        "year": year,
        "batches": len(batch_ids),
        "candidates": candidates.count(),
        "attended": candidates.exclude(attended=False).exclude(scores={}).count(),
        "passed": candidates.filter(passed=True).count(),
        "certificates": certificates.count(),
        "certificates_revoked": revoked.count(),
        "certificates_by_occupation_and_level": dict(sorted(by_occupation.items())),
        # By the platform's dates (SKILLCERT_TODAY), not the machine's clock: the batch's year,
        # the publicity's year, the draw's date.
        "objections": Objection.objects.filter(batch_id__in=batch_ids).count()
        + Objection.objects.filter(
            filing__organization=organization, filing__publicity_start__year=year
        ).count(),
        "spot_checks": SpotCheck.objects.filter(batch__in=batches).count(),
        # By the draw's date; one its withdrawn plan ended never took place.
        "inspections": Inspection.objects.filter(
            organization=organization, draw__business_date__year=year
        )
        .exclude(state=InspectionState.ENDED)
        .count(),
    }


def file_annual_report(organization: Organization, data: object, *, actor: Actor) -> AnnualReport:
    """The organization files its report of a past or current year, once per year, for a
    year it was filed in and not after the year it exited (the ``ANNUAL_REPORT`` workflow)."""
    ANNUAL_REPORT_MACHINE.check_party(AnnualReport(organization=organization), ACTION, actor)
    body = Body(AnnualReportRequest, data)
    year = body.get("year")
    today = clock.today()
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= today.year:
        raise InvalidInput.for_field("year", f"年度应为 2000-{today.year} 的整数")
    narrative = body.get("narrative")
    narrative = narrative.strip() if isinstance(narrative, str) else ""
    if not narrative:
        raise InvalidInput.for_field("narrative", "请填写年度工作情况")
    if len(narrative) > 20000:
        raise InvalidInput.for_field("narrative", "年度工作情况不能超过 20000 个字符")
    already = Refusal("already_filed", f"{year} 年度报告已报送，不能重复报送")
    try:
        with transaction.atomic():
            filed = AnnualReport.objects.filter(organization=organization, year=year).first()
            report = filed or due_report(organization, year)
            check_in_words(
                ANNUAL_REPORT_MACHINE, report, ACTION, actor, {AnnualReportState.FILED: already}
            )
            report.narrative = narrative
            report.statistics = report_statistics(organization, year)
            report.filed_on = today
            report.late = today > report.due_on
            report.filed_by = acting_user(actor)
            report.save(force_insert=True)
            # The row is the state (no history row): it exists once the report is filed.
            audit.record(
                actor=actor,
                action=f"supervision.{ANNUAL_REPORT_MACHINE.audit_name(ACTION, report.state)}",
                obj=report,
                after={"year": year, "statistics": report.statistics, "late": report.late},
            )
    except IntegrityError:
        raise Conflict(already.message, code=already.code) from None
    return report


ACTION = "annual-reports"


def missing_reports(organizations: QuerySet[Organization], year: int) -> list[Organization]:
    """Filed organizations (of the given queryset) that have not filed the year's report."""
    filed = AnnualReport.objects.filter(year=year).values("organization")
    return list(
        organizations.filter(status__in=LISTED_STATUSES, filed_on__year__lte=year)
        .exclude(pk__in=filed)
        .order_by("name")
    )


def record_violation(organization: Organization, data: object, *, actor: Actor) -> Violation:
    """Record a violation; with ``exit`` the filing is revoked through the registry's exit
    path (number retired, catalog updated, public notice), in the same transaction."""
    if not decides_for_organization(actor, organization):
        raise Forbidden("只有备案机关或省人社厅可以记录违规并处理退出", code="forbidden")
    body = Body(ViolationRequest, data)
    kind = body.get("kind")
    if not kind:
        raise InvalidInput.for_field("kind", "请选择违规类型")
    if not isinstance(kind, str) or kind not in ViolationKind.values:
        allowed = "、".join(f"{k.value}（{k.label}）" for k in ViolationKind)
        raise InvalidInput.for_field("kind", f"违规类型应为 {allowed}")
    description = body.get("description")
    description = description.strip() if isinstance(description, str) else ""
    if not description:
        raise InvalidInput.for_field("description", "请填写违规情况")
    exit_now = body.get("exit", False)
    if not isinstance(exit_now, bool):
        raise InvalidInput.for_field("exit", "exit 应为 true 或 false")
    inspection = None
    if body.get("inspection") is not None:
        inspection = Inspection.objects.filter(
            pk=cast("int | str", body["inspection"]), organization=organization
        ).first()
        if inspection is None:
            raise InvalidInput.for_field("inspection", "未找到该组织的这次检查")
    with transaction.atomic():
        violation = Violation.objects.create(
            organization=organization,
            kind=kind,
            description=description,
            inspection=inspection,
            recorded_by=acting_user(actor),
            recorded_on=clock.today(),
            led_to_exit=exit_now,
        )
        audit.record(
            actor=actor,
            action="supervision.violation_recorded",
            obj=violation,
            after={"organization": organization.pk, "kind": kind, "exit": exit_now},
        )
        if exit_now:
            revoke_organization(organization, reason=description, category=kind, actor=actor)
    return violation
