"""Helpers shared by the batch services: transitions, history rows."""

from __future__ import annotations

from typing import Any

from skillcert.assessment.access import parties_for_batch
from skillcert.assessment.models import Batch, BatchTransition
from skillcert.assessment.workflow import BATCH_TRANSITIONS, BatchParty
from skillcert.assessment.workflow import BatchTransition as Transition
from skillcert.audit import service as audit
from skillcert.rules import clock
from skillcert.rules.errors import Conflict, Forbidden


def check_batch_party(batch: Batch, action: str, actor: Any) -> Transition:
    transition = BATCH_TRANSITIONS[action]
    parties = parties_for_batch(actor, batch)
    if getattr(actor, "role", None) == "system":
        parties = parties | {BatchParty.SYSTEM}
    if not transition.parties & parties:
        raise Forbidden(f"您无权对该批次执行「{transition.label}」", code="forbidden")
    return transition


def check_batch_transition(batch: Batch, action: str, actor: Any) -> Transition:
    """403 for a person who may not take the action, 409 when the state does not fit."""
    transition = check_batch_party(batch, action, actor)
    if batch.state not in transition.sources:
        raise Conflict(
            f"批次当前状态为「{batch.get_state_display()}」，不能执行「{transition.label}」",
            code="invalid_state",
        )
    return transition


def lock_batch(pk: int) -> Batch:
    return (
        Batch.objects.select_for_update(of=("self",))
        .select_related("organization", "site_city")
        .get(pk=pk)
    )


def move_batch(
    batch: Batch,
    transition: Transition,
    *,
    actor: Any,
    note: str = "",
    extra_fields: list[str] | None = None,
) -> None:
    """Save the batch in the transition's state with a history row and an audit entry."""
    from_state = batch.state
    if transition.target:
        batch.state = transition.target
    batch.save(update_fields=["state", "updated_at", *(extra_fields or [])])
    BatchTransition.objects.create(
        batch=batch,
        action=transition.action,
        from_state=from_state,
        to_state=batch.state,
        actor=audit.actor_ref(actor).name,
        business_date=clock.today(),
        note=note,
    )
    audit.record(
        actor=actor,
        action=f"assessment.batch.{transition.action}",
        obj=batch,
        before={"state": from_state},
        after={
            "state": batch.state,
            **{name: _jsonable(getattr(batch, name)) for name in extra_fields or []},
            **({"note": note} if note else {}),
        },
    )


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
