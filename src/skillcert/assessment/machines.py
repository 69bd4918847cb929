"""The batch workflow bound to its model, and who resolves a batch's objections."""

from __future__ import annotations

from typing import Any

from skillcert.accounts.roles import Role
from skillcert.assessment.access import batches_for, parties_for_batch
from skillcert.assessment.models import Batch
from skillcert.assessment.workflow import BATCH, BatchParty
from skillcert.reference.selectors import work_calendar
from skillcert.registry.machines import register_objection_subject
from skillcert.registry.models import Objection, ObjectionState
from skillcert.rules import clock
from skillcert.rules.assessment import result_filing_due
from skillcert.rules.workflow import Refusal
from skillcert.workflow.machine import Machine

_ROLES = {
    BatchParty.ORGANIZATION: "organization",
    BatchParty.CENTER: Role.CITY_CENTER,
    BatchParty.INSPECTOR: Role.INSPECTOR,
    BatchParty.PROVINCE: Role.PROVINCE_CENTER,
    BatchParty.PUBLIC: "public",
}


def batch_objections(batch: Batch) -> Any:
    return Objection.objects.filter(subject="batch", subject_id=batch.pk)


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


def _batch_parties(user: Any, batch: Batch) -> set[str]:
    return {*parties_for_batch(user, batch), BatchParty.PUBLIC}


def _no_open_objection(batch: Batch) -> Refusal | None:
    if batch_objections(batch).filter(state=ObjectionState.OPEN).exists():
        return Refusal("objection_open", "公示期内的异议尚未处理完毕，不能发证")
    return None


def _close_publicity(batch: Batch, actor: Any) -> None:
    """The publicity is over: result filing is due 10 working days after it."""
    due = result_filing_due(work_calendar(), batch.publicity_end)
    batch.results_due = due.day
    batch.results_due_estimated = due.estimated
    batch.save(update_fields=["results_due", "results_due_estimated"])


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
    },
    related=("organization", "site_city"),
    timed_effects={"close-publicity": _close_publicity},
    worklist=lambda user: (
        batches_for(user)
        .filter(state__in=BATCH.waiting_states)
        .select_related("organization", "site_city")
    ),
    title=lambda batch: batch.title,
)


def _resolves_batch_objection(user: Any, objection: Objection) -> bool:
    batch = Batch.objects.select_related("site_city").get(pk=objection.subject_id)
    return bool(parties_for_batch(user, batch) & {BatchParty.CENTER, BatchParty.PROVINCE})


def _batch_title(objection: Objection) -> str:
    batch = Batch.objects.filter(pk=objection.subject_id).only("title").first()
    return batch.title if batch else "认定批次"


register_objection_subject("batch", _resolves_batch_objection, _batch_title)
