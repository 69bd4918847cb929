"""Helpers shared by the registry's services: transitions, history rows, the calendar."""

from __future__ import annotations

from typing import Any

from skillcert.audit import service as audit
from skillcert.registry.access import parties_for_case
from skillcert.registry.models import FilingCase, FilingTransition
from skillcert.registry.workflow import FILING_TRANSITIONS, Transition
from skillcert.rules import clock
from skillcert.rules.errors import Conflict, Forbidden


def check_party(case: FilingCase, action: str, actor: Any) -> Transition:
    """403 unless ``actor`` is a party that may take ``action`` (the state is checked later,
    on the locked row): who may act is answered before what they sent."""
    transition = FILING_TRANSITIONS[action]
    if not transition.parties & parties_for_case(actor, case):
        raise Forbidden(f"您无权对该申请执行「{transition.label}」", code="forbidden")
    return transition


def check_transition(case: FilingCase, action: str, actor: Any) -> Transition:
    """The transition if ``actor`` may take ``action`` on ``case`` now; 403 or 409 otherwise.

    A person who may not take the action at all gets 403 whatever the state; a person who may,
    but not from this state, gets 409.
    """
    transition = check_party(case, action, actor)
    if case.state not in transition.sources:
        raise Conflict(
            f"申请当前状态为「{case.get_state_display()}」，不能执行「{transition.label}」",
            code="invalid_state",
        )
    return transition


def move_case(
    case: FilingCase,
    transition: Transition,
    *,
    actor: Any,
    note: str = "",
    before: dict[str, Any] | None = None,
    extra_fields: list[str] | None = None,
) -> None:
    """Save the case in its new state, with a history row and an audit entry."""
    from_state = case.state
    case.state = transition.target
    case.save(update_fields=["state", "updated_at", *(extra_fields or [])])
    FilingTransition.objects.create(
        case=case,
        action=transition.action,
        from_state=from_state,
        to_state=case.state,
        actor=audit.actor_ref(actor).name,
        business_date=clock.today(),
        note=note,
    )
    audit.record(
        actor=actor,
        action=f"registry.filing.{transition.action}",
        obj=case,
        before={"state": from_state, **(before or {})},
        after={
            "state": case.state,
            **{name: _jsonable(getattr(case, name)) for name in extra_fields or []},
            **({"note": note} if note else {}),
        },
    )


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def lock_case(pk: int) -> FilingCase:
    """The case, row-locked until the transaction ends (only the case: ``of=self`` keeps the
    joined organization and authority rows free, or every case of a city would queue)."""
    return (
        FilingCase.objects.select_for_update(of=("self",))
        .select_related("organization", "authority")
        .get(pk=pk)
    )
