"""The batch workflow (五): the ``BATCH`` table walked whole through the services, and the
rules around it — the publicity that time closes the day after it ends (whoever reads the
batch, exactly once, never while an objection is open), issuing certificate numbers all or
nothing inside segments, allocating segments, numbering under concurrency, attendance."""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections
from rest_framework.test import APIClient

from skillcert.accounts.services import issue_token
from skillcert.assessment.access import batches_for, get_batch_for_user
from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.assessment.models import Batch, Candidate, Inspection
from skillcert.assessment.services import implementation, objections, plans, receipt, results
from skillcert.assessment.workflow import BATCH, BatchParty, BatchState
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM, actor_ref, command_line_actor
from skillcert.certificates.models import Certificate, CertificateCounter, Segment
from skillcert.certificates.services.issuing import issue_batch
from skillcert.certificates.services.segments import allocate_segment
from skillcert.ops.samples import sample_batch, sample_candidates
from skillcert.registry.models import Objection, Organization
from skillcert.registry.services.organizations import revoke_organization
from skillcert.rules.errors import Conflict, Forbidden, NotFound
from skillcert.rules.workflow import SYSTEM as SYSTEM_PARTY
from skillcert.workflow.models import StateChange
from tests.assessment.factories import PLAN_DAY, START, batch_in, scores_for, segments_for
from tests.assessment.test_batch_permissions import file_on_record, fingerprint, objection_on

pytestmark = pytest.mark.django_db

FILING_NUMBER = "S000034010001"


@pytest.fixture
def organization(org_user) -> Organization:
    return file_on_record(org_user.membership.organization)


@pytest.fixture
def people(org_user, city_bureau, city_center, province_dept, inspector) -> dict[str, Any]:
    return {
        "owner": org_user,
        "bureau": city_bureau,
        "center": city_center,
        "dept": province_dept,
        "inspector": inspector,
    }


def walk(state: str, organization: Organization, user: Any, today: Any, **plan: Any) -> Batch:
    """A batch brought to ``state`` through the services (segments must be allocated for the
    later states)."""
    if state == "withdrawn":
        batch = batch_in("plan_filed", organization, user, today, **plan)
        receipt.withdraw_plan(batch, actor=user)
        return Batch.objects.get(pk=batch.pk)
    if state not in {"certificates_issued", "results_filed"}:
        return batch_in(state, organization, user, today, **plan)
    batch = batch_in("publicity_closed", organization, user, today, **plan)
    issue_batch(batch, actor=user)
    if state == "results_filed":
        today("2026-11-12")
        results.file_results(batch, actor=user)
    return Batch.objects.get(pk=batch.pk)


def batch_of(
    organization: Organization, user: Any, today: Any, *, level: int, passers: int, first: int
) -> Batch:
    """A batch of ``passers`` candidates, all at ``level`` and all passing, walked to the
    close of its publicity (candidates numbered from ``first``: distinct people per batch)."""
    body = sample_batch(START)
    body["items"] = [item for item in body["items"] if item["level"] == level]
    body["candidates"] = sample_candidates(passers, body["items"], start=first)
    today(PLAN_DAY)
    batch = plans.create_batch(organization, body, actor=user)
    plans.submit_plan(batch, actor=user)
    today("2026-11-03")
    results.enter_results(batch, scores_for(batch, failing=0), actor=user)
    today("2026-11-04")
    results.publicize_results(batch, actor=user)
    today("2026-11-11")  # the day after the publicity: reading the batch closes it
    return BATCH_MACHINE.catch_up(Batch.objects.get(pk=batch.pk))


def state_of(batch: Batch) -> str:
    return Batch.objects.get(pk=batch.pk).state


# --- 1. the table, walked whole ----------------------------------------------------------

# The date each action is attempted on: inside every window the action has (plan filing by
# 10-19; the assessment from 11-02; the publicity 11-04 … 11-10; results due 11-24).
ACTION_DAYS = {
    "edit": PLAN_DAY,
    "submit": PLAN_DAY,
    "inspections": "2026-11-03",
    "attendance": "2026-11-03",
    "results": "2026-11-03",
    "publicize": "2026-11-04",
    "objections": "2026-11-05",
    "uphold-objection": "2026-11-05",
    "issue": "2026-11-11",
    "file-results": "2026-11-12",
    # The center answers within 3 working days of the filing (plan 10-12, results 11-12);
    # a plan is withdrawn before its assessment starts (11-02).
    "receive": PLAN_DAY,
    "return": PLAN_DAY,
    "withdraw": "2026-10-20",
    "receive-results": "2026-11-13",
    "return-results": "2026-11-13",
}
# Who takes each action (a party the table names) and who may not (one it does not name,
# who can still see the batch). Everyone is the public: nobody is refused an objection.
RIGHT_PARTY = {
    "edit": "owner",
    "submit": "owner",
    "inspections": "inspector",
    "attendance": "owner",
    "results": "owner",
    "publicize": "owner",
    "objections": "public",
    "uphold-objection": "center",
    "issue": "owner",
    "file-results": "owner",
    "receive": "center",
    "return": "center",
    "withdraw": "owner",
    "receive-results": "center",
    "return-results": "center",
}
WRONG_PARTY = {
    "edit": "center",
    "submit": "bureau",
    "inspections": "owner",
    "attendance": "inspector",
    "results": "center",
    "publicize": "dept",
    "uphold-objection": "inspector",
    "issue": "center",
    "file-results": "dept",
    "receive": "bureau",  # the appraisal center receives, not the bureau
    "return": "owner",
    "withdraw": "center",
    "receive-results": "bureau",
    "return-results": "dept",
}
# Issuing a batch whose publicity is over: reading it (the service's lock) closes the
# publicity first (time's ``close-publicity``), then the organization issues.
THROUGH_TIME = {("issue", "in_publicity")}
# An objection to a batch whose results were never published is answered like an absent
# batch (api.md): 404, not 409.
UNPUBLISHED = {"draft", "plan_filed", "results_entered", "withdrawn"}


