"""The batch workflow bound to its model."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.urls import reverse

from skillcert.accounts.roles import Role
from skillcert.assessment.access import batches_for, parties_for_batch
from skillcert.assessment.models import Batch
from skillcert.assessment.workflow import BATCH, BatchParty
from skillcert.audit.service import Actor
from skillcert.inbox.service import notify, organization_users
from skillcert.reference.selectors import work_calendar
from skillcert.registry.models import ObjectionState
from skillcert.rules import clock
from skillcert.rules.assessment import result_filing_due
from skillcert.rules.workflow import Refusal
from skillcert.workflow.machine import Machine

_ROLES = {
    BatchParty.ORGANIZATION: "organization",
    BatchParty.CENTER: Role.CITY_CENTER,
    BatchParty.RECEIVER: Role.CITY_CENTER,
    BatchParty.INSPECTOR: Role.INSPECTOR,
    BatchParty.PROVINCE: Role.PROVINCE_CENTER,
    BatchParty.PUBLIC: "public",
}


def _publicity_over(batch: Batch) -> Refusal | None:
    if batch.publicity_end is not None and clock.today() > batch.publicity_end:
        return None
    return Refusal(
        "publicity_running", f"结果公示至 {batch.publicity_end} 结束，公示期满后方可发证"
    )


def _publicity_running(batch: Batch) -> Refusal | None:
    if batch.publicity_end is not None and clock.today() <= batch.publicity_end:
        return None
    return Refusal("publicity_ended", f"公示期已于 {batch.publicity_end} 结束")


def _awaiting_receipt(due: dt.date | None, received: dt.date | None) -> bool:
    return received is None and due is not None and clock.today() <= due


def _receipt_refusal(what: str, due: dt.date | None, on: dt.date | None, by: object) -> Refusal:
    """Why a filing can no longer be received or returned: received by a person, or by time
    (unanswered by its due day: ``*_received_by`` empty)."""
    if on is not None and by is not None:
        return Refusal("already_received", f"{what}已于 {on} 签收")
    return Refusal("receipt_closed", f"{what}签收期限（{due}）已过，逾期未签收，视为已签收")


def _plan_awaiting_receipt(batch: Batch) -> Refusal | None:
    if _awaiting_receipt(batch.plan_receipt_due, batch.plan_received_on):
        return None
    return _receipt_refusal(
        "计划", batch.plan_receipt_due, batch.plan_received_on, batch.plan_received_by_id
    )


def _results_awaiting_receipt(batch: Batch) -> Refusal | None:
    if _awaiting_receipt(batch.results_receipt_due, batch.results_received_on):
        return None
    return _receipt_refusal(
        "结果", batch.results_receipt_due, batch.results_received_on, batch.results_received_by_id
    )


def _not_started(batch: Batch) -> Refusal | None:
    if clock.today() < batch.start_date:
        return None
    return Refusal("assessment_started", f"认定已于 {batch.start_date} 开始，计划不能再撤回")


def _deem_plan_received(batch: Batch, actor: Actor) -> None:
    """Unanswered by its due day: received on that day, by time (nobody named)."""
    batch.plan_received_on = batch.plan_receipt_due
    batch.plan_received_by = None
    batch.save(update_fields=["plan_received_on", "plan_received_by"])
    _tell_deemed(batch, "batch.plan_received", "认定计划", batch.plan_case_number)


def _deem_results_received(batch: Batch, actor: Actor) -> None:
    batch.results_received_on = batch.results_receipt_due
    batch.results_received_by = None
    batch.save(update_fields=["results_received_on", "results_received_by"])
    _tell_deemed(batch, "batch.results_received", "认定结果报备", batch.results_case_number)


def _tell_deemed(batch: Batch, event: str, what: str, case_number: str) -> None:
    due = batch.plan_received_on if event == "batch.plan_received" else batch.results_received_on
    notify(
        organization_users(batch.organization_id),
        event=event,
        title=f"{what}已视为签收：{batch.title}（{case_number}）",
        body=f"鉴定中心在期限（{due}）内未签收或退回，按规定视为已签收。",
        link=reverse("web:org_batch", args=[batch.pk]),
        subject=f"batch:{batch.pk}",
    )


def _batch_parties(user: Actor | None, batch: Batch) -> set[str]:
    return {*parties_for_batch(user, batch), BatchParty.PUBLIC}


def _no_open_objection(batch: Batch) -> Refusal | None:
    if batch.objections.filter(state=ObjectionState.OPEN).exists():
        return Refusal("objection_open", "公示期内的异议尚未处理完毕，不能发证")
    return None


def _close_publicity(batch: Batch, actor: Actor) -> None:
    """The publicity is over: result filing is due 10 working days after it."""
    assert batch.publicity_end is not None, "only a publicity that ran closes"
    due = result_filing_due(work_calendar(), batch.publicity_end)
    batch.results_due = due.day
    batch.results_due_estimated = due.estimated
    batch.save(update_fields=["results_due", "results_due_estimated"])


_PARTIES = frozenset(party.value for party in BatchParty)


def _awaiting_answer(user: Actor, batches: QuerySet[Batch]) -> QuerySet[Batch]:
    """An appraisal center waits only on the filings it may still receive or return: its
    worklist reads those, never every batch of its city (the rest wait for organizations)."""
    if getattr(user, "role", None) != Role.CITY_CENTER:
        return batches
    today = clock.today()
    return batches.filter(
        Q(plan_received_on__isnull=True, plan_receipt_due__gte=today)
        | Q(results_received_on__isnull=True, results_receipt_due__gte=today)
    )


def _states_waiting_for(user: Actor) -> list[str]:
    """The states in which a batch waits for ``user``'s role: ``work_item`` keeps only those,
    so an officer's worklist does not read every batch waiting for its organization."""
    role = getattr(user, "role", None)
    return sorted(
        state
        for state, waits in BATCH.waits.items()
        if any(
            _ROLES.get(BatchParty(wait.party)) == role
            for wait in (waits if isinstance(waits, tuple) else (waits,))
            if wait.party in _PARTIES
        )
    )


BATCH_MACHINE: Machine[Batch] = Machine(
    BATCH,
    Batch,
    audit_prefix="assessment.batch",
    parties=_batch_parties,
    roles=lambda party, batch: _ROLES[BatchParty(party)],
    guards={
        "publicity_over": _publicity_over,
        "publicity_running": _publicity_running,
        "no_open_objection": _no_open_objection,
        "plan_awaiting_receipt": _plan_awaiting_receipt,
        "results_awaiting_receipt": _results_awaiting_receipt,
        "not_started": _not_started,
    },
    related=("organization", "site_city"),
    timed_effects={
        "close-publicity": _close_publicity,
        "deem-plan-received": _deem_plan_received,
        "deem-results-received": _deem_results_received,
    },
    worklist=lambda user: _awaiting_answer(
        user, batches_for(user).filter(state__in=_states_waiting_for(user))
    ).select_related("organization", "site_city"),
    title=lambda batch: (
        f"{batch.title}（{batch.plan_case_number}）" if batch.plan_case_number else batch.title
    ),
)
