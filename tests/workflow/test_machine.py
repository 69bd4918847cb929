"""``workflow.machine.Machine``: a workflow bound to a model, on a small example table.

The example binds its own workflow to ``Batch`` (registered for the test only): two
time-driven steps that chain (the assessment begins after ``start_date``, ends after
``end_date``), a person's step with two outcomes, one with a guard. It checks what every
domain relies on: ``check`` answers 403/409 as ``Forbidden``/``Conflict``; ``move`` writes the
state, one ``StateChange`` row and one audit entry, and insists on a declared outcome;
``catch_up``/``catch_up_all``/``lock`` apply due time-driven steps — chained, by the system,
exactly once, from the day after the date, effects first.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import transaction

from skillcert.assessment.models import Batch
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM, actor_ref
from skillcert.rules.errors import Conflict, Forbidden
from skillcert.rules.workflow import Refusal, Workflow, t, timed
from skillcert.workflow import machine as machine_module
from skillcert.workflow.machine import Machine
from skillcert.workflow.models import StateChange
from tests.assessment.factories import batch_in
from tests.assessment.test_batch_permissions import file_on_record

pytestmark = pytest.mark.django_db

STATES = {
    "plan_filed": "已报备",
    "results_entered": "进行中",
    "in_publicity": "已结束",
    "publicity_closed": "甲",
    "certificates_issued": "乙",
    "results_filed": "归档",
}
EXAMPLE = Workflow(
    name="example",
    noun="示例",
    states=STATES,
    final=frozenset({"results_filed"}),
    transitions=(
        t(
            "decide",
            {"in_publicity"},
            ("publicity_closed", "certificates_issued"),
            {"owner"},
            "决定",
        ),
        t(
            "finish",
            {"publicity_closed", "certificates_issued"},
            "results_filed",
            {"owner"},
            "完成",
            guards=["titled"],
        ),
        t("note", {"plan_filed", "results_entered"}, None, {"owner", "officer"}, "备注"),
    ),
    timed=(
        timed("begin", {"plan_filed"}, "results_entered", "start_date", "开始"),
        timed("end", {"results_entered"}, "in_publicity", "end_date", "结束", guards=["titled"]),
    ),
)


@pytest.fixture
def example(monkeypatch) -> dict[str, Any]:
    """The example machine on ``Batch``, registered for this test only; ``calls`` records
    the time-driven effects as they run (with the state the batch had then)."""
    monkeypatch.setattr(machine_module, "_MACHINES", dict(machine_module._MACHINES))
    monkeypatch.setattr(machine_module, "_BY_MODEL", dict(machine_module._BY_MODEL))
    calls: list[tuple[str, str, str]] = []

    def parties(user: Any, batch: Batch) -> set[str]:
        if getattr(user, "role", None) == "organization":
            return {"owner"}
        return {"officer"} if getattr(user, "is_authenticated", False) else set()

    def titled(batch: Batch) -> Refusal | None:
        return None if batch.title else Refusal("untitled", "请先填写标题")

    def on_end(batch: Batch, actor: Any) -> None:
        calls.append(("end", batch.state, actor_ref(actor).name))

    machine = Machine(
        EXAMPLE,
        Batch,
        audit_prefix="example",
        parties=parties,
        roles=lambda party, batch: {"owner": "organization"}.get(party, "city_center"),
        guards={"titled": titled},
        timed_effects={"end": on_end},
    )
    return {"machine": machine, "calls": calls}


@pytest.fixture
def batches(org_user, today) -> list[Batch]:
    """Three batches assessed 11-02 … 11-03, in ``plan_filed``."""
    organization = file_on_record(org_user.membership.organization)
    return [batch_in("plan_filed", organization, org_user, today) for _ in range(3)]


def rows(batch: Batch) -> list[tuple[str, str, str, str, str]]:
    return [
        (c.action, c.from_state, c.to_state, c.actor, c.business_date.isoformat())
        for c in StateChange.objects.filter(workflow="example", object_id=batch.pk)
    ]


def test_a_machine_needs_a_predicate_for_each_declared_guard(monkeypatch):
    monkeypatch.setattr(machine_module, "_MACHINES", dict(machine_module._MACHINES))
    monkeypatch.setattr(machine_module, "_BY_MODEL", dict(machine_module._BY_MODEL))
    with pytest.raises(ValueError, match=r"guards without a predicate: \['titled'\]"):
        Machine(EXAMPLE, Batch, audit_prefix="x", parties=lambda u, o: set(), roles=lambda p, o: p)


def test_the_machine_is_found_by_name_and_by_model(example, batches):
    assert machine_module.machine("example") is example["machine"]
    assert machine_module.machine_for(batches[0]) is example["machine"]


def test_time_driven_steps_chain_on_reading_by_the_system_once(example, batches, today):
    machine, batch = example["machine"], batches[0]
    today("2026-11-02")  # the first day: nothing is due
    assert machine.catch_up(batch).state == "plan_filed"
    today("2026-11-03")  # the day after the start: it began; the end is today
    assert machine.catch_up(batch).state == "results_entered"
    assert machine.next(batch) == {
        "party": "system",
        "action": "end",
        "label": "结束",
        "due": dt.date(2026, 11, 4),
        "deadline": False,  # not owed: the day time moves it, or no date
    }
    today("2026-11-05")
    entries = AuditEntry.objects.count()
    batch = machine.catch_up(batch)
    assert batch.state == "in_publicity"
    assert rows(batch) == [
        ("begin", "plan_filed", "results_entered", SYSTEM.name, "2026-11-03"),
        ("end", "results_entered", "in_publicity", SYSTEM.name, "2026-11-05"),
    ]
    added = AuditEntry.objects.order_by("pk")[entries:]
    assert [(e.action, e.actor_role) for e in added] == [("example.end", "system")]
    assert example["calls"] == [("end", "results_entered", SYSTEM.name)]  # before the move
    settled = (StateChange.objects.count(), AuditEntry.objects.count())
    for _ in range(2):
        machine.catch_up(batch)
        assert machine.catch_up_all(Batch.objects.filter(pk=batch.pk)) == 0
    assert (StateChange.objects.count(), AuditEntry.objects.count()) == settled


def test_both_steps_at_once_when_nobody_read_in_between(example, batches, today):
    machine = example["machine"]
    today("2026-11-10")
    with transaction.atomic():
        locked = machine.lock(batches[0].pk)  # a service's lock applies them too
    assert locked.state == "in_publicity"
    assert [r[0] for r in rows(locked)] == ["begin", "end"]
    plain_state = Batch.objects.get(pk=batches[1].pk).state
    assert plain_state == "plan_filed"  # only what was read moved
    with transaction.atomic():
        assert machine.lock_plain(batches[1].pk).state == "plan_filed"  # as stored


def test_catch_up_all_moves_each_due_object_once(example, batches, today):
    machine = example["machine"]
    Batch.objects.filter(pk=batches[2].pk).update(start_date=dt.date(2026, 12, 1))
    Batch.objects.filter(pk=batches[1].pk).update(title="")  # the end's guard holds it
    today("2026-11-10")
    assert machine.catch_up_all() == 2 + 1  # two chains of two, but the second held at one
    assert [Batch.objects.get(pk=b.pk).state for b in batches] == [
        "in_publicity",
        "results_entered",
        "plan_filed",
    ]
    assert machine.catch_up_all() == 0
    assert machine.catch_up_all(Batch.objects.filter(pk=batches[2].pk)) == 0
    today("2026-12-02")
    assert machine.catch_up_all(Batch.objects.filter(pk=batches[0].pk)) == 0  # not in scope
    assert Batch.objects.get(pk=batches[2].pk).state == "plan_filed"
    assert machine.catch_up_all() == 2


def test_check_answers_403_for_the_party_and_409_for_the_state_or_a_guard(
    example, batches, org_user, city_center, today
):
    machine, batch = example["machine"], batches[0]
    today("2026-11-02")
    assert [t.action for t in machine.available(batch, org_user)] == ["note"]
    assert [t.action for t in machine.available(batch, city_center)] == ["note"]
    with pytest.raises(Forbidden) as forbidden:
        machine.check(batch, "decide", city_center)
    assert (forbidden.value.status, forbidden.value.code) == (403, "forbidden")
    with pytest.raises(Forbidden):
        machine.check_party(batch, "decide", city_center)  # whatever the state
    with pytest.raises(Conflict) as conflict:
        machine.check(batch, "decide", org_user)
    assert (conflict.value.status, conflict.value.code) == (409, "invalid_state")
    assert "「已报备」" in conflict.value.message and "「决定」" in conflict.value.message
    Batch.objects.filter(pk=batch.pk).update(state="publicity_closed", title="")
    batch.refresh_from_db()
    with pytest.raises(Conflict) as guarded:
        machine.check(batch, "finish", org_user)
    assert (guarded.value.code, guarded.value.message) == ("untitled", "请先填写标题")
    assert not machine.may(batch, org_user, "finish")
    with pytest.raises(Conflict):  # a step taken for a party, not by a person: same checks
        machine.check_as(batch, "finish", {"owner"})
    with pytest.raises(Forbidden):
        machine.check_as(batch, "finish", {"officer"})
    Batch.objects.filter(pk=batch.pk).update(title="有标题")
    batch.refresh_from_db()
    assert machine.check_as(batch, "finish", {"owner"}).target == "results_filed"
    assert machine.may(batch, org_user, "finish")


def test_move_writes_the_state_one_history_row_and_one_audit_entry(
    example, batches, org_user, today
):
    machine, batch = example["machine"], batches[0]
    Batch.objects.filter(pk=batch.pk).update(state="in_publicity")
    batch.refresh_from_db()
    today("2026-11-05")
    decide = machine.check(batch, "decide", org_user)
    with pytest.raises(ValueError, match="name the outcome"):
        machine.move(batch, decide, actor=org_user)
    with pytest.raises(ValueError, match="cannot lead to 'results_filed'"):
        machine.move(batch, decide, actor=org_user, outcome="results_filed")
    note = machine.workflow.transition("note")
    with pytest.raises(ValueError, match="cannot lead to"):
        machine.move(batch, note, actor=org_user, outcome="publicity_closed")
    assert Batch.objects.get(pk=batch.pk).state == "in_publicity"
    assert rows(batch) == []

    entries = AuditEntry.objects.count()
    batch.title = "改期后的标题"
    machine.move(
        batch,
        decide,
        actor=org_user,
        outcome="certificates_issued",
        note="理由",
        extra_fields=["title"],
    )
    stored = Batch.objects.get(pk=batch.pk)
    assert (stored.state, stored.title) == ("certificates_issued", "改期后的标题")
    who = actor_ref(org_user).name
    assert rows(batch) == [("decide", "in_publicity", "certificates_issued", who, "2026-11-05")]
    assert StateChange.objects.filter(workflow="example").get().note == "理由"
    entry = AuditEntry.objects.order_by("pk")[entries:].get()
    assert entry.action == "example.decide"
    assert json.loads(entry.before)["state"] == "in_publicity"
    assert json.loads(entry.after) == {
        "state": "certificates_issued",
        "title": "改期后的标题",
        "note": "理由",
    }


def test_apply_checks_on_the_locked_row_and_changes_nothing_when_refused(
    example, batches, org_user, city_center, today
):
    machine, batch = example["machine"], batches[0]
    today("2026-11-02")
    before = (StateChange.objects.count(), AuditEntry.objects.count())
    with pytest.raises(Forbidden):
        machine.apply(batch, "decide", actor=city_center)
    with pytest.raises(Conflict):
        machine.apply(batch, "decide", actor=org_user)
    assert (StateChange.objects.count(), AuditEntry.objects.count()) == before
    noted = machine.apply(batch, "note", actor=city_center, note="现场检查")
    assert noted.state == "plan_filed"  # a step that keeps the state still leaves a row
    assert rows(batch) == [
        ("note", "plan_filed", "plan_filed", actor_ref(city_center).name, "2026-11-02")
    ]