def take(action: str, batch: Batch, actor: Any) -> Any:
    """The action through its service."""
    first = batch.candidates.order_by("position").first()
    services: dict[str, Callable[[], Any]] = {
        "edit": lambda: plans.update_batch(batch, {"title": "焊工认定（改期）"}, actor=actor),
        "submit": lambda: plans.submit_plan(batch, actor=actor),
        "inspections": lambda: implementation.record_inspection(
            batch, {"stage": "理论知识考试", "findings": "秩序良好。"}, actor=actor
        ),
        "attendance": lambda: implementation.record_attendance(
            batch, {"absent": [first.id_number]}, actor=actor
        ),
        "results": lambda: results.enter_results(batch, scores_for(batch), actor=actor),
        "publicize": lambda: results.publicize_results(batch, actor=actor),
        "objections": lambda: objections.lodge_objection(
            batch, {"content": "第 2 名考生未到场。", "contact": "13900000000"}
        ),
        "uphold-objection": lambda: objections.resolve_objection(
            Objection.objects.get(batch=batch, state="open"),
            upheld=True,
            reason="经核实，成绩录入有误。",
            actor=actor,
        ),
        "issue": lambda: issue_batch(batch, actor=actor),
        "file-results": lambda: results.file_results(batch, actor=actor),
        "receive": lambda: receipt.receive_plan(batch, actor=actor),
        "return": lambda: receipt.return_plan(batch, reason="考评人员不足。", actor=actor),
        "withdraw": lambda: receipt.withdraw_plan(batch, actor=actor),
        "receive-results": lambda: receipt.receive_results(batch, actor=actor),
        "return-results": lambda: receipt.return_results(batch, reason="附件5 有误。", actor=actor),
    }
    return services[action]()


def _pair(state: str, action: str) -> Any:
    return pytest.param(state, action, id=f"{state}-{action}")


ACTIONS = [transition.action for transition in BATCH.transitions]
PAIRS = [_pair(state, action) for state in BatchState.values for action in ACTIONS]


def history(batch: Batch) -> list[tuple[str, str, str, str]]:
    return [
        (change.action, change.from_state, change.to_state, change.actor)
        for change in BATCH_MACHINE.history(batch)
    ]


@pytest.mark.parametrize(("state", "action"), PAIRS)
def test_each_state_and_action_of_the_table(
    organization, people, province_center, today, state, action
):
    segments_for(organization, province_center)
    batch = walk(state, organization, people["owner"], today)
    assert state_of(batch) == state
    transition = BATCH.transition(action)
    if action == "uphold-objection":
        objection_on(batch)
    today(ACTION_DAYS[action])

    if action in WRONG_PARTY:  # a party the table does not name: 403, whatever the state
        before = fingerprint()
        with pytest.raises(Forbidden) as forbidden:
            take(action, Batch.objects.get(pk=batch.pk), people[WRONG_PARTY[action]])
        assert (forbidden.value.status, forbidden.value.code) == (403, "forbidden")
        assert fingerprint() == before

    actor = people.get(RIGHT_PARTY[action])  # None: the public, signed out
    fresh = Batch.objects.get(pk=batch.pk)
    if state not in transition.sources:  # the state does not fit: refused, nothing changes
        before = fingerprint()
        expected = NotFound if action == "objections" and state in UNPUBLISHED else Conflict
        with pytest.raises(expected) as refused:
            take(action, fresh, actor)
        assert refused.value.status == (404 if expected is NotFound else 409)
        if expected is Conflict:
            codes = {"objections": "publicity_ended"}  # published once, and over
            assert refused.value.code == codes.get(action, "invalid_state")
        assert fingerprint() == before
        return
    entries, before = AuditEntry.objects.count(), history(batch)
    take(action, fresh, actor)
    target = transition.target or state
    assert state_of(batch) == target
    assert AuditEntry.objects.count() > entries  # every change leaves a trace
    added = history(batch)[len(before) :]
    if state == "plan_filed" and ACTION_DAYS[action] > "2026-10-15":
        # The center left the plan filed on 10-12 unanswered past its 3rd working day:
        # reading it first records it received by time.
        assert added[0] == ("deem-plan-received", state, state, SYSTEM.name)
        added = added[1:]
    if (action, state) in THROUGH_TIME:
        assert added[0] == ("close-publicity", state, "publicity_closed", SYSTEM.name)
        added, state = added[1:], "publicity_closed"
    if target != state:  # a move: exactly one history row, naming the step
        assert [row[:3] for row in added] == [(action, state, target)]
        assert added[0][3] == actor_ref(actor).name
    else:  # the state stays: a row, if the service keeps one, says so
        assert all(row[:3] == (action, state, state) for row in added), added


