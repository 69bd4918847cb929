"""A workflow bound to a model: the one helper that applies transitions.

Each domain declares a ``Machine`` next to its model: the pure ``Workflow`` table, who is
which party for an object, the guard predicates, and how the contract names each party. A
service then does::

    with transaction.atomic():
        case = FILING.lock(pk)                 # row lock; due time-driven steps applied
        transition = FILING.check(case, "accept", actor)
        ...                                    # the service's own checks and writes
        FILING.move(case, transition, actor=actor, extra_fields=[...])

or, when nothing else happens, ``FILING.apply(case, "select", actor=actor)``. ``actions``
and ``next`` answer what a person may do and who acts next; pages and the API render them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.db.models import Q

from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.rules import clock
from skillcert.rules.errors import Conflict, Forbidden
from skillcert.rules.workflow import (
    SYSTEM,
    NextStep,
    Refusal,
    TimedTransition,
    Transition,
    Workflow,
    WorkflowError,
)
from skillcert.workflow.models import StateChange

M = TypeVar("M", bound=models.Model)
# Whether a guard holds on an object: None, or why not.
Guard = Callable[[M], Refusal | None]
# Runs before a time-driven step moves the object: its side effects (retire a number…).
TimedEffect = Callable[[M, Actor], None]

_MACHINES: dict[str, Machine[Any]] = {}
_BY_MODEL: dict[type[models.Model], Machine[Any]] = {}


def is_system(actor: Actor | None) -> bool:
    return getattr(actor, "role", None) == "system"


class Machine(Generic[M]):
    def __init__(
        self,
        workflow: Workflow,
        model: type[M],
        *,
        audit_prefix: str,
        parties: Callable[[Actor | None, M], Iterable[str]],
        roles: Callable[[str, M], str],
        guards: Mapping[str, Guard[M]] | None = None,
        related: tuple[str, ...] = (),
        state_field: str = "state",
        timed_effects: Mapping[str, TimedEffect[M]] | None = None,
        audit_names: Mapping[str, str] | None = None,
        worklist: Callable[[Actor], models.QuerySet[M]] | None = None,
        title: Callable[[M], str] = str,
        duties: Callable[[Actor], list[dict[str, Any]]] | None = None,
    ) -> None:
        self.workflow = workflow
        self.model = model
        self.audit_prefix = audit_prefix
        self._parties = parties
        self._roles = roles
        self.guards = dict(guards or {})
        self.related = related
        self.state_field = state_field
        self.timed_effects = dict(timed_effects or {})
        # The audit record's action names where they predate the engine (the chain keeps them):
        # by action, or by ``"<action>:<state reached>"`` for a step whose outcomes were
        # audited under names of their own (a send that failed).
        self.audit_names = dict(audit_names or {})
        # The objects that may wait for ``user`` (visible to them, in a state with a wait):
        # the worklist asks the workflow about each.
        self.worklist_candidates = worklist
        self.title = title
        # What ``user`` owes that has no row yet (an annual report not filed): worklist items
        # in ``work_item``'s shape, made by the domain.
        self.duties = duties
        declared = {g for t in workflow.transitions for g in t.guards} | {
            g for t in workflow.timed for g in t.guards
        }
        missing = declared - set(self.guards)
        if missing:
            raise ValueError(f"{workflow.name}: guards without a predicate: {sorted(missing)}")
        _MACHINES[workflow.name] = self
        _BY_MODEL[model] = self

    # --- reading ---------------------------------------------------------------------------

    def state(self, obj: M) -> str:
        return str(getattr(obj, self.state_field))

    def parties(self, actor: Actor | None, obj: M) -> frozenset[str]:
        if is_system(actor):
            return frozenset({SYSTEM})
        return frozenset(self._parties(actor, obj))

    def guard(self, obj: M) -> Callable[[str], Refusal | None]:
        cache: dict[str, Refusal | None] = {}

        def check(name: str) -> Refusal | None:
            if name not in cache:
                cache[name] = self.guards[name](obj)
            return cache[name]

        return check

    def _dates(self, obj: M) -> Callable[[str], dt.date | None]:
        return lambda name: getattr(obj, name)

    def is_final(self, obj: M) -> bool:
        return self.workflow.is_final(self.state(obj))

    def available(self, obj: M, actor: Actor | None) -> list[Transition]:
        """What ``actor`` may do on ``obj`` now (the buttons a page shows); ``None``: what a
        visitor who is not signed in may do."""
        parties = self.parties(actor, obj)
        if not parties:
            return []
        return self.workflow.available(self.state(obj), parties, self.guard(obj))

    def may(self, obj: M, actor: Actor | None, action: str) -> bool:
        return any(t.action == action for t in self.available(obj, actor))

    def actions(self, obj: M, actor: Actor | None) -> list[dict[str, str]]:
        """The contract's ``actions``: ``[{"action", "label"}]``."""
        return [{"action": t.action, "label": t.label} for t in self.available(obj, actor)]

    def next_step(self, obj: M) -> NextStep | None:
        return self.workflow.next_step(self.state(obj), self._dates(obj), self.guard(obj))

    def next(self, obj: M) -> dict[str, Any] | None:
        """The contract's ``next``: who acts next (a role, ``organization``, ``public`` or
        ``system``), which action, by when; None in a final state."""
        step = self.next_step(obj)
        if step is None:
            return None
        party = SYSTEM if step.party == SYSTEM else self._roles(step.party, obj)
        return {
            "party": party,
            "action": step.action,
            "label": self.workflow.action_label(step.action),
            "due": step.due,
            # True: ``due`` is a deadline the party owes; False: the day it becomes possible.
            "deadline": step.deadline,
        }

    def overdue(self, obj: M) -> bool:
        """Whether the step the workflow waits for is late (never a time-driven one)."""
        step = self.next_step(obj)
        return step is not None and step.overdue(clock.today())

    def work_item(self, obj: M, actor: Actor) -> dict[str, Any] | None:
        """The worklist item of ``obj`` for ``actor``: when the workflow waits for one of the
        actor's parties and that step is available to them now."""
        step = self.next_step(obj)
        if step is None or step.party not in self.parties(actor, obj):
            return None
        # Only for the role ``next`` names: the province may decide a city's case, but the
        # city's bureau is the one it waits for.
        if self._roles(step.party, obj) != getattr(actor, "role", None):
            return None
        if not self.may(obj, actor, step.action):
            return None
        return {
            "type": self.workflow.name,
            "id": obj.pk,
            "title": self.title(obj),
            "action": step.action,
            "label": self.workflow.action_label(step.action),
            "due": step.due,
            "overdue": step.overdue(clock.today()),
        }

    def history(self, obj: M) -> models.QuerySet[StateChange]:
        return StateChange.objects.filter(workflow=self.workflow.name, object_id=obj.pk)

    # --- checking and moving -------------------------------------------------------------

    def lock(self, pk: int) -> M:
        """The object, row-locked until the transaction ends, with due time-driven steps
        applied (``of=self``: the joined rows stay free). Call inside ``transaction.atomic``."""
        obj = self.lock_plain(pk)
        self._advance(obj)
        return obj

    def check_party(self, obj: M, action: str, actor: Actor) -> Transition:
        """403 unless ``actor`` may take ``action`` at all: asked before reading what was
        sent, so a stranger learns nothing from the validation of a body."""
        try:
            return self.workflow.check_party(action, self.parties(actor, obj))
        except WorkflowError as exc:
            raise _domain_error(exc) from None

    def check(self, obj: M, action: str, actor: Actor) -> Transition:
        """The transition if ``actor`` may take it now: 403 wrong party, 409 wrong state or a
        guard that does not hold. Check on the locked row."""
        try:
            return self.workflow.check(
                action, self.state(obj), self.parties(actor, obj), self.guard(obj)
            )
        except WorkflowError as exc:
            raise _domain_error(exc) from None

    def check_as(self, obj: M, action: str, parties: Iterable[str]) -> Transition:
        """``check`` for a step no person takes (a filing case files its organization)."""
        try:
            return self.workflow.check(action, self.state(obj), set(parties), self.guard(obj))
        except WorkflowError as exc:
            raise _domain_error(exc) from None

    def move(
        self,
        obj: M,
        transition: Transition | TimedTransition,
        *,
        actor: Actor,
        note: str = "",
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        extra_fields: Iterable[str] = (),
        outcome: str | None = None,
    ) -> None:
        """Save ``obj`` in the transition's state (``outcome``: which of a step's several
        results), with a history row and an audit entry (in the caller's transaction).
        ``before``/``after``: what else the audit entry records besides the state and
        ``extra_fields`` (what the step made that is not a field of ``obj``)."""
        fields = list(extra_fields)
        from_state = self.state(obj)
        target = transition.target
        if outcome is not None:
            if not isinstance(transition, Transition) or outcome not in transition.outcomes:
                raise ValueError(f"{transition.action} cannot lead to {outcome!r}")
            target = outcome
        elif isinstance(transition, Transition) and transition.outcomes:
            raise ValueError(f"{transition.action}: name the outcome")
        if target:
            setattr(obj, self.state_field, target)
        update = [self.state_field, *fields]
        if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
            update.append("updated_at")
        obj.save(update_fields=update)
        StateChange.objects.create(
            workflow=self.workflow.name,
            object_id=obj.pk,
            action=transition.action,
            from_state=from_state,
            to_state=self.state(obj),
            actor=audit.actor_ref(actor).name,
            business_date=clock.today(),
            note=note,
        )
        audit.record(
            actor=actor,
            action=f"{self.audit_prefix}.{self.audit_name(transition.action, self.state(obj))}",
            obj=obj,
            before={"state": from_state, **(before or {})},
            after={
                "state": self.state(obj),
                **{name: _jsonable(getattr(obj, name)) for name in fields},
                **(after or {}),
                **({"note": note} if note else {}),
            },
        )

    def audit_name(self, action: str, state: str) -> str:
        """The audit record's name of ``action`` when it left the object in ``state``."""
        return self.audit_names.get(f"{action}:{state}", self.audit_names.get(action, action))

    def apply(
        self,
        obj: M,
        action: str,
        *,
        actor: Actor,
        effect: Callable[[M], Iterable[str] | None] | None = None,
        note: str = "",
    ) -> M:
        """Lock, check, run ``effect`` (returns the fields it changed), move: one transaction."""
        self.check_party(obj, action, actor)
        with transaction.atomic():
            obj = self.lock(obj.pk)
            transition = self.check(obj, action, actor)
            changed = effect(obj) if effect else None
            self.move(obj, transition, actor=actor, note=note, extra_fields=changed or ())
        return obj

    # --- time ------------------------------------------------------------------------------

    def due_timed(self, obj: M) -> TimedTransition | None:
        return self.workflow.due_timed(
            self.state(obj), self._dates(obj), clock.today(), self.guard(obj)
        )

    def _advance(self, obj: M) -> int:
        """Apply every time-driven step due on the locked ``obj`` (they may chain)."""
        moved = 0
        for _ in range(len(self.workflow.timed) + 1):
            timed = self.due_timed(obj)
            if timed is None:
                break
            effect = self.timed_effects.get(timed.action)
            if effect is not None:
                effect(obj, audit.SYSTEM)
            self.move(obj, timed, actor=audit.SYSTEM, note=timed.label)
            moved += 1
        return moved

    def catch_up(self, obj: M) -> M:
        """``obj`` in the state time has put it in: when a time-driven step is due, it is
        applied now on the locked row, attributed to the system. Cheap when nothing is due."""
        if not self.workflow.timed or self.due_timed(obj) is None:
            return obj
        with transaction.atomic():
            self.lock(obj.pk)
        obj.refresh_from_db()
        return obj

    def catch_up_all(self, queryset: models.QuerySet[M] | None = None) -> int:
        """Apply every due time-driven step (to ``queryset``'s objects, or all): what lists
        and the scheduled sweep call. Each object moves in its own locked transaction."""
        if not self.workflow.timed:
            return 0
        today = clock.today()
        base = queryset if queryset is not None else self.model._default_manager.all()
        due = Q()  # one query, however many time-driven steps the workflow has
        for timed in self.workflow.timed:
            step = Q(**{f"{self.state_field}__in": timed.sources, f"{timed.field}__lt": today})
            if timed.once_field:
                step &= Q(**{f"{timed.once_field}__isnull": True})
            due |= step
        moved = 0
        for pk in list(base.filter(due).values_list("pk", flat=True)):
            with transaction.atomic():
                moved += self._advance(self.lock_plain(pk))
        return moved

    def lock_plain(self, pk: int) -> M:
        """The row-locked object as it is stored (no time-driven step applied)."""
        query = self.model._default_manager.select_for_update(of=("self",))
        if self.related:
            query = query.select_related(*self.related)
        return query.get(pk=pk)


def machine(name: str) -> Machine[Any]:
    return _MACHINES[name]


def machine_for(obj: models.Model) -> Machine[Any]:
    """The machine of ``obj``'s model (KeyError for a model without a workflow)."""
    return _BY_MODEL[type(obj)]


def machines() -> dict[str, Machine[Any]]:
    return dict(_MACHINES)


def _domain_error(exc: WorkflowError) -> Exception:
    if exc.status == 403:
        return Forbidden(exc.message, code=exc.code)
    return Conflict(exc.message, code=exc.code)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
