"""Batches for tests: a filed organization, a plan, and the walk to each state."""

from __future__ import annotations

from typing import Any

from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.assessment.models import Batch
from skillcert.assessment.services import plans, results
from skillcert.certificates.services.segments import allocate_segment
from skillcert.ops.samples import sample_batch
from skillcert.registry.models import Organization
from tests.registry.factories import filed_case

START = "2026-11-02"  # a Monday; the plan is due by 2026-10-19
PLAN_DAY = "2026-10-12"


def filed_organization(org_user: Any, bureau: Any, today: Any) -> Organization:
    organization = org_user.membership.organization
    filed_case(organization, org_user, bureau, today)
    organization.refresh_from_db()
    return organization


def scores_for(batch: Batch, *, failing: int = 1) -> dict[str, Any]:
    """Everyone passes except the first ``failing`` candidates (操作技能 below 60)."""
    entries = []
    for index, candidate in enumerate(batch.candidates.order_by("position")):
        practical = 45 if index < failing else 82.5
        entries.append(
            {"id_number": candidate.id_number, "scores": {"理论知识": 75, "操作技能": practical}}
        )
    return {"results": entries}


def batch_in(state: str, organization: Organization, user: Any, today: Any, **plan: Any) -> Batch:
    """A batch walked through the services up to ``state`` (plan_filed … results_filed)."""
    today(PLAN_DAY)
    body = sample_batch(START, **plan)
    batch = plans.create_batch(organization, body, actor=user)
    if state == "draft":
        return batch
    plans.submit_plan(batch, actor=user)
    if state == "plan_filed":
        return _fresh(batch)
    today("2026-11-03")
    results.enter_results(batch, scores_for(batch), actor=user)
    if state == "results_entered":
        return _fresh(batch)
    today("2026-11-04")
    results.publicize_results(batch, actor=user)
    if state == "in_publicity":
        return _fresh(batch)
    today("2026-11-11")  # the day after the publicity: time closes it when the batch is read
    closed = BATCH_MACHINE.catch_up(_fresh(batch))
    assert closed.state == "publicity_closed", closed.state
    if state == "publicity_closed":
        return _fresh(batch)
    raise ValueError(f"use issue_batch for {state}")


def received_by_time() -> int:
    """What reading the batches now would record and nothing else: a plan or result filing
    the center left unanswered past its 3rd working day counts as received (domain.md §9).
    For worlds compared before and after a request, so a read finds them as time left them."""
    filed = Batch.objects.filter(state__in=["plan_filed", "results_filed"])
    return BATCH_MACHINE.catch_up_all(filed)


def segments_for(organization: Organization, province_center: Any, year: int = 2026) -> None:
    for level in (3, 4, 5):
        allocate_segment(
            {
                "organization": organization.pk,
                "year": year,
                "level": level,
                "first": 1,
                "last": 500,
            },
            actor=province_center,
        )


def _fresh(batch: Batch) -> Batch:
    return Batch.objects.select_related("organization", "site_city").get(pk=batch.pk)


def issued(organization: Organization, user: Any, province_center: Any, today: Any) -> Batch:
    """A batch numbered through ``issue_batch`` on 2026-11-11 (five certificates, one failure)."""
    from skillcert.certificates.services.issuing import issue_batch

    batch = batch_in("publicity_closed", organization, user, today)
    segments_for(organization, province_center)
    issue_batch(batch, actor=user)
    return _fresh(batch)