PARTY_OF = {
    "owner": BatchParty.ORGANIZATION,
    "center": BatchParty.CENTER,  # and the receiver (RECEIVERS)
    "bureau": BatchParty.CENTER,
    "inspector": BatchParty.INSPECTOR,
    "dept": BatchParty.PROVINCE,
    "public": BatchParty.PUBLIC,
}


def test_the_walk_covers_the_table_with_the_parties_it_names():
    assert {p.values[1] for p in PAIRS} == set(ACTIONS) == set(RIGHT_PARTY) == set(ACTION_DAYS)
    assert {p.values[0] for p in PAIRS} == set(BatchState.values) == set(BATCH.states)
    for transition in BATCH.transitions:
        action = transition.action
        right = RIGHT_PARTY[action]
        if transition.parties == {BatchParty.RECEIVER}:  # the city center alone
            assert right == "center", action
        else:
            assert PARTY_OF[right] in transition.parties, action
        if action in WRONG_PARTY:
            assert PARTY_OF[WRONG_PARTY[action]] not in transition.parties, action
        else:
            assert BatchParty.PUBLIC in transition.parties, action  # nobody to refuse


def test_the_people_are_the_parties_the_walk_says(organization, people, today):
    batch = walk("plan_filed", organization, people["owner"], today)
    for name, user in {**people, "public": None}.items():
        parties = BATCH_MACHINE.parties(user, batch)
        assert PARTY_OF[name] in parties, name
        assert BatchParty.PUBLIC in parties, name  # everyone may object to a publicity


def test_the_batch_table_is_the_workflow_of_the_notice():
    S, P = BatchState, BatchParty
    assert {
        t.action: (set(t.sources), t.targets, set(t.parties), t.guards, t.offered)
        for t in BATCH.transitions
    } == {
        "edit": ({S.DRAFT}, set(), {P.ORGANIZATION}, (), True),
        "submit": ({S.DRAFT}, {S.PLAN_FILED}, {P.ORGANIZATION}, (), True),
        "inspections": (
            {S.PLAN_FILED, S.RESULTS_ENTERED},
            set(),
            {P.INSPECTOR, P.CENTER, P.PROVINCE},
            (),
            True,
        ),
        "attendance": ({S.PLAN_FILED, S.RESULTS_ENTERED}, set(), {P.ORGANIZATION}, (), True),
        "results": (
            {S.PLAN_FILED, S.RESULTS_ENTERED},
            {S.RESULTS_ENTERED},
            {P.ORGANIZATION},
            (),
            True,
        ),
        "publicize": ({S.RESULTS_ENTERED}, {S.IN_PUBLICITY}, {P.ORGANIZATION}, (), True),
        "objections": ({S.IN_PUBLICITY}, set(), {P.PUBLIC}, ("publicity_running",), True),
        "uphold-objection": (
            {S.IN_PUBLICITY},
            {S.RESULTS_ENTERED},
            {P.CENTER, P.PROVINCE},
            (),
            False,
        ),
        "issue": (
            {S.IN_PUBLICITY, S.PUBLICITY_CLOSED},
            {S.CERTIFICATES_ISSUED},
            {P.ORGANIZATION},
            ("publicity_over", "no_open_objection"),
            True,
        ),
        "file-results": ({S.CERTIFICATES_ISSUED}, {S.RESULTS_FILED}, {P.ORGANIZATION}, (), True),
        # 九: the site city's appraisal center receives or returns a filing within 3 working
        # days; a returned plan is a draft again, returned results go back to be filed anew.
        "receive": ({S.PLAN_FILED}, set(), {P.RECEIVER}, ("plan_awaiting_receipt",), True),
        "return": ({S.PLAN_FILED}, {S.DRAFT}, {P.RECEIVER}, ("plan_awaiting_receipt",), True),
        "withdraw": ({S.PLAN_FILED}, {S.WITHDRAWN}, {P.ORGANIZATION}, ("not_started",), True),
        "receive-results": (
            {S.RESULTS_FILED},
            set(),
            {P.RECEIVER},
            ("results_awaiting_receipt",),
            True,
        ),
        "return-results": (
            {S.RESULTS_FILED},
            {S.CERTIFICATES_ISSUED},
            {P.RECEIVER},
            ("results_awaiting_receipt",),
            True,
        ),
    }
    close = BATCH.timed_transition("close-publicity")
    assert (set(close.sources), close.target, close.field, close.guards) == (
        {S.IN_PUBLICITY},
        S.PUBLICITY_CLOSED,
        "publicity_end",
        ("no_open_objection",),
    )
    for action, field in (
        ("deem-plan-received", "plan_receipt_due"),
        ("deem-results-received", "results_receipt_due"),
    ):
        deem = BATCH.timed_transition(action)
        assert deem.field == field and deem.sources == {deem.target}  # records, never moves
    assert BATCH.final == {S.RESULTS_FILED, S.WITHDRAWN}
    assert BATCH.states_after(S.IN_PUBLICITY) == {
        S.IN_PUBLICITY,
        S.PUBLICITY_CLOSED,
        S.RESULTS_ENTERED,  # an upheld objection sends the results back
        S.CERTIFICATES_ISSUED,
        S.RESULTS_FILED,
    }
    for transition in BATCH.transitions:
        # A filed result stays filed, but for the center's answer while it may give one.
        if transition.sources & BATCH.final:
            assert transition.action in {"receive-results", "return-results"}
        assert SYSTEM_PARTY not in transition.parties  # time's steps are its own


