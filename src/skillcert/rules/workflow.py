"""One workflow engine for every state machine of the platform, as data (no Django).

A ``Workflow`` declares its states (with the final ones), its transitions (action, the states
it may start from, the state it leads to, the parties allowed, named guards) and its
time-driven transitions (from-state, to-state, the date that triggers them). What a person
may do on an object is *asked* of the workflow (``available``), never re-derived elsewhere;
what must happen next (``next_step``) comes from the same declaration.

Parties are abstract names (``applicant``, ``reviewer``, ``organization``…): the domain says
who is which party for an object, and which role name the contract shows for it. Guards are
named predicates the domain evaluates: ``None`` when the guard holds, else a ``Refusal`` (code
and Chinese message) that explains why the action cannot be taken now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field

SYSTEM = "system"  # the party of time-driven transitions


@dataclass(frozen=True)
class Refusal:
    """Why an action cannot be taken now (answered as 409 with this code and message)."""

    code: str
    message: str


GuardCheck = Callable[[str], Refusal | None]


def no_guards(name: str) -> Refusal | None:
    raise KeyError(f"guard {name!r} has no predicate")


@dataclass(frozen=True)
class Transition:
    """A step a party takes. ``target`` None: the state stays (the step records something).
    ``outcomes``: the states a step with several results may lead to (an objection is upheld
    or dismissed); the service names which when it moves, and ``target`` is then None."""

    action: str
    sources: frozenset[str]
    target: str | None
    parties: frozenset[str]
    label: str
    guards: tuple[str, ...] = ()
    # False for steps that another object's step drives (an upheld objection sends the case
    # back): never listed in ``actions``, still checked when the domain applies them.
    offered: bool = True
    outcomes: frozenset[str] = frozenset()

    @property
    def targets(self) -> frozenset[str]:
        """Every state the step may lead to."""
        return self.outcomes | ({self.target} if self.target else frozenset())


@dataclass(frozen=True)
class TimedTransition:
    """A step time takes: from the day after ``field``'s date, an object in one of ``sources``
    becomes ``target`` (when the guards hold). ``field`` names the object's date attribute.

    ``once_field``: a step that records something rather than moves (a filing unanswered by
    its due day counts as received): due only while the object's ``once_field`` is empty
    (the step's effect fills it). Such a step may keep a final state (``target`` its only
    source)."""

    action: str
    sources: frozenset[str]
    target: str
    field: str
    label: str
    guards: tuple[str, ...] = ()
    once_field: str | None = None

    def trigger_day(self, day: dt.date | None) -> dt.date | None:
        return None if day is None else day + dt.timedelta(days=1)

    def is_due(self, day: dt.date | None, today: dt.date) -> bool:
        return day is not None and today > day


@dataclass(frozen=True)
class Wait:
    """Who the workflow waits for in a state: the party, the action, the date it is due.

    ``deadline`` False: the date is not owed but awaited (a publicity that must end first):
    the step is possible from the day after it, and is never overdue.

    ``conditional`` True: the wait lasts only while its step's guards hold (a receipt awaited
    until its due day); then the state waits for the next wait, time, or nobody. A final
    state may declare conditional waits only: it is done, yet a party may still answer it (an
    appraisal center returning a result filing it has not received)."""

    party: str
    action: str
    due_field: str | None = None
    deadline: bool = True
    conditional: bool = False


@dataclass(frozen=True)
class NextStep:
    party: str  # an abstract party, or SYSTEM
    action: str
    due: dt.date | None
    deadline: bool = False  # ``due`` is owed by the party: late after it

    def overdue(self, today: dt.date) -> bool:
        return self.deadline and self.due is not None and today > self.due


class WorkflowError(Exception):
    """A request the workflow refuses: ``status`` 403 (wrong party) or 409 (wrong state)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Workflow:
    name: str
    noun: str  # how messages name the object, e.g. 申请, 批次
    states: Mapping[str, str]  # value → Chinese label, in workflow order
    final: frozenset[str]
    transitions: tuple[Transition, ...]
    timed: tuple[TimedTransition, ...] = ()
    # What the workflow waits for in a state; several: the first whose step's guards hold
    # (an inspection waits for its conclusion once a finding is recorded, else a finding).
    waits: Mapping[str, Wait | tuple[Wait, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        actions = [t.action for t in self.transitions] + [t.action for t in self.timed]
        duplicates = {a for a in actions if actions.count(a) > 1}
        if duplicates:
            raise ValueError(f"{self.name}: actions declared twice: {sorted(duplicates)}")
        known = set(self.states)
        for t in self.transitions:
            unknown = (set(t.sources) | set(t.targets)) - known
            if unknown:
                raise ValueError(f"{self.name}.{t.action}: unknown states {sorted(unknown)}")
            if not t.parties:
                raise ValueError(f"{self.name}.{t.action}: no party may take it")
        for timed in self.timed:
            if (timed.sources | {timed.target}) - known:
                raise ValueError(f"{self.name}.{timed.action}: unknown states")
            keeps = timed.once_field is not None and timed.sources == {timed.target}
            if timed.sources & self.final and not keeps:
                raise ValueError(f"{self.name}.{timed.action}: leaves a final state")
        if self.final - known:
            raise ValueError(f"{self.name}: unknown final states")
        for state, declared in self.waits.items():
            waits = declared if isinstance(declared, tuple) else (declared,)
            conditional = all(wait.conditional for wait in waits)
            if state not in known or (state in self.final and not conditional):
                raise ValueError(f"{self.name}: waits in {state!r}, not an open state")

    # --- reading the declaration ---------------------------------------------------------

    def transition(self, action: str) -> Transition:
        for t in self.transitions:
            if t.action == action:
                return t
        raise KeyError(f"{self.name} has no action {action!r}")

    def timed_transition(self, action: str) -> TimedTransition:
        for t in self.timed:
            if t.action == action:
                return t
        raise KeyError(f"{self.name} has no time-driven action {action!r}")

    def label(self, state: str) -> str:
        return self.states.get(state, state)

    def action_label(self, action: str) -> str:
        steps: tuple[Transition | TimedTransition, ...] = (*self.transitions, *self.timed)
        for t in steps:
            if t.action == action:
                return t.label
        return action

    @property
    def waiting_states(self) -> frozenset[str]:
        """The states in which the workflow waits for a party (the worklist's states)."""
        return frozenset(self.waits)

    def is_final(self, state: str) -> bool:
        return state in self.final

    def sources_of(self, action: str) -> frozenset[str]:
        return self.transition(action).sources

    def states_after(self, state: str) -> frozenset[str]:
        """``state`` and every state reachable from it (by people or by time)."""
        seen = {state}
        frontier = [state]
        while frontier:
            current = frontier.pop()
            for t in self.transitions:
                for target in t.targets if current in t.sources else ():
                    if target not in seen:
                        seen.add(target)
                        frontier.append(target)
            for timed in self.timed:
                if current in timed.sources and timed.target not in seen:
                    seen.add(timed.target)
                    frontier.append(timed.target)
        return frozenset(seen)

    # --- asking it --------------------------------------------------------------------------

    def available(
        self,
        state: str,
        parties: Collection[str],
        guard: GuardCheck = no_guards,
        *,
        offered_only: bool = True,
    ) -> list[Transition]:
        """The transitions a holder of ``parties`` may take now, in declaration order."""
        return [
            t
            for t in self.transitions
            if (t.offered or not offered_only)
            and state in t.sources
            and t.parties & set(parties)
            and all(guard(name) is None for name in t.guards)
        ]

    def check_party(self, action: str, parties: Collection[str]) -> Transition:
        """403 unless one of ``parties`` may take ``action`` at all (whatever the state)."""
        transition = self.transition(action)
        if not transition.parties & set(parties):
            raise WorkflowError(
                403, "forbidden", f"您无权对该{self.noun}执行「{transition.label}」"
            )
        return transition

    def check(
        self, action: str, state: str, parties: Collection[str], guard: GuardCheck = no_guards
    ) -> Transition:
        """The transition if it may be taken now: 403 for the wrong party, 409 for the wrong
        state or a guard that does not hold (its own code and message)."""
        transition = self.check_party(action, parties)
        if state not in transition.sources:
            raise WorkflowError(
                409,
                "invalid_state",
                f"{self.noun}当前状态为「{self.label(state)}」，不能执行「{transition.label}」",
            )
        for name in transition.guards:
            refusal = guard(name)
            if refusal is not None:
                raise WorkflowError(409, refusal.code, refusal.message)
        return transition

    def due_timed(
        self,
        state: str,
        dates: Callable[[str], dt.date | None],
        today: dt.date,
        guard: GuardCheck = no_guards,
    ) -> TimedTransition | None:
        """The time-driven transition due now from ``state``, if any."""
        for timed in self.timed:
            if (
                state in timed.sources
                and timed.is_due(dates(timed.field), today)
                and (timed.once_field is None or dates(timed.once_field) is None)
                and all(guard(name) is None for name in timed.guards)
            ):
                return timed
        return None

    def next_step(
        self,
        state: str,
        dates: Callable[[str], dt.date | None],
        guard: GuardCheck | None = None,
    ) -> NextStep | None:
        """Who must act next and by when: the declared wait of the state (of several, the
        first whose step's guards hold; a conditional one only while they hold), else the date
        on which time moves it; None in a final state (but for a conditional wait that holds)
        or an open state nobody owes."""
        declared = self.waits.get(state)
        waits = declared if isinstance(declared, tuple) else (declared,) if declared else ()
        if state in self.final and guard is None:
            return None
        for wait in waits:
            if (wait.conditional or wait is not waits[-1]) and guard is not None:
                guards = self.transition(wait.action).guards
                if any(guard(name) is not None for name in guards):
                    continue
            day = dates(wait.due_field) if wait.due_field else None
            if not wait.deadline and day is not None:
                day += dt.timedelta(days=1)
            return NextStep(wait.party, wait.action, day, wait.deadline and day is not None)
        if state in self.final:
            return None
        for timed in self.timed:
            if state in timed.sources and timed.once_field is None:
                return NextStep(SYSTEM, timed.action, timed.trigger_day(dates(timed.field)))
        return None


def t(
    action: str,
    sources: Iterable[str],
    target: str | tuple[str, ...] | None,
    parties: Iterable[str],
    label: str,
    *,
    guards: Iterable[str] = (),
    offered: bool = True,
) -> Transition:
    """Shorthand for declaring a transition in a workflow table; a tuple ``target`` lists
    the outcomes of a step with several results."""
    outcomes = frozenset(target) if isinstance(target, tuple) else frozenset()
    return Transition(
        action,
        frozenset(sources),
        None if isinstance(target, tuple) else target,
        frozenset(parties),
        label,
        tuple(guards),
        offered,
        outcomes,
    )


def timed(
    action: str,
    sources: Iterable[str],
    target: str,
    field: str,
    label: str,
    *,
    guards: Iterable[str] = (),
    once_field: str | None = None,
) -> TimedTransition:
    return TimedTransition(
        action, frozenset(sources), target, field, label, tuple(guards), once_field
    )
