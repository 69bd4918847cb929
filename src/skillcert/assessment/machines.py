"""The batch workflow bound to its model."""

from __future__ import annotations

from skillcert.accounts.roles import Role
from skillcert.assessment.access import batches_for, parties_for_batch
from skillcert.assessment.models import Batch
from skillcert.assessment.workflow import BATCH, BatchParty
from skillcert.audit.service import Actor
from skillcert.reference.selectors import work_calendar
from skillcert.registry.models import ObjectionState
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
    },
    related=("organization", "site_city"),
    timed_effects={"close-publicity": _close_publicity},
    worklist=lambda user: (
        batches_for(user)
        .filter(state__in=_states_waiting_for(user))
        .select_related("organization", "site_city")
    ),
    title=lambda batch: batch.title,
)