# Guards: the right party in a state the step starts from, refused (409, the guard's code)
# until the guard holds; nothing changes.
# fmt: off
GUARDED = [
    # action, batch, day, open objection, code
    ("issue", "in_publicity", "2026-11-10", False, "publicity_running"),  # its last day
    ("issue", "in_publicity", "2026-11-13", True, "objection_open"),
    ("objections", "in_publicity", "2026-11-11", False, "publicity_ended"),
    ("objections", "publicity_closed", "2026-11-11", False, "publicity_ended"),
]
# fmt: on


@pytest.mark.parametrize(
    ("action", "state", "day", "objection", "code"),
    GUARDED,
    ids=[f"{a}-{s}-{d}" for a, s, d, _, _ in GUARDED],
)
def test_a_guard_refuses_with_its_code_and_nothing_changes(
    organization, people, province_center, today, action, state, day, objection, code
):
    segments_for(organization, province_center)
    batch = walk(state, organization, people["owner"], today)
    if objection:
        objection_on(batch)
    today(day)
    before = fingerprint()
    with pytest.raises(Conflict) as refused:
        take(action, Batch.objects.get(pk=batch.pk), people.get(RIGHT_PARTY[action]))
    assert (refused.value.status, refused.value.code) == (409, code)
    assert fingerprint() == before


def test_available_is_what_the_walk_allows(organization, people, province_center, today):
    """``actions`` (what pages and the API offer) is the table for the party, the state and
    the guards: the organization may issue from the day after the publicity, not before."""
    batch = walk("in_publicity", organization, people["owner"], today)
    owner = people["owner"]
    today("2026-11-10")
    offered = [t.action for t in BATCH_MACHINE.available(batch, owner)]
    assert offered == ["objections"]  # the organization is also the public
    today("2026-11-11")
    batch = BATCH_MACHINE.catch_up(batch)
    assert [t.action for t in BATCH_MACHINE.available(batch, owner)] == ["issue"]
    for name in ("center", "bureau", "inspector", "dept"):
        assert BATCH_MACHINE.available(batch, people[name]) == [], name
    hidden = {"uphold-objection"}  # another step drives it: never offered
    for state in BatchState.values:
        for user in [*people.values(), None]:
            parties = BATCH_MACHINE.parties(user, batch)
            offered = {t.action for t in BATCH.available(state, parties, lambda _: None)}
            assert not offered & hidden


# --- time: the publicity closes itself the day after it ends --------------------------------


def close_rows(batch: Batch) -> list[tuple[str, str, str, str]]:
    return [
        (c.from_state, c.to_state, c.business_date.isoformat(), c.actor)
        for c in BATCH_MACHINE.history(batch).filter(action="close-publicity")
    ]


def read_by_owner(batch: Batch, owner: Any, how: str) -> str:
    """Read the batch as a person (or the sweep) would; returns the state seen."""
    if how == "get_batch_for_user":
        return get_batch_for_user(owner, batch.pk).state
    if how == "list":
        return batches_for(owner).get(pk=batch.pk).state
    if how == "api":
        client = APIClient()
        client.force_authenticate(owner)  # no token: issuing one is an audited login
        response = client.get(f"/api/v1/batches/{batch.pk}")
        assert response.status_code == 200, response.content
        return response.json()["state"]
    if how == "catch_up":
        return BATCH_MACHINE.catch_up(Batch.objects.get(pk=batch.pk)).state
    assert how == "sweep"
    results.close_due_publicities()
    return state_of(batch)


READERS = ["get_batch_for_user", "list", "api", "catch_up", "sweep"]


