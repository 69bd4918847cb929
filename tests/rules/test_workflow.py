"""The workflow engine as a pure function of its declaration (``rules.workflow``, no Django).

A small example workflow (a document drafted, reviewed with two possible results, published
in a window, lapsing and archived by time) exercises each part: what a declaration refuses,
``available`` and ``check`` (403 wrong party before 409 wrong state before a guard's own
refusal), steps with several outcomes, time-driven steps due only from the day after their
date, chains of them, ``next_step`` with waits (owed, awaited, none) and ``states_after``.
Random workflows (hypothesis) check that ``check`` and ``available`` always agree and that
``states_after`` is exactly what the transitions reach.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skillcert.rules.workflow import (
    SYSTEM,
    NextStep,
    Refusal,
    TimedTransition,
    Transition,
    Wait,
    Workflow,
    WorkflowError,
    t,
    timed,
)

STATES = {
    "draft": "草稿",
    "submitted": "已提交",
    "approved": "已批准",
    "rejected": "已驳回",
    "published": "已发布",
    "archived": "已归档",
}
AUTHOR, REVIEWER, PUBLIC = "author", "reviewer", "public"


def example(**changes: object) -> Workflow:
    """The example workflow; ``changes`` replace fields of the declaration."""
    declaration: dict[str, object] = {
        "name": "document",
        "noun": "文件",
        "states": STATES,
        "final": frozenset({"rejected", "archived"}),
        "transitions": (
            t("submit", {"draft"}, "submitted", {AUTHOR}, "提交"),
            t(
                "decide",
                {"submitted"},
                ("approved", "rejected"),
                {REVIEWER},
                "审核",
                guards=["complete"],
            ),
            t("comment", {"submitted", "approved"}, None, {AUTHOR, REVIEWER}, "批注"),
            t(
                "publish",
                {"approved"},
                "published",
                {REVIEWER},
                "发布",
                guards=["complete", "window_open"],
            ),
            t("send-back", {"submitted"}, "draft", {REVIEWER}, "退回", offered=False),
        ),
        "timed": (
            timed("lapse", {"approved"}, "published", "publish_by", "逾期自动发布"),
            timed("archive", {"published"}, "archived", "archive_on", "归档", guards=["quiet"]),
        ),
        "waits": {
            "draft": Wait(AUTHOR, "submit"),
            "submitted": Wait(REVIEWER, "decide", "review_due"),
            "approved": Wait(REVIEWER, "publish", "publish_from", deadline=False),
        },
    }
    declaration.update(changes)
    return Workflow(**declaration)  # type: ignore[arg-type]


FLOW = example()
DAY = dt.date(2026, 11, 10)


def guards(**refusals: Refusal | None) -> Callable[[str], Refusal | None]:
    """Every guard holds unless named here with its refusal."""
    return lambda name: refusals.get(name)


def dates(**days: dt.date | None) -> Callable[[str], dt.date | None]:
    return lambda name: days.get(name)


def actions(transitions: list[Transition]) -> list[str]:
    return [transition.action for transition in transitions]


# --- 1. a declaration that cannot be right is refused when it is made -------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"transitions": (t("a", {"draft"}, "submitted", {AUTHOR}, "甲"),) * 2},
            "actions declared twice",
        ),
        (
            {
                "transitions": (t("lapse", {"draft"}, "submitted", {AUTHOR}, "甲"),),
            },  # a person's step named like a time-driven one
            "actions declared twice",
        ),
        (
            {"transitions": (t("a", {"nowhere"}, "submitted", {AUTHOR}, "甲"),)},
            "unknown states ['nowhere']",
        ),
        (
            {"transitions": (t("a", {"draft"}, "nowhere", {AUTHOR}, "甲"),)},
            "unknown states ['nowhere']",
        ),
        (
            {"transitions": (t("a", {"draft"}, ("approved", "nowhere"), {AUTHOR}, "甲"),)},
            "unknown states ['nowhere']",
        ),
        ({"transitions": (t("a", {"draft"}, "submitted", set(), "甲"),)}, "no party may take it"),
        (
            {"timed": (timed("x", {"draft"}, "nowhere", "publish_by", "乙"),), "waits": {}},
            "x: unknown states",
        ),
        (
            {"timed": (timed("x", {"rejected"}, "draft", "publish_by", "乙"),), "waits": {}},
            "leaves a final state",
        ),
        ({"final": frozenset({"rejected", "gone"})}, "unknown final states"),
        ({"waits": {"archived": Wait(AUTHOR, "submit")}}, "not an open state"),
        ({"waits": {"nowhere": Wait(AUTHOR, "submit")}}, "not an open state"),
    ],
    ids=[
        "an action twice",
        "a person's and a time-driven action alike",
        "an unknown source",
        "an unknown target",
        "an unknown outcome",
        "nobody may take it",
        "time leads to an unknown state",
        "time leaves a final state",
        "an unknown final state",
        "a wait in a final state",
        "a wait in an unknown state",
    ],
)
def test_a_declaration_that_cannot_be_right_is_refused(changes, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        example(**changes)


def test_the_declaration_is_read_back_as_declared():
    assert FLOW.transition("submit").target == "submitted"
    assert FLOW.timed_transition("lapse").field == "publish_by"
    with pytest.raises(KeyError):
        FLOW.transition("lapse")  # time's steps are not a person's
    with pytest.raises(KeyError):
        FLOW.timed_transition("submit")
    assert FLOW.label("approved") == "已批准" and FLOW.label("unknown") == "unknown"
    assert FLOW.action_label("archive") == "归档" and FLOW.action_label("nope") == "nope"
    assert FLOW.is_final("rejected") and not FLOW.is_final("published")
    assert FLOW.sources_of("comment") == {"submitted", "approved"}


def test_the_shorthands_build_what_they_say():
    decide = FLOW.transition("decide")
    assert decide == Transition(
        "decide",
        frozenset({"submitted"}),
        None,
        frozenset({REVIEWER}),
        "审核",
        ("complete",),
        True,
        frozenset({"approved", "rejected"}),
    )
    assert decide.targets == {"approved", "rejected"}
    assert FLOW.transition("submit").targets == {"submitted"}
    assert FLOW.transition("comment").targets == frozenset()  # the state stays
    assert FLOW.transition("send-back").offered is False
    assert FLOW.timed_transition("archive") == TimedTransition(
        "archive", frozenset({"published"}), "archived", "archive_on", "归档", ("quiet",)
    )


# --- 2. what a party may do now, and why not -----------------------------------------------


def test_available_is_what_the_parties_may_do_in_the_state_in_declaration_order():
    everyone = {AUTHOR, REVIEWER}
    assert actions(FLOW.available("draft", {AUTHOR}, guards())) == ["submit"]
    assert actions(FLOW.available("draft", {REVIEWER}, guards())) == []
    assert actions(FLOW.available("submitted", everyone, guards())) == ["decide", "comment"]
    assert actions(FLOW.available("submitted", {AUTHOR}, guards())) == ["comment"]
    assert actions(FLOW.available("approved", {REVIEWER}, guards())) == ["comment", "publish"]
    assert actions(FLOW.available("archived", everyone, guards())) == []
    assert actions(FLOW.available("approved", set(), guards())) == []
    assert actions(FLOW.available("approved", {PUBLIC}, guards())) == []


def test_a_step_that_is_not_offered_is_still_a_step():
    """``offered=False``: never a button, but another step may apply it (and it is checked)."""
    assert "send-back" not in actions(FLOW.available("submitted", {REVIEWER}, guards()))
    hidden = FLOW.available("submitted", {REVIEWER}, guards(), offered_only=False)
    assert actions(hidden) == ["decide", "comment", "send-back"]
    assert FLOW.check("send-back", "submitted", {REVIEWER}).target == "draft"


def test_a_guard_that_does_not_hold_removes_the_step_from_available():
    late = Refusal("window_closed", "发布期已过")
    assert actions(FLOW.available("approved", {REVIEWER}, guards(window_open=late))) == ["comment"]
    incomplete = Refusal("incomplete", "材料不全")
    assert actions(FLOW.available("submitted", {REVIEWER}, guards(complete=incomplete))) == [
        "comment"
    ]


def test_undeclared_predicates_are_an_error_not_a_silent_yes():
    with pytest.raises(KeyError):
        FLOW.available("submitted", {REVIEWER})  # ``decide`` has a guard, none was given
    assert actions(FLOW.available("draft", {AUTHOR})) == ["submit"]  # no guard asked


def test_a_party_the_step_does_not_name_is_403_whatever_the_state():
    for state in STATES:
        with pytest.raises(WorkflowError) as refused:
            FLOW.check("publish", state, {AUTHOR, PUBLIC}, guards())
        assert (refused.value.status, refused.value.code) == (403, "forbidden")
        assert refused.value.message == "您无权对该文件执行「发布」"
    with pytest.raises(WorkflowError) as nobody:
        FLOW.check_party("submit", set())
    assert nobody.value.status == 403


def test_check_party_answers_before_the_state_is_known():
    assert FLOW.check_party("publish", {REVIEWER}) is FLOW.transition("publish")
    with pytest.raises(KeyError):
        FLOW.check_party("no-such-action", {REVIEWER})


def test_the_right_party_in_a_wrong_state_is_409_naming_the_state_and_the_step():
    with pytest.raises(WorkflowError) as refused:
        FLOW.check("publish", "submitted", {REVIEWER}, guards())
    assert (refused.value.status, refused.value.code) == (409, "invalid_state")
    assert refused.value.message == "文件当前状态为「已提交」，不能执行「发布」"
    assert str(refused.value) == refused.value.message


def test_a_guard_refuses_with_its_own_code_after_the_state_and_in_declared_order():
    incomplete = Refusal("incomplete", "材料不全")
    closed = Refusal("window_closed", "发布期已过")
    with pytest.raises(WorkflowError) as first:
        FLOW.check(
            "publish", "approved", {REVIEWER}, guards(complete=incomplete, window_open=closed)
        )
    assert (first.value.status, first.value.code, first.value.message) == (
        409,
        "incomplete",
        "材料不全",
    )
    with pytest.raises(WorkflowError) as second:
        FLOW.check("publish", "approved", {REVIEWER}, guards(window_open=closed))
    assert (second.value.status, second.value.code) == (409, "window_closed")
    # The wrong state is named before any guard is asked (a guard may assume its state).
    with pytest.raises(WorkflowError) as state_first:
        FLOW.check("publish", "draft", {REVIEWER}, guards(complete=incomplete))
    assert state_first.value.code == "invalid_state"
    assert FLOW.check("publish", "approved", {REVIEWER}, guards()).target == "published"


def test_guards_are_not_asked_of_a_wrong_party_or_a_wrong_state():
    asked: list[str] = []

    def spy(name: str) -> Refusal | None:
        asked.append(name)
        return None

    for state, parties in [("approved", {AUTHOR}), ("draft", {REVIEWER})]:
        with pytest.raises(WorkflowError):
            FLOW.check("publish", state, parties, spy)
    assert asked == []
    FLOW.check("publish", "approved", {REVIEWER}, spy)
    assert asked == ["complete", "window_open"]


# --- 3. steps with several outcomes ----------------------------------------------------------


def test_a_step_with_outcomes_leads_to_each_and_the_reach_follows_both():
    decide = FLOW.check("decide", "submitted", {REVIEWER}, guards())
    assert decide.target is None and decide.outcomes == {"approved", "rejected"}
    assert FLOW.states_after("submitted") == {
        "submitted",
        "approved",
        "rejected",
        "published",
        "archived",
        "draft",  # sent back
    }
    assert FLOW.states_after("rejected") == {"rejected"}


# --- 4. time-driven steps ---------------------------------------------------------------------


def test_a_time_driven_step_is_due_from_the_day_after_its_date():
    lapse = FLOW.timed_transition("lapse")
    assert lapse.trigger_day(DAY) == dt.date(2026, 11, 11)
    assert lapse.trigger_day(None) is None
    assert not lapse.is_due(DAY, DAY - dt.timedelta(days=1))
    assert not lapse.is_due(DAY, DAY)  # the last day still belongs to the period
    assert lapse.is_due(DAY, DAY + dt.timedelta(days=1))
    assert not lapse.is_due(None, DAY + dt.timedelta(days=365))  # no date: never


@settings(max_examples=200, deadline=None)
@given(day=st.dates(), offset=st.integers(-400, 400))
def test_due_exactly_from_the_trigger_day(day, offset):
    try:
        today = day + dt.timedelta(days=offset)
    except OverflowError:
        return
    lapse = FLOW.timed_transition("lapse")
    assert lapse.is_due(day, today) is (offset >= 1)
    assert lapse.is_due(day, today) is (today >= lapse.trigger_day(day))
    due = FLOW.due_timed("approved", dates(publish_by=day), today, guards())
    assert (due is lapse) is (offset >= 1)


def test_due_timed_asks_the_state_the_date_and_the_guards():
    after = DAY + dt.timedelta(days=1)
    assert FLOW.due_timed("approved", dates(publish_by=DAY), after, guards()).action == "lapse"
    assert FLOW.due_timed("approved", dates(publish_by=DAY), DAY, guards()) is None
    assert FLOW.due_timed("approved", dates(), after, guards()) is None  # no date yet
    assert FLOW.due_timed("submitted", dates(publish_by=DAY), after, guards()) is None
    noisy = guards(quiet=Refusal("objection_open", "尚有异议"))
    assert FLOW.due_timed("published", dates(archive_on=DAY), after, noisy) is None
    assert FLOW.due_timed("published", dates(archive_on=DAY), after, guards()).action == "archive"
    # A time-driven step that is due may not be taken by a person.
    with pytest.raises(KeyError):
        FLOW.check("lapse", "approved", {SYSTEM}, guards())


def test_time_driven_steps_chain_until_none_is_due():
    """What a machine does on reading: apply the due step, then ask again from the new state."""
    days = dates(publish_by=DAY, archive_on=DAY + dt.timedelta(days=5))

    def walk(today: dt.date, quiet: Refusal | None = None) -> list[str]:
        state, taken = "approved", []
        for _ in range(len(FLOW.timed) + 1):
            step = FLOW.due_timed(state, days, today, guards(quiet=quiet))
            if step is None:
                break
            taken.append(step.action)
            state = step.target
        return [*taken, state]

    assert walk(DAY) == ["approved"]
    assert walk(DAY + dt.timedelta(days=1)) == ["lapse", "published"]
    assert walk(DAY + dt.timedelta(days=5)) == ["lapse", "published"]
    assert walk(DAY + dt.timedelta(days=6)) == ["lapse", "archive", "archived"]
    held = Refusal("busy", "尚在处理")
    assert walk(DAY + dt.timedelta(days=6), quiet=held) == ["lapse", "published"]


# --- 5. who acts next ----------------------------------------------------------------------


def test_next_step_is_the_wait_of_the_state_with_its_deadline():
    due = dt.date(2026, 11, 20)
    step = FLOW.next_step("submitted", dates(review_due=due))
    assert step == NextStep(REVIEWER, "decide", due, deadline=True)
    assert not step.overdue(due) and step.overdue(due + dt.timedelta(days=1))
    undated = FLOW.next_step("submitted", dates())
    assert undated == NextStep(REVIEWER, "decide", None, deadline=False)
    assert not undated.overdue(dt.date(2099, 1, 1))


def test_a_wait_without_a_date_field_owes_nothing_by_a_day():
    assert FLOW.next_step("draft", dates(review_due=DAY)) == NextStep(AUTHOR, "submit", None)


def test_an_awaited_date_is_the_day_after_and_never_overdue():
    """``deadline=False``: the step becomes possible the day after (a publicity ends first)."""
    step = FLOW.next_step("approved", dates(publish_from=DAY, publish_by=DAY))
    assert step == NextStep(REVIEWER, "publish", DAY + dt.timedelta(days=1), deadline=False)
    assert not step.overdue(DAY + dt.timedelta(days=400))


def test_without_a_wait_the_next_step_is_times():
    step = FLOW.next_step("published", dates(archive_on=DAY))
    assert step == NextStep(SYSTEM, "archive", DAY + dt.timedelta(days=1))
    assert not step.overdue(DAY + dt.timedelta(days=30))  # time is never late
    assert FLOW.next_step("published", dates()) == NextStep(SYSTEM, "archive", None)


def test_a_final_state_has_no_next_step_and_an_open_one_without_wait_or_time_has_none():
    assert FLOW.next_step("archived", dates(archive_on=DAY)) is None
    assert FLOW.next_step("rejected", dates()) is None
    bare = example(timed=(), waits={})
    assert bare.next_step("approved", dates()) is None


def receipts() -> Workflow:
    """The example with a receipt: an archived document may still be answered by the reviewer
    until its answer is due (a conditional wait in a final state), and time records it
    answered after that (a step that keeps the state, due while ``answered_on`` is empty)."""
    return example(
        transitions=(
            *FLOW.transitions,
            t("answer", {"archived"}, None, {REVIEWER}, "签收", guards=["awaiting"]),
        ),
        timed=(
            *FLOW.timed,
            timed(
                "deem-answered",
                {"archived"},
                "archived",
                "answer_due",
                "视为签收",
                once_field="answered_on",
            ),
        ),
        waits={
            **FLOW.waits,
            "archived": Wait(REVIEWER, "answer", "answer_due", conditional=True),
        },
    )


def test_a_conditional_wait_holds_while_its_guards_hold_even_in_a_final_state():
    flow = receipts()
    day = dates(answer_due=DAY)
    assert flow.next_step("archived", day, guards()) == NextStep(REVIEWER, "answer", DAY, True)
    refused = guards(awaiting=Refusal("closed", "已过期限"))
    assert flow.next_step("archived", day, refused) is None  # final: nothing else
    assert flow.next_step("archived", day) is None  # no guard to ask: final
    with pytest.raises(ValueError, match="not an open state"):
        example(waits={"archived": Wait(REVIEWER, "publish", conditional=False)})


def test_a_time_step_that_records_is_due_once_and_may_keep_a_final_state():
    flow = receipts()
    after = DAY + dt.timedelta(days=1)
    deem = flow.timed_transition("deem-answered")
    assert flow.due_timed("archived", dates(answer_due=DAY), DAY) is None  # its last day
    assert flow.due_timed("archived", dates(answer_due=DAY), after) == deem
    assert flow.due_timed("archived", dates(answer_due=DAY, answered_on=DAY), after) is None
    with pytest.raises(ValueError, match="leaves a final state"):
        example(timed=(timed("x", {"archived"}, "draft", "d", "乙", once_field="d"),))


# --- 6. what comes after a state -------------------------------------------------------------


def test_states_after_follows_people_and_time():
    assert FLOW.states_after("approved") == {"approved", "published", "archived"}
    assert FLOW.states_after("published") == {"published", "archived"}  # by time alone
    assert FLOW.states_after("archived") == {"archived"}
    assert FLOW.states_after("draft") == set(STATES)


# --- 7. random workflows: check and available agree; states_after is the reach ----------------

NAMES = ["s0", "s1", "s2", "s3", "s4", "s5"]
PARTIES = ["p0", "p1", "p2"]


@st.composite
def workflows(draw: st.DrawFn) -> Workflow:
    count = draw(st.integers(2, len(NAMES)))
    states = NAMES[:count]
    final = frozenset(draw(st.sets(st.sampled_from(states), max_size=count - 1)))
    transitions = []
    for index in range(draw(st.integers(0, 6))):
        sources = draw(st.sets(st.sampled_from(states), min_size=1, max_size=3))
        outcome = draw(
            st.one_of(
                st.none(),
                st.sampled_from(states),
                st.lists(st.sampled_from(states), min_size=2, max_size=3, unique=True).map(tuple),
            )
        )
        parties = draw(st.sets(st.sampled_from(PARTIES), min_size=1))
        offered = draw(st.booleans())
        transitions.append(
            t(f"a{index}", sources, outcome, parties, f"步骤{index}", offered=offered)
        )
    open_states = [s for s in states if s not in final]
    timed_steps = []
    for index in range(draw(st.integers(0, 2))):
        if not open_states:
            break
        sources = draw(st.sets(st.sampled_from(open_states), min_size=1, max_size=2))
        timed_steps.append(timed(f"t{index}", sources, draw(st.sampled_from(states)), "d", "时"))
    return Workflow(
        name="random",
        noun="对象",
        states={s: s.upper() for s in states},
        final=final,
        transitions=tuple(transitions),
        timed=tuple(timed_steps),
    )


@settings(max_examples=150, deadline=None)
@given(
    flow=workflows(),
    data=st.data(),
)
def test_check_agrees_with_available(flow, data):
    state = data.draw(st.sampled_from(list(flow.states)))
    parties = data.draw(st.sets(st.sampled_from([*PARTIES, "stranger"])))
    offered = {x.action for x in flow.available(state, parties)}
    possible = {x.action for x in flow.available(state, parties, offered_only=False)}
    assert offered == {x.action for x in flow.transitions if x.offered} & possible
    for transition in flow.transitions:
        try:
            assert flow.check(transition.action, state, parties) is transition
            outcome = "allowed"
        except WorkflowError as error:
            outcome = error.status
        if not transition.parties & parties:
            assert outcome == 403
        elif state not in transition.sources:
            assert outcome == 409
        else:
            assert outcome == "allowed"
        assert (outcome == "allowed") is (transition.action in possible)


def _reach(flow: Workflow, state: str) -> set[str]:
    edges = {(s, target) for x in flow.transitions for s in x.sources for target in x.targets}
    edges |= {(s, x.target) for x in flow.timed for s in x.sources}
    seen = {state}
    changed = True
    while changed:
        changed = False
        for source, target in edges:
            if source in seen and target not in seen:
                seen.add(target)
                changed = True
    return seen


@settings(max_examples=150, deadline=None)
@given(flow=workflows(), data=st.data())
def test_states_after_is_exactly_the_reach(flow, data):
    state = data.draw(st.sampled_from(list(flow.states)))
    after = flow.states_after(state)
    assert after == _reach(flow, state)
    for other in after:  # closed: nothing reachable from inside leads outside
        assert flow.states_after(other) <= after