@pytest.mark.parametrize("how", READERS)
def test_the_day_after_the_publicity_reading_the_batch_closes_it_once(
    organization, org_user, today, how
):
    batch = batch_in("in_publicity", organization, org_user, today)
    assert batch.publicity_end.isoformat() == "2026-11-10"
    assert BATCH_MACHINE.next(batch) == {
        "party": "system",
        "action": "close-publicity",
        "label": "公示期满",
        "due": dt.date(2026, 11, 11),
        "deadline": False,  # not owed: the day time moves it, or no date
    }
    today("2026-11-10")  # the last day of the publicity: nothing moves
    before = fingerprint()
    assert read_by_owner(batch, org_user, how) == "in_publicity"
    assert fingerprint() == before

    today("2026-11-11")
    entries = AuditEntry.objects.count()
    assert read_by_owner(batch, org_user, how) == "publicity_closed"
    closed = Batch.objects.get(pk=batch.pk)
    assert closed.state == "publicity_closed"
    assert closed.results_due.isoformat() == "2026-11-24"  # 10 working days after 11-10
    assert close_rows(batch) == [("in_publicity", "publicity_closed", "2026-11-11", SYSTEM.name)]
    added = list(AuditEntry.objects.order_by("pk")[entries:])
    assert [(e.action, e.actor_role) for e in added] == [
        ("assessment.batch.close-publicity", "system")
    ]
    assert BATCH_MACHINE.next(closed)["action"] == "issue"
    assert BATCH_MACHINE.may(closed, org_user, "issue")

    settled = fingerprint()  # applied exactly once, whoever reads next and whenever
    for reader in READERS:
        assert read_by_owner(batch, org_user, reader) == "publicity_closed"
    today("2026-11-12")
    for reader in READERS:
        assert read_by_owner(batch, org_user, reader) == "publicity_closed"
    assert fingerprint() == settled
    assert close_rows(batch) == [("in_publicity", "publicity_closed", "2026-11-11", SYSTEM.name)]


def test_the_sweep_closes_a_publicity_once_after_its_end(organization, org_user, today):
    batch = batch_in("in_publicity", organization, org_user, today)
    today("2026-11-10")  # the last day of the publicity
    assert "结果公示期满 0 个批次" in sweep()
    assert state_of(batch) == "in_publicity"

    today("2026-11-11")
    assert "结果公示期满 1 个批次" in sweep()
    closed = Batch.objects.get(pk=batch.pk)
    assert closed.state == "publicity_closed"
    assert closed.results_due.isoformat() == "2026-11-24"  # 10 working days after 11-10
    assert "结果公示期满 0 个批次" in sweep()
    today("2026-11-12")
    sweep()
    assert close_rows(batch) == [("in_publicity", "publicity_closed", "2026-11-11", SYSTEM.name)]
    assert Batch.objects.get(pk=batch.pk).results_due == closed.results_due
    last = AuditEntry.objects.filter(action="assessment.batch.close-publicity").get()
    assert last.actor_role == "system"


def test_an_open_objection_keeps_the_publicity_open(organization, org_user, city_center, today):
    with_objection = batch_in("in_publicity", organization, org_user, today)
    objection = objection_on(with_objection)
    dismissed = batch_in("in_publicity", organization, org_user, today)
    objection_on(dismissed, state="dismissed")
    today("2026-11-13")
    before = StateChange.objects.count()
    assert read_by_owner(with_objection, org_user, "get_batch_for_user") == "in_publicity"
    assert Batch.objects.get(pk=with_objection.pk).results_due is None
    assert close_rows(with_objection) == []
    assert state_of(dismissed) == "publicity_closed"  # the same read closed the other
    assert StateChange.objects.count() == before + 1
    assert BATCH_MACHINE.next(Batch.objects.get(pk=with_objection.pk))["party"] == "system"
    assert not BATCH_MACHINE.may(with_objection, org_user, "issue")

    # Dismissing the last open objection lets time close it at once (attributed to time).
    objections.resolve_objection(
        objection, upheld=False, reason="经核实，考生到场。", actor=city_center
    )
    assert state_of(with_objection) == "publicity_closed"
    assert close_rows(with_objection) == [
        ("in_publicity", "publicity_closed", "2026-11-13", SYSTEM.name)
    ]
    assert BATCH_MACHINE.history(with_objection).last().action == "close-publicity"


def test_an_objection_upheld_after_the_end_sends_the_results_back(
    organization, org_user, city_center, today
):
    batch = batch_in("in_publicity", organization, org_user, today)
    objection = objection_on(batch)
    today("2026-11-13")
    objections.resolve_objection(
        objection, upheld=True, reason="经核实，成绩有误。", actor=city_center
    )
    assert state_of(batch) == "results_entered"
    assert close_rows(batch) == []
    assert read_by_owner(batch, org_user, "catch_up") == "results_entered"


def test_time_is_no_ones_button(organization, people, today):
    """No person takes ``close-publicity``: it is not an action, is never offered, and the
    sweep is no party of any person's step."""
    with pytest.raises(KeyError):
        BATCH.transition("close-publicity")
    batch = walk("in_publicity", organization, people["owner"], today)
    for user in [*people.values(), None]:
        assert "close-publicity" not in {t.action for t in BATCH_MACHINE.available(batch, user)}
    assert BATCH_MACHINE.parties(command_line_actor(), batch) == {SYSTEM_PARTY}
    for transition in BATCH.transitions:
        with pytest.raises(Forbidden):
            BATCH_MACHINE.check(batch, transition.action, command_line_actor())


def test_issuing_twice_is_refused_with_409(organization, people, province_center, today):
    segments_for(organization, province_center)
    batch = walk("certificates_issued", organization, people["owner"], today)
    client = APIClient(raise_request_exception=False)
    token, _ = issue_token(people["owner"])
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    before = fingerprint()
    response = client.post(f"/api/v1/batches/{batch.pk}/issue", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_state"
    assert fingerprint() == before


def test_issuing_before_the_publicity_names_the_state(organization, org_user, today):
    batch = batch_in("results_entered", organization, org_user, today)  # no segments at all
    before = fingerprint()
    with pytest.raises(Conflict) as refused:
        issue_batch(batch, actor=org_user)
    assert fingerprint() == before
    assert refused.value.code == "invalid_state", refused.value.code


# --- 2. issuing --------------------------------------------------------------------------


def allocate(organization: Organization, actor: Any, level: int, first: int, last: int) -> None:
    allocate_segment(
        {
            "organization": organization.pk,
            "year": 2026,
            "level": level,
            "first": first,
            "last": last,
        },
        actor=actor,
    )


@pytest.mark.parametrize("state", ["publicity_closed", "in_publicity"])
def test_a_level_without_serials_numbers_nobody(
    organization, org_user, province_center, today, state
):
    for level in (3, 4):
        allocate(organization, province_center, level, 1, 500)
    batch = batch_in(state, organization, org_user, today)
    levels = set(batch.candidates.filter(passed=True).values_list("level", flat=True))
    assert levels == {3, 4, 5}
    today("2026-11-11")  # the publicity is over (an in_publicity batch is closed first)
    before = fingerprint()
    with pytest.raises(Conflict) as refused:
        issue_batch(batch, actor=org_user)
    assert (refused.value.status, refused.value.code) == (409, "segments_exhausted")
    assert "五级" in refused.value.message or "初级工" in refused.value.message
    assert fingerprint() == before
    assert state_of(batch) == state
    assert not Certificate.objects.exists() and not CertificateCounter.objects.exists()


def test_serials_run_through_the_segments_in_order_and_continue_in_the_next_batch(
    organization, org_user, province_center, today
):
    allocate(organization, province_center, 4, 10, 20)  # allocated out of order on purpose
    allocate(organization, province_center, 4, 1, 3)
    first = batch_of(organization, org_user, today, level=4, passers=5, first=0)
    assert issue_batch(first, actor=org_user) == 5
    serials = list(
        Certificate.objects.filter(batch=first).order_by("serial").values_list("serial", flat=True)
    )
    assert serials == [1, 2, 3, 10, 11]

    second = batch_of(organization, org_user, today, level=4, passers=3, first=20)
    assert issue_batch(second, actor=org_user) == 3
    later = list(
        Certificate.objects.filter(batch=second).order_by("serial").values_list("serial", flat=True)
    )
    assert later == [12, 13, 14]  # after the last serial used, never again from 1

    numbers = list(Certificate.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 8
    assert sorted(numbers) == [f"{FILING_NUMBER}264{serial:06d}" for serial in [*serials, *later]]
    assert all(len(number) == 22 for number in numbers)
    counter = CertificateCounter.objects.get(organization=organization, year=2026, level=4)
    assert counter.last_serial == 14
    certificate = Certificate.objects.get(number=f"{FILING_NUMBER}264000001")
    assert (certificate.year, certificate.level, certificate.filing_number) == (
        2026,
        4,
        FILING_NUMBER,
    )
    assert certificate.candidate.batch_id == first.pk and certificate.candidate.passed


def test_numbers_carry_the_filing_number_year_level_and_serial(
    organization, org_user, province_center, today
):
    segments_for(organization, province_center)
    batch = walk("certificates_issued", organization, org_user, today)
    for candidate in Candidate.objects.filter(batch=batch):
        certificate = candidate.certificates.first()
        if not candidate.passed:
            assert certificate is None
            continue
        number, serial = certificate.number, certificate.serial
        assert number == f"{FILING_NUMBER}26{candidate.level}{serial:06d}"


@pytest.mark.parametrize("how", ["revoked", "expired", "pilot_failed"])
def test_an_organization_that_may_no_longer_certify_issues_nothing(
    organization, org_user, city_bureau, province_center, today, how
):
    segments_for(organization, province_center)
    batch = batch_in("publicity_closed", organization, org_user, today)
    if how == "revoked":
        revoke_organization(
            organization, reason="提供虚假材料。", category="false_materials", actor=city_bureau
        )
    else:
        Organization.objects.filter(pk=organization.pk).update(status=how)
    before = fingerprint()
    with pytest.raises(Conflict) as refused:
        issue_batch(Batch.objects.get(pk=batch.pk), actor=org_user)
    assert (refused.value.status, refused.value.code) == (409, "cannot_certify")
    assert fingerprint() == before


# --- 3. segments -------------------------------------------------------------------------


@pytest.fixture
def allocating(organization, province_center, client_for):
    allocate(organization, province_center, 3, 100, 200)
    client = client_for(province_center)

    def post(**changes: Any) -> Any:
        body = {"organization": organization.pk, "year": 2026, "level": 3, "first": 1, "last": 10}
        body.update(changes)
        return client.post("/api/v1/segments", body, format="json")

    return post


@pytest.mark.parametrize(
    ("first", "last"),
    [(150, 250), (50, 100), (200, 300), (1, 999_999), (120, 130), (100, 200)],
)
def test_overlapping_segments_are_refused(allocating, first, last):
    before = fingerprint()
    response = allocating(first=first, last=last)
    assert response.status_code == 409, response.json()
    assert response.json()["error"]["code"] == "segment_overlap"
    assert "100-200" in response.json()["error"]["message"]
    assert fingerprint() == before


@pytest.mark.parametrize(
    "changes",
    [
        {"first": 99, "last": 99},
        {"first": 201, "last": 999_999},
        {"level": 4, "first": 100, "last": 200},
        {"year": 2027, "first": 100, "last": 200},
    ],
    ids=["just before", "just after", "another level", "another year"],
)
def test_segments_that_touch_but_do_not_overlap_are_allocated(allocating, changes):
    count = Segment.objects.count()
    response = allocating(**changes)
    assert response.status_code == 201, response.json()
    assert Segment.objects.count() == count + 1


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"first": 300, "last": 250}, 400, "last"),
        ({"first": 0, "last": 5}, 400, "first"),
        ({"first": 999_000, "last": 1_000_000}, 400, "last"),
        ({"year": 1999}, 400, "year"),
        ({"year": 2100}, 400, "year"),
        ({"level": 6}, 400, "level"),
        ({"level": 0}, 400, "level"),
        ({"first": "一"}, 400, "first"),
        ({"organization": True}, 400, "organization"),
        ({"organization": "unfiled"}, 409, None),
        ({"organization": 999_999}, 404, None),
    ],
    ids=[
        "first after last",
        "serial 0",
        "serial 1000000",
        "year 1999",
        "year 2100",
        "level 6",
        "level 0",
        "not a number",
        "a boolean",
        "unfiled organization",
        "absent organization",
    ],
)
def test_bad_segments_create_nothing(allocating, other_organization, changes, status, field):
    if changes.get("organization") == "unfiled":
        changes = {"organization": other_organization.pk}
    before = fingerprint()
    response = allocating(**changes)
    assert response.status_code == status, response.json()
    error = response.json()["error"]
    if field:
        assert field in error["fields"], error
    if status == 409:
        assert error["code"] == "invalid_state"
    assert fingerprint() == before


def test_only_the_provincial_center_allocates(organization, people, province_dept):
    for actor in [*people.values(), province_dept]:
        with pytest.raises(Forbidden):
            allocate(organization, actor, 3, 1, 10)
    assert not Segment.objects.exists()


# --- 4. numbering under concurrency ------------------------------------------------------

PROCESSES = 2


def _issue_in_child(batch_pk: int, user_pk: int, queue: Any, barrier: Any) -> None:
    connections.close_all()  # never share the parent's connection after fork
    try:
        from skillcert.accounts.models import User

        batch = Batch.objects.get(pk=batch_pk)
        user = User.objects.get(pk=user_pk)
        barrier.wait(timeout=30)  # both start numbering at the same moment
        queue.put(("ok", issue_batch(batch, actor=user)))
    except Exception as exc:  # reported to the parent
        queue.put(("error", repr(exc)))
    finally:
        connections.close_all()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs parallel transactions")
@pytest.mark.django_db(transaction=True)
def test_parallel_issuing_gets_disjoint_consecutive_serials(org_user, province_center, today):
    organization = file_on_record(org_user.membership.organization)
    segments_for(organization, province_center)
    batches = [
        batch_in("publicity_closed", organization, org_user, today, candidates=30)
        for _ in range(PROCESSES)
    ]
    # The organization has numbered before: the counter rows exist (a first-ever insert
    # would serialise the processes by itself and hide a missing lock).
    for level in (3, 4, 5):
        CertificateCounter.objects.create(
            organization=organization, year=2026, level=level, last_serial=40
        )
    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    barrier = context.Barrier(PROCESSES)
    children = [
        context.Process(target=_issue_in_child, args=(batch.pk, org_user.pk, queue, barrier))
        for batch in batches
    ]
    for child in children:
        child.start()
    outcomes = [queue.get(timeout=60) for _ in children]
    for child in children:
        child.join(timeout=60)
    assert [kind for kind, _ in outcomes] == ["ok"] * PROCESSES, outcomes
    passers = Candidate.objects.filter(batch__in=batches, passed=True).count()
    assert sum(count for _, count in outcomes) == passers == Certificate.objects.count()
    for level in (3, 4, 5):
        serials = sorted(Certificate.objects.filter(level=level).values_list("serial", flat=True))
        assert serials == list(range(41, 41 + len(serials))), level  # no duplicate, no gap
        per_batch = [
            set(Certificate.objects.filter(level=level, batch=b).values_list("serial", flat=True))
            for b in batches
        ]
        assert not per_batch[0] & per_batch[1]
        counter = CertificateCounter.objects.get(organization=organization, level=level)
        assert counter.last_serial == 40 + len(serials)


# --- 5. the sweep ------------------------------------------------------------------------


def sweep() -> str:
    out = io.StringIO()
    call_command("sweep", stdout=out)
    return out.getvalue()


def test_the_sweep_leaves_a_publicity_with_an_open_objection(organization, org_user, today):
    with_objection = batch_in("in_publicity", organization, org_user, today)
    objection = objection_on(with_objection)
    dismissed = batch_in("in_publicity", organization, org_user, today)
    objection_on(dismissed, state="dismissed")
    today("2026-11-13")
    sweep()
    assert state_of(with_objection) == "in_publicity"
    assert Batch.objects.get(pk=with_objection.pk).results_due is None
    assert state_of(dismissed) == "publicity_closed"

    Objection.objects.filter(pk=objection.pk).update(state="dismissed")
    sweep()
    assert state_of(with_objection) == "publicity_closed"


def test_issuing_refuses_while_an_objection_is_open(organization, org_user, province_center, today):
    segments_for(organization, province_center)
    batch = batch_in("in_publicity", organization, org_user, today)
    objection_on(batch)
    today("2026-11-13")
    before = fingerprint()
    with pytest.raises(Conflict) as refused:
        issue_batch(batch, actor=org_user)
    assert refused.value.code == "objection_open"
    assert fingerprint() == before


# --- 6. attendance -----------------------------------------------------------------------


def passed_by_number(batch: Batch) -> dict[str, bool | None]:
    return dict(Candidate.objects.filter(batch=batch).values_list("id_number", "passed"))


def test_absent_candidates_do_not_pass_and_unmarking_restores_the_result(
    organization, org_user, today
):
    batch = batch_in("plan_filed", organization, org_user, today)
    today("2026-11-03")
    results.enter_results(batch, scores_for(batch, failing=1), actor=org_user)
    computed = passed_by_number(batch)
    numbers = list(batch.candidates.order_by("position").values_list("id_number", flat=True))
    assert computed[numbers[0]] is False and computed[numbers[1]] is True

    absent = numbers[1:3]  # two who scored well
    assert implementation.record_attendance(batch, {"absent": absent}, actor=org_user) == 2
    marked = passed_by_number(batch)
    assert [marked[n] for n in absent] == [False, False]
    assert {n: p for n, p in marked.items() if n not in absent} == {
        n: p for n, p in computed.items() if n not in absent
    }
    scores = dict(Candidate.objects.filter(batch=batch).values_list("id_number", "scores"))
    assert all(scores[n] for n in absent)  # the scores are kept, only the result changes

    implementation.record_attendance(batch, {"absent": []}, actor=org_user)
    assert passed_by_number(batch) == computed
    assert set(Candidate.objects.filter(batch=batch).values_list("attended", flat=True)) == {True}


def test_scores_entered_for_an_absent_candidate_do_not_pass(organization, org_user, today):
    batch = batch_in("plan_filed", organization, org_user, today)
    today("2026-11-02")
    number = batch.candidates.order_by("position").values_list("id_number", flat=True)[3]
    implementation.record_attendance(batch, {"absent": [number]}, actor=org_user)
    today("2026-11-03")
    results.enter_results(batch, scores_for(batch, failing=0), actor=org_user)
    assert passed_by_number(batch)[number] is False
    assert sum(passed_by_number(batch).values()) == 5


def test_an_absent_candidate_gets_no_certificate(organization, org_user, province_center, today):
    segments_for(organization, province_center)
    batch = batch_in("results_entered", organization, org_user, today)
    number = batch.candidates.filter(passed=True).order_by("position")[0].id_number
    implementation.record_attendance(batch, {"absent": [number]}, actor=org_user)
    today("2026-11-04")
    results.publicize_results(batch, actor=org_user)
    today("2026-11-11")
    issue_batch(batch, actor=org_user)
    assert not Certificate.objects.filter(id_number=number).exists()
    assert Certificate.objects.count() == 4


def test_attendance_names_only_candidates_of_the_batch(organization, org_user, today):
    from skillcert.rules.errors import InvalidInput

    batch = batch_in("plan_filed", organization, org_user, today)
    today("2026-11-03")
    before = fingerprint()
    with pytest.raises(InvalidInput):
        implementation.record_attendance(batch, {"absent": ["110101199001011237"]}, actor=org_user)
    with pytest.raises(InvalidInput):
        implementation.record_attendance(batch, {"absent": "all"}, actor=org_user)
    assert fingerprint() == before
    assert not Inspection.objects.exists()
