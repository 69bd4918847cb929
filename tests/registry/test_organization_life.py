"""The life after filing (三 (三)-(四), 附件3), and the two workflow tables walked whole.

The ``FILING`` and ``ORGANIZATION`` tables of ``registry/workflow.py`` are walked pair by pair
through the services: every (state, action) is tried by the right party (allowed: the state
the table names, with one history row ``StateChange`` and an audit entry; refused:
``Conflict`` 409 and nothing changed), by every wrong party (``Forbidden`` 403, nothing
changed), and each guard refuses with its own code. Time's ``expire`` is walked the same
way, by reading. Then the organization's life through the API: pilot result, revocation,
expiry, renewal, scope change, cross-city and province-wide filings, mergers, and the end of
a city's number sequence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from skillcert.accounts.models import Authority
from skillcert.assessment.models import Batch
from skillcert.assessment.services import plans
from skillcert.assessment.services.objections import lodge_objection, resolve_objection
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM
from skillcert.ops.demo import demo_credit_code
from skillcert.ops.samples import sample_batch
from skillcert.registry.access import organizations_for
from skillcert.registry.machines import FILING_MACHINE, ORGANIZATION_MACHINE
from skillcert.registry.models import (
    Evaluation,
    FilingCase,
    FilingMaterial,
    FilingNumberCounter,
    FilingOccupation,
    Notice,
    Objection,
    Organization,
    OrganizationStatus,
    RetiredNumber,
    ScopeItem,
    ServiceArea,
)
from skillcert.registry.services import filings
from skillcert.registry.services import organizations as registry
from skillcert.registry.workflow import (
    ENDED_STATES,
    FILING,
    OPEN_STATES,
    ORGANIZATION,
    FilingState,
    OrganizationParty,
    Party,
)
from skillcert.rules.errors import Conflict, DomainError, Forbidden, NotFound
from skillcert.rules.filing import Material
from skillcert.workflow.models import StateChange
from tests.conftest import PASSWORD
from tests.registry.factories import application, attach_all, evaluation, submitted_case

pytestmark = pytest.mark.django_db

ALL_CITIES = [
    "01", "02", "03", "04", "05", "06", "07", "08",
    "10", "11", "12", "13", "24", "25", "29", "30",
]  # fmt: skip
A = Party.APPLICANT
R = Party.REVIEWER
E = Party.EVALUATOR
PUB = Party.PUBLIC


def post(client, path, data=None):
    return client.post(path, data or {}, format="json")


def authority(code: str) -> Authority:
    return Authority.objects.get(code=code)


def audit_count(action: str | None = None) -> int:
    """Audit entries (a token issued to make an API client is a login, not a change)."""
    entries = AuditEntry.objects.exclude(action="accounts.token_issued")
    return entries.filter(action=action).count() if action else entries.count()


def walk_to_filed(case: FilingCase, reviewer: Any, today: Any, *, publicize_on: str) -> FilingCase:
    """Accept, evaluate, select, publicize on ``publicize_on``, file the day after publicity."""
    filings.accept_filing(case, actor=reviewer)
    filings.record_evaluation(case, evaluation(), actor=reviewer)
    filings.select_filing(case, actor=reviewer)
    today(publicize_on)
    filings.publicize_filing(case, actor=reviewer)
    case.refresh_from_db()
    today((case.publicity_end + dt.timedelta(days=1)).isoformat())
    return filings.file_filing(case, actor=reviewer)


def file_initial(organization, user, bureau, today, **overrides) -> FilingCase:
    """Submitted 2026-09-18, publicized 2026-09-24 (ends 10-08), filed 2026-10-09."""
    today("2026-09-18")
    case = submitted_case(organization, user, **overrides)
    return walk_to_filed(case, bureau, today, publicize_on="2026-09-24")


def applicant_case(organization, user, data: dict[str, Any]) -> FilingCase:
    """A later case (renewal, scope change, cross-city) created, completed and submitted."""
    case = filings.create_filing(organization, {"pledge_signed": True, **data}, actor=user)
    attach_all(case, user)
    return filings.submit_filing(case, actor=user)


def register(username: str, name: str, body: str, division: str = "340104"):
    organization = registry.register_organization(
        username=username,
        password=PASSWORD,
        credit_code=demo_credit_code(division, body),
        name=name,
    )
    return organization, organization.members.get().user


def catalog(client, **params) -> list[str]:
    return [
        o["filing_number"]
        for o in client.get("/api/v1/public/organizations", params).json()["results"]
    ]


@pytest.fixture
def setup(occupation_catalog, org_user, organization, city_bureau, today):
    today("2026-09-18")
    return org_user, organization, city_bureau


# --- 1. the filing workflow table ----------------------------------------------------------


def test_the_filing_table_is_the_workflow_of_the_notice():
    S, P = FilingState, Party.PUBLIC
    assert {
        t.action: (set(t.sources), t.targets, set(t.parties), t.guards, t.offered)
        for t in FILING.transitions
    } == {
        # 一次性告知 (domain.md §9): resubmitted after 补正; withdrawn before selection.
        "submit": ({S.DRAFT, S.CORRECTION_REQUESTED}, {S.SUBMITTED}, {A}, (), True),
        "request-correction": ({S.SUBMITTED}, {S.CORRECTION_REQUESTED}, {R}, (), True),
        "withdraw": (
            {S.SUBMITTED, S.CORRECTION_REQUESTED, S.ACCEPTED, S.UNDER_EVALUATION},
            {S.WITHDRAWN},
            {A},
            (),
            True,
        ),
        "accept": ({S.SUBMITTED}, {S.ACCEPTED}, {R}, (), True),
        "not-accept": ({S.SUBMITTED}, {S.NOT_ACCEPTED}, {R}, (), True),
        "evaluations": (
            {S.ACCEPTED, S.UNDER_EVALUATION},
            {S.UNDER_EVALUATION},
            {R, E},
            (),
            True,
        ),
        "select": ({S.UNDER_EVALUATION}, {S.SELECTED}, {R}, ("has_evaluation",), True),
        "not-select": (
            {S.ACCEPTED, S.UNDER_EVALUATION, S.SELECTED},
            {S.NOT_SELECTED},
            {R},
            (),
            True,
        ),
        "publicize": ({S.SELECTED}, {S.IN_PUBLICITY}, {R}, (), True),
        "objections": ({S.IN_PUBLICITY}, set(), {P}, ("publicity_running",), True),
        "file": (
            {S.IN_PUBLICITY},
            {S.FILED},
            {R},
            ("publicity_over", "no_open_objection"),
            True,
        ),
        # Not a button: an objection upheld during publicity ends the case.
        "uphold-objection": ({S.IN_PUBLICITY}, {S.NOT_SELECTED}, {R}, (), False),
    }
    assert FILING.final == ENDED_STATES
    for transition in FILING.transitions:
        assert not transition.sources & ENDED_STATES  # an ended case stays ended
    assert set(FILING.waits) == OPEN_STATES  # an open case always waits for someone
    assert FILING.waits[S.IN_PUBLICITY].deadline is False  # a publicity is awaited, not late


STATE_DATES: dict[str, dict[str, dt.date]] = {
    "submitted": {"submitted_on": dt.date(2026, 9, 18), "acceptance_due": dt.date(2026, 10, 9)},
    "accepted": {"accepted_on": dt.date(2026, 9, 21)},
    "in_publicity": {
        "publicity_start": dt.date(2026, 9, 24),
        "publicity_end": dt.date(2026, 10, 8),
    },
    "filed": {"filed_on": dt.date(2026, 10, 9)},
    "correction_requested": {"correction_requested_on": dt.date(2026, 9, 21)},
    "withdrawn": {"withdrawn_on": dt.date(2026, 9, 21)},
}
REACHED = {
    "draft": [],
    "submitted": ["submitted"],
    "correction_requested": ["submitted", "correction_requested"],
    "withdrawn": ["submitted", "withdrawn"],
    "not_accepted": ["submitted", "accepted"],
    "accepted": ["submitted", "accepted"],
    "under_evaluation": ["submitted", "accepted"],
    "selected": ["submitted", "accepted"],
    "not_selected": ["submitted", "accepted"],
    "in_publicity": ["submitted", "accepted", "in_publicity"],
    "filed": ["submitted", "accepted", "in_publicity", "filed"],
}


def case_in(organization: Organization, state: str, *, city: str = "01", **fields) -> FilingCase:
    """A complete first-filing case in ``state``, built with the ORM."""
    data = application(organization)
    values: dict[str, Any] = {}
    for step in REACHED[state]:
        values.update(STATE_DATES[step])
    values.update(fields)
    case = FilingCase.objects.create(
        organization=organization,
        kind=values.pop("kind", "initial"),
        channel="city",
        authority=authority(city),
        category="S",
        state=state,
        basic=data["basic"],
        record=data["record"],
        narrative=data["narrative"],
        pledge_signed=True,
        **values,
    )
    FilingOccupation.objects.bulk_create(
        FilingOccupation(
            case=case,
            position=index,
            name=row["name"],
            code=row["code"],
            persons=row["persons"],
            levels=row["levels"],
            experience_level=row["experience_level"],
        )
        for index, row in enumerate(data["occupations"])
    )
    FilingMaterial.objects.bulk_create(
        FilingMaterial(
            case=case,
            type=material.value,
            original_name=f"{material.value}.pdf",
            stored_name=f"materials/absent/{material.value}.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
        )
        for material in Material
    )
    if state in {"under_evaluation", "selected", "in_publicity", "filed"}:
        Evaluation.objects.create(
            case=case, method="report", evaluators="张专家", date=dt.date(2026, 9, 22), opinion="可"
        )
    return case


def _act(action: str, case: FilingCase, actor: Any) -> None:
    reason = "材料与实际不符。"
    calls = {
        "submit": lambda: filings.submit_filing(case, actor=actor),
        "request-correction": lambda: filings.request_correction(
            case, {"items": [{"target": "basic.contact_phone", "message": "请核实"}]}, actor=actor
        ),
        "withdraw": lambda: filings.withdraw_filing(case, actor=actor),
        "accept": lambda: filings.accept_filing(case, actor=actor),
        "not-accept": lambda: filings.not_accept_filing(case, reason=reason, actor=actor),
        "evaluations": lambda: filings.record_evaluation(case, evaluation(), actor=actor),
        "select": lambda: filings.select_filing(case, actor=actor),
        "not-select": lambda: filings.not_select_filing(case, reason=reason, actor=actor),
        "publicize": lambda: filings.publicize_filing(case, actor=actor),
        "file": lambda: filings.file_filing(case, actor=actor),
        "objections": lambda: lodge_objection(
            case, {"content": "该机构场地与申报不符。", "contact": "13900000000"}, actor=actor
        ),
        "uphold-objection": lambda: resolve_objection(
            case.objections.get(), upheld=True, reason=reason, actor=actor
        ),
    }
    calls[action]()


def counts() -> tuple[Any, ...]:
    """What a registry step may change (compared before and after a refused one)."""
    return (
        audit_count(),
        StateChange.objects.count(),
        list(FilingCase.objects.order_by("pk").values_list("pk", "state")),
        list(Organization.objects.order_by("pk").values_list("pk", "status", "filing_number")),
        list(Objection.objects.order_by("pk").values_list("pk", "state")),
        Evaluation.objects.count(),
        Batch.objects.count(),
        Notice.objects.count(),
        RetiredNumber.objects.count(),
        list(FilingNumberCounter.objects.values_list("city", "last_serial")),
    )


@dataclass
class Attempt:
    """What one try did, seen inside its savepoint before it was rolled back."""

    error: DomainError | None
    after: str  # the state (or status) after it
    audit_added: int
    history: list[tuple[str, str, str]]  # the object's new StateChange rows
    unchanged: bool  # nothing at all changed (``counts``)
    outcome: Any = None


def rows_after(workflow: str, pk: int, mark: int) -> list[tuple[str, str, str]]:
    return list(
        StateChange.objects.filter(workflow=workflow, object_id=pk, pk__gt=mark).values_list(
            "action", "from_state", "to_state"
        )
    )


def last_change() -> int:
    return StateChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def attempt(action: str, case: FilingCase, actor: Any) -> Attempt:
    """Try the action in a savepoint rolled back afterwards."""
    with transaction.atomic():
        before, audits, mark = counts(), audit_count(), last_change()
        error = None
        try:
            _act(action, case, actor)
        except DomainError as raised:
            error = raised
        result = Attempt(
            error,
            FilingCase.objects.get(pk=case.pk).state,
            audit_count() - audits,
            rows_after("filing", case.pk, mark),
            counts() == before,
        )
        transaction.set_rollback(True)
    return result


@pytest.fixture
def personas(
    setup, other_org_user, city_center, other_city_bureau, province_dept, province_center,
    inspector, admin_user,
) -> dict[str, tuple[Any, set[Party]]]:  # fmt: skip
    """Each persona and the parties it is for a case of 合肥's organization filed in 合肥
    (everyone is the public, who may object to a publicity)."""
    org_user, _organization, bureau = setup
    return {
        "applicant": (org_user, {A, PUB}),
        "bureau": (bureau, {R, E, PUB}),
        "center": (city_center, {E, PUB}),
        "other organization": (other_org_user, {PUB}),
        "other city's bureau": (other_city_bureau, {PUB}),
        "province dept": (province_dept, {PUB}),
        "province center": (province_center, {PUB}),
        "inspector": (inspector, {PUB}),
        "admin": (admin_user, {PUB}),
    }


def test_the_personas_are_the_parties_the_machine_says(setup, personas):
    _, organization, _ = setup
    case = case_in(organization, "submitted")
    for name, (user, parties) in personas.items():
        assert FILING_MACHINE.parties(user, case) == parties, name


# The day each action is tried on: the publicity of ``case_in`` ran 09-24 … 10-08.
FILING_DAYS = {"objections": "2026-10-08"}


def expected_outcome(transition: Any, state: str, parties: set[str]) -> Any:
    """The table's answer: the state reached, or the refusal (type and status)."""
    if not parties & transition.parties:
        return Forbidden
    if state in transition.sources:
        return transition.target or state
    if transition.action == "objections":
        return NotFound  # a case not in publicity is answered like an absent one (api.md)
    return Conflict


def judge(result: Attempt, expected: Any, state: str, action: str) -> str | None:
    """None when the try did what the table says, else what went wrong."""
    if isinstance(expected, str):
        if result.error is not None or result.after != expected or not result.audit_added:
            return f"got {result.error!r} → {result.after}, expected {expected}"
        if expected != state:
            if result.history != [(action, state, expected)]:
                return f"history {result.history}, expected one row {state} → {expected}"
        elif any(row != (action, state, state) for row in result.history):
            return f"history {result.history} for a step that keeps the state"
        return None
    status = {Forbidden: 403, NotFound: 404, Conflict: 409}[expected]
    if not isinstance(result.error, expected) or result.error.status != status:
        return f"got {result.error!r} → {result.after}, expected {expected.__name__}"
    if expected is Forbidden and result.error.code != "forbidden":
        return f"403 with code {result.error.code}"
    if expected is Conflict and result.error.code != "invalid_state":
        return f"409 with code {result.error.code}, expected invalid_state"
    if not result.unchanged or result.after != state:
        return "refused, but something changed"
    return None


@pytest.mark.parametrize("action", [t.action for t in FILING.transitions])
def test_every_state_and_action_of_the_filing_table(setup, personas, today, action):
    _, organization, _ = setup
    today(FILING_DAYS.get(action, "2026-10-09"))  # after the publicity unless objecting
    transition = FILING.transition(action)
    wrong = []
    for state in FilingState.values:
        case = case_in(organization, state)
        if action == "uphold-objection":
            Objection.objects.create(filing=case, content="有异议。", contact="13800000000")
        for name, (user, parties) in personas.items():
            expected = expected_outcome(transition, state, parties)
            problem = judge(attempt(action, case, user), expected, state, action)
            if problem:
                wrong.append(f"{state} × {name}: {problem}")
    assert not wrong, "\n".join(wrong)


# A guard refuses the right party in the right state (409 with its code) and changes nothing.
# fmt: off
FILING_GUARDS = [
    # action, state, day, what else is true, code
    ("select", "under_evaluation", "2026-10-09", "no evaluation", "no_evaluation"),
    ("file", "in_publicity", "2026-10-08", "", "publicity_running"),  # its last day
    ("file", "in_publicity", "2026-10-09", "open objection", "objection_open"),
    ("objections", "in_publicity", "2026-10-09", "", "publicity_ended"),
]
# fmt: on


@pytest.mark.parametrize(
    ("action", "state", "day", "condition", "code"),
    FILING_GUARDS,
    ids=[f"{a}-{d}-{c or 'plain'}" for a, _, d, c, _ in FILING_GUARDS],
)
def test_a_guard_refuses_the_right_party_with_its_code(
    setup, personas, today, action, state, day, condition, code
):
    _, organization, _ = setup
    case = case_in(organization, state)
    if condition == "no evaluation":
        case.evaluations.all().delete()
    if condition == "open objection":
        Objection.objects.create(filing=case, content="有异议。", contact="13800000000")
    today(day)
    user = personas["applicant" if action == "objections" else "bureau"][0]
    assert action not in {t.action for t in FILING_MACHINE.available(case, user)}
    result = attempt(action, case, user)
    assert isinstance(result.error, Conflict), result.error
    assert (result.error.status, result.error.code) == (409, code)
    assert result.unchanged and result.after == state


def test_what_the_machine_offers_is_what_the_walk_allows(setup, personas, today):
    """``available`` (the buttons and the API's ``actions``) never offers a step the walk
    refuses, nor the objection's own step."""
    _, organization, _ = setup
    today("2026-10-09")
    for state in FilingState.values:
        case = case_in(organization, state)
        for name, (user, _parties) in personas.items():
            for transition in FILING_MACHINE.available(case, user):
                assert transition.offered, transition.action
                result = attempt(transition.action, case, user)
                assert result.error is None, f"{state} × {name}: {transition.action}"


def test_the_organization_table_is_the_life_of_the_notice():
    filed = {"in_pilot", "active", "pilot_failed"}
    OP = OrganizationParty
    assert {
        t.action: (set(t.sources), t.targets, set(t.parties), t.guards, t.offered)
        for t in ORGANIZATION.transitions
    } == {
        "apply": ({"applying", "expired"}, set(), {OP.SELF}, (), True),
        "batches": ({"applying", "in_pilot", "active"}, set(), {OP.SELF}, (), True),
        "file-initial": ({"applying", "expired"}, {"in_pilot"}, {OP.FILING}, (), False),
        "pilot-result": ({"in_pilot"}, {"active", "pilot_failed"}, {OP.DECIDER}, (), True),
        "recommend": (
            {"in_pilot", "active"},
            set(),
            {OP.RECOMMENDER},
            ("city_scope", "no_open_recommendation"),
            True,
        ),
        "revoke": (filed, {"revoked"}, {OP.DECIDER}, (), True),
        "merge-away": (filed, {"revoked"}, {OP.DECIDER}, (), False),
    }
    expire = ORGANIZATION.timed_transition("expire")
    assert (set(expire.sources), expire.target, expire.field, expire.guards) == (
        filed,
        "expired",
        "valid_until",
        ("no_renewal_pending",),
    )
    assert ORGANIZATION.final == {"revoked"}


LATER = dt.date(2029, 10, 8)  # a validity that has not ended on the days tried


def organization_in(status: str, serial: int, valid: dt.date = LATER) -> Organization:
    """An organization of 合肥 in ``status`` (filed by 合肥 unless it is still applying)."""
    applying = status == OrganizationStatus.APPLYING
    return Organization.objects.create(
        name=f"合肥第{serial}培训学校",
        credit_code=demo_credit_code("340104", f"LF{serial:06d}"),
        category="S",
        home_city=authority("01"),
        status=status,
        filing_number=None if applying else f"S00003401{serial + 100:04d}",
        filing_authority=None if applying else authority("01"),
        channel="" if applying else "city",
        filed_on=None if applying else dt.date(2023, 10, 9),
        valid_until=None if applying else valid,
        pilot_until=None if applying else dt.date(2024, 10, 8),
    )


def _org_prepare(action: str, organization: Organization) -> Any:
    """What the step needs before it is tried (not counted as its change)."""
    if action == "file-initial":
        return case_in(organization, "in_publicity")
    return None


def _org_act(
    action: str, outcome: str | None, organization: Organization, actor: Any, into: Any, made: Any
) -> Any:
    if action == "file-initial":
        return filings.file_filing(made, actor=actor)
    if action == "pilot-result":
        passed = outcome == OrganizationStatus.ACTIVE
        return registry.record_pilot_result(organization, passed=passed, actor=actor)
    if action == "recommend":
        return filings.recommend_province_wide(organization, actor=actor)
    if action == "revoke":
        return registry.revoke_organization(organization, reason="管理失序。", actor=actor)
    assert action == "merge-away", action
    return registry.merge_organizations(
        {"members": [organization.pk], "into": into.pk}, actor=actor
    )


def org_attempt(action, outcome, organization, actor, into) -> tuple[Attempt, int]:
    """(what the try did, numbers retired); rolled back."""
    with transaction.atomic():
        made = _org_prepare(action, organization)
        before, audits, mark = counts(), audit_count(), last_change()
        retired = RetiredNumber.objects.count()
        error = None
        try:
            _org_act(action, outcome, organization, actor, into, made)
        except DomainError as raised:
            error = raised
        result = Attempt(
            error,
            Organization.objects.get(pk=organization.pk).status,
            audit_count() - audits,
            rows_after("organization", organization.pk, mark),
            counts() == before,
        )
        newly_retired = RetiredNumber.objects.count() - retired
        transaction.set_rollback(True)
    return result, newly_retired


def organization_parties(name: str, status: str) -> set[str]:
    """The parties a persona is for an organization of 合肥 (``organization_in``)."""
    OP = OrganizationParty
    if name == "province dept":
        return {OP.DECIDER}
    if name == "bureau":  # it decides from the start (home city); recommends what it filed
        return (
            {OP.DECIDER} if status == OrganizationStatus.APPLYING else {OP.DECIDER, OP.RECOMMENDER}
        )
    return set()


# An officer's steps on an organization, one per result (``pilot-result`` has two); the
# organization's own steps are walked below, ``expire`` is time's.
ORG_STEPS = [
    pytest.param(t.action, outcome, id=f"{t.action}-{outcome}" if outcome else t.action)
    for t in ORGANIZATION.transitions
    if OrganizationParty.SELF not in t.parties
    for outcome in (sorted(t.outcomes) or [None])
]
SELF_STEPS = [t.action for t in ORGANIZATION.transitions if OrganizationParty.SELF in t.parties]
ORG_PERSONAS = [
    "province dept", "bureau", "center", "applicant", "other city's bureau", "admin",
]  # fmt: skip
EXITS = {"revoke", "merge-away"}  # the number is retired


@pytest.mark.parametrize(("action", "outcome"), ORG_STEPS)
def test_every_status_and_action_of_the_organization_table(setup, personas, today, action, outcome):
    today("2026-10-09")
    transition = ORGANIZATION.transition(action)
    into = organization_in("active", 9000)
    wrong = []
    for serial, status in enumerate(OrganizationStatus.values, start=1):
        organization = organization_in(status, serial)
        for name in ORG_PERSONAS:
            actor = personas[name][0]
            if action == "file-initial":
                # The filing case files its organization: its reviewer acts, for the case.
                parties = {OrganizationParty.FILING} if name == "bureau" else set()
            else:
                parties = organization_parties(name, status)
                assert ORGANIZATION_MACHINE.parties(actor, organization) == parties, name
            expected = expected_outcome(transition, status, parties)
            if expected == status and transition.outcomes:
                expected = outcome
            result, retired = org_attempt(action, outcome, organization, actor, into)
            problem = judge(result, expected, status, action)
            if problem is None and isinstance(expected, str):
                if retired != int(action in EXITS):
                    problem = f"{retired} numbers retired"
            if problem:
                wrong.append(f"{status} × {name}: {problem}")
    assert not wrong, "\n".join(wrong)


# fmt: off
ORG_GUARDS = [
    # action, status, what else is true, code
    ("recommend", "active", "province-wide", "invalid_state"),
    ("recommend", "in_pilot", "recommended", "case_open"),
]
# fmt: on


@pytest.mark.parametrize(("action", "status", "condition", "code"), ORG_GUARDS)
def test_a_guard_refuses_the_right_party_on_an_organization(
    setup, personas, today, action, status, condition, code
):
    today("2026-10-09")
    bureau = personas["bureau"][0]
    organization = organization_in(status, 1)
    if condition == "province-wide":
        Organization.objects.filter(pk=organization.pk).update(scope="province")
    else:
        filings.recommend_province_wide(organization, actor=bureau)
    organization.refresh_from_db()
    assert action not in {t.action for t in ORGANIZATION_MACHINE.available(organization, bureau)}
    result, _ = org_attempt(action, None, organization, bureau, None)
    assert isinstance(result.error, Conflict), result.error
    assert (result.error.code, result.unchanged) == (code, True)


def _self_step(action: str, organization: Organization, user: Any, client: Any) -> int:
    """The organization's own step, as it takes it: ``apply`` opens a first filing
    (``POST /api/v1/filings``), ``batches`` drafts a batch plan. Returns the HTTP status."""
    if action == "apply":
        return client.post("/api/v1/filings", {"kind": "initial"}, format="json").status_code
    assert action == "batches", action
    try:
        plans.create_batch(organization, sample_batch("2026-11-02"), actor=user)
    except DomainError as error:
        return error.status
    return 201


def test_the_walk_covers_the_organizations_own_steps():
    assert set(SELF_STEPS) == {"apply", "batches"}


@pytest.mark.parametrize("action", SELF_STEPS)
def test_every_status_and_the_organizations_own_steps(setup, personas, client_for, today, action):
    """The organization's own steps (``apply``: while applying or after its filing expired;
    ``batches``: unless it may no longer certify), refused to officers and other
    organizations whatever the status."""
    today("2026-10-09")
    _, organization, _ = setup
    transition = ORGANIZATION.transition(action)
    names = ["applicant", "bureau", "center", "province dept"]
    if action == "batches":  # (another organization's ``apply`` opens its own filing)
        names.append("other organization")
    clients = {name: client_for(personas[name][0]) for name in names}
    filed = organization_in("active", 1)  # the filing fields of a filed organization
    wrong = []
    for status in OrganizationStatus.values:
        fields: dict[str, Any] = {"status": status}
        if status != OrganizationStatus.APPLYING:
            fields.update(
                filing_number="S000034010999",
                filing_authority=filed.filing_authority,
                channel="city",
                filed_on=filed.filed_on,
                valid_until=filed.valid_until,
                pilot_until=filed.pilot_until,
            )
        Organization.objects.filter(pk=organization.pk).update(**fields)
        organization.refresh_from_db()
        for name, client in clients.items():
            user = personas[name][0]
            parties = {OrganizationParty.SELF} if name == "applicant" else set()
            assert ORGANIZATION_MACHINE.parties(user, organization) >= parties
            offered = ORGANIZATION_MACHINE.may(organization, user, action)
            with transaction.atomic():
                before, audits = counts(), audit_count()
                code = _self_step(action, organization, user, client)
                unchanged, added = counts() == before, audit_count() - audits
                after = Organization.objects.get(pk=organization.pk).status
                transaction.set_rollback(True)
            expected = expected_outcome(transition, status, parties)
            expected_code = {Forbidden: 403, Conflict: 409}.get(expected, 201)
            ok = code == expected_code and after == status
            ok = ok and (unchanged if code != 201 else added > 0 and not unchanged)
            ok = ok and offered is (code == 201)
            if not ok:
                wrong.append(f"{status} × {name}: {code}, expected {expected_code}")
    assert not wrong, "\n".join(wrong)


def test_merging_is_forbidden_to_a_wrong_party_whatever_the_status(setup, city_center, today):
    today("2026-10-09")
    into = organization_in("active", 9000)
    applying = organization_in("applying", 1)
    with pytest.raises(DomainError) as refused:
        registry.merge_organizations({"members": [applying.pk], "into": into.pk}, actor=city_center)
    assert isinstance(refused.value, Forbidden), f"{type(refused.value).__name__}: {refused.value}"


def test_nobody_is_offered_the_steps_other_steps_drive(setup, personas, today):
    """``file-initial`` (the filing case's) and ``merge-away`` (the merger's) are never buttons."""
    today("2026-10-09")
    for serial, status in enumerate(OrganizationStatus.values, start=1):
        organization = organization_in(status, serial)
        for name, (user, _parties) in personas.items():
            offered = {t.action for t in ORGANIZATION_MACHINE.available(organization, user)}
            assert not offered & {"file-initial", "merge-away"}, (status, name)


# --- time: a filing expires the day after its validity --------------------------------------


def read_organizations(how: str, organizations: list[Organization], reader: Any) -> None:
    if how == "expire_organization":
        for organization in organizations:
            registry.expire_organization(organization)
    elif how == "sweep":
        sweep()
    elif how == "organizations_for":
        list(organizations_for(reader))
    else:
        assert how == "lock", how
        for organization in organizations:
            with transaction.atomic():
                ORGANIZATION_MACHINE.lock(organization.pk)


@pytest.mark.parametrize("how", ["expire_organization", "sweep", "organizations_for", "lock"])
def test_a_filing_expires_the_day_after_its_validity_whoever_reads_it(setup, personas, today, how):
    """Time's ``expire`` for every status: from the day after ``valid_until`` a filed
    organization is ``expired`` (its number retired, a history row and an audit entry by the
    system), applied once; other statuses stay as they are."""
    ended = dt.date(2026, 10, 8)
    expire = ORGANIZATION.timed_transition("expire")
    organizations = {
        status: organization_in(status, serial, valid=ended)
        for serial, status in enumerate(OrganizationStatus.values, start=1)
    }
    reader = personas["province dept"][0]
    today("2026-10-08")  # its last valid day
    before = counts()
    read_organizations(how, list(organizations.values()), reader)
    assert counts() == before

    today("2026-10-09")
    audits, mark = audit_count(), last_change()
    read_organizations(how, list(organizations.values()), reader)
    wrong = []
    for status, organization in organizations.items():
        organization.refresh_from_db()
        due = status in expire.sources
        rows = rows_after("organization", organization.pk, mark)
        expected_rows = [("expire", status, "expired")] if due else []
        if organization.status != ("expired" if due else status) or rows != expected_rows:
            wrong.append(f"{status}: {organization.status}, {rows}")
        retired = RetiredNumber.objects.filter(number=organization.filing_number or "-")
        if retired.exists() is not due:
            wrong.append(f"{status}: retired {retired.exists()}")
    assert not wrong, "\n".join(wrong)
    moved = len(expire.sources)
    changes = StateChange.objects.filter(pk__gt=mark, workflow="organization")
    assert set(changes.values_list("actor", flat=True)) == {SYSTEM.name}
    expired_entries = AuditEntry.objects.filter(action="registry.organization.expired")
    assert expired_entries.count() == moved
    assert set(expired_entries.values_list("actor_role", flat=True)) == {"system"}
    assert audit_count() - audits == 2 * moved  # expired, and the number retired

    settled = counts()  # once: reading again, or later, changes nothing
    for again in ["expire_organization", "sweep", "organizations_for", "lock"]:
        read_organizations(again, list(organizations.values()), reader)
    today("2026-10-12")
    read_organizations(how, list(organizations.values()), reader)
    assert counts() == settled
    assert registry.expire_organization(organizations["active"]) is False


# What each step answers on the day after the validity of an organization in the pilot that
# nobody has read since (no sweep): the same as after the sweep (domain.md §8).
# fmt: off
AFTER_EXPIRY = [
    # step, who, status code (201/200: taken, as an expired organization may)
    ("apply", "applicant", 201),  # a first filing again
    ("batches", "applicant", 409),
    ("pilot-result", "bureau", 409),
    ("recommend", "bureau", 409),
    ("revoke", "bureau", 409),
    ("merge-away", "bureau", 409),
]
# fmt: on


@pytest.mark.parametrize(
    ("action", "who", "code"), AFTER_EXPIRY, ids=[a for a, _, _ in AFTER_EXPIRY]
)
def test_no_step_depends_on_the_sweep_having_run(
    setup, personas, client_for, today, action, who, code
):
    _, organization, _ = setup
    ended = dt.date(2026, 10, 8)
    Organization.objects.filter(pk=organization.pk).update(
        status="in_pilot",
        filing_number="S000034010999",
        filing_authority=authority("01"),
        channel="city",
        filed_on=dt.date(2023, 10, 9),
        valid_until=ended,
        pilot_until=dt.date(2024, 10, 8),
    )
    organization.refresh_from_db()
    into = organization_in("active", 9000)
    user = personas[who][0]
    client = client_for(user)
    today("2026-10-09")
    assert Organization.objects.get(pk=organization.pk).status == "in_pilot"  # as stored
    if action in SELF_STEPS:
        got = _self_step(action, organization, user, client)
    else:
        try:
            _org_act(action, "active", organization, user, into, None)
            got = 200
        except DomainError as error:
            got = error.status
    assert got == code
    list(organizations_for(personas["province dept"][0]))  # any read
    organization.refresh_from_db()
    assert (organization.status, organization.exit_reason) == ("expired", "")


@pytest.mark.parametrize(("step", "state"), [("submit", "draft"), ("file", "in_publicity")])
def test_a_case_cannot_change_an_organization_time_has_expired(setup, personas, today, step, state):
    """A scope change submitted or filed the day after the filing's validity, nobody having
    read the organization since: refused as after the sweep, and nothing changes."""
    _, organization, _ = setup
    Organization.objects.filter(pk=organization.pk).update(
        status="in_pilot",
        filing_number="S000034010999",
        filing_authority=authority("01"),
        channel="city",
        filed_on=dt.date(2023, 10, 9),
        valid_until=dt.date(2026, 10, 8),
        pilot_until=dt.date(2024, 10, 8),
    )
    case = case_in(organization, state, kind="scope_change")
    user = personas["applicant" if step == "submit" else "bureau"][0]
    today("2026-10-09")
    result = attempt(step, case, user)
    assert isinstance(result.error, Conflict), result.error
    assert result.unchanged and result.after == state


def test_no_person_expires_a_filing(setup, personas):
    with pytest.raises(KeyError):
        ORGANIZATION.transition("expire")
    organization = organization_in("active", 1)
    for name, (user, _parties) in personas.items():
        offered = {t.action for t in ORGANIZATION_MACHINE.available(organization, user)}
        assert "expire" not in offered, name


# --- 2. pilot result -----------------------------------------------------------------------


@pytest.fixture
def filed(setup, today) -> Organization:
    """合肥's organization, filed 2026-10-09 (S000034010001, valid until 2029-10-08)."""
    org_user, organization, bureau = setup
    file_initial(organization, org_user, bureau, today)
    organization.refresh_from_db()
    return organization


def test_pilot_passed_makes_the_organization_active(filed, client_for, city_bureau, public_client):
    response = post(
        client_for(city_bureau), f"/api/v1/organizations/{filed.pk}/pilot-result", {"passed": True}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "active"
    assert catalog(public_client) == [filed.filing_number]


def test_pilot_failed_leaves_the_catalog(
    filed, client_for, province_dept, city_center, other_city_bureau, public_client
):
    url = f"/api/v1/organizations/{filed.pk}/pilot-result"
    before = audit_count()
    assert post(client_for(province_dept), url, {"passed": "no"}).json()["error"]["fields"][
        "passed"
    ]
    assert post(client_for(city_center), url, {"passed": False}).status_code == 403
    assert post(client_for(other_city_bureau), url, {"passed": False}).status_code == 404
    assert audit_count() == before
    assert Organization.objects.get(pk=filed.pk).status == "in_pilot"
    response = post(client_for(province_dept), url, {"passed": False})
    assert response.status_code == 200 and response.json()["status"] == "pilot_failed"
    assert catalog(public_client) == []
    again = post(client_for(province_dept), url, {"passed": True})
    assert again.status_code == 409  # the pilot was decided


# --- 3. revocation ---------------------------------------------------------------------------


def test_revocation_retires_the_number_and_announces_the_exit(
    filed, client_for, city_bureau, province_dept, public_client, today
):
    today("2027-03-15")
    officer = client_for(city_bureau)
    url = f"/api/v1/organizations/{filed.pk}/revoke"
    before = (audit_count(), RetiredNumber.objects.count(), Notice.objects.count())
    for body in ({}, {"reason": "   "}):
        refused = post(officer, url, body)
        assert refused.status_code == 400 and "reason" in refused.json()["error"]["fields"]
    bad_category = post(officer, url, {"reason": "x", "category": "merged"})
    assert bad_category.status_code == 400
    assert (audit_count(), RetiredNumber.objects.count(), Notice.objects.count()) == before
    assert catalog(public_client) == ["S000034010001"]

    revoked = post(
        officer, url, {"reason": "伪造考评人员资质证明。", "category": "false_materials"}
    )
    assert revoked.status_code == 200, revoked.json()
    assert revoked.json()["status"] == "revoked"
    assert revoked.json()["filing_number"] == "S000034010001"  # kept as history
    retired = officer.get("/api/v1/registry/retired").json()["results"]
    assert [
        (r["number"], r["organization_name"], r["reason"], r["retired_on"]) for r in retired
    ] == [("S000034010001", filed.name, "false_materials", "2027-03-15")]
    assert "伪造" in retired[0]["detail"]
    assert client_for(province_dept).get("/api/v1/registry/retired").json()["count"] == 1
    assert catalog(public_client) == []
    notices = public_client.get("/api/v1/public/notices", {"kind": "exit"}).json()["results"]
    assert len(notices) == 1
    assert filed.name in notices[0]["title"] and "S000034010001" in notices[0]["body"]
    assert notices[0]["starts_on"] == "2027-03-15"

    after_first = audit_count()
    twice = post(client_for(province_dept), url, {"reason": "再次撤销。"})
    assert twice.status_code == 409
    assert audit_count() == after_first and RetiredNumber.objects.count() == 1


# --- 4. expiry by the daily sweep ----------------------------------------------------------


def sweep() -> str:
    out = StringIO()
    call_command("sweep", stdout=out)
    return out.getvalue()


def test_the_sweep_expires_a_filing_past_its_validity_once(filed, today, public_client):
    assert filed.valid_until == dt.date(2029, 10, 8)
    today("2029-10-08")  # its last valid day
    sweep()
    assert Organization.objects.get(pk=filed.pk).status == "in_pilot"
    today("2029-10-09")
    assert "备案到期注销 1 个" in sweep()
    assert "备案到期注销 0 个" in sweep()
    organization = Organization.objects.get(pk=filed.pk)
    assert organization.status == "expired"
    retired = RetiredNumber.objects.get()
    assert (retired.number, retired.reason) == ("S000034010001", "expired")
    assert retired.retired_on == dt.date(2029, 10, 9)
    assert audit_count("registry.organization.expired") == 1
    assert audit_count("registry.filing_number_retired") == 1
    assert catalog(public_client) == []


def test_an_open_renewal_keeps_the_organization_from_expiring(filed, org_user, today):
    today("2029-09-03")
    renewal = applicant_case(filed, org_user, {"kind": "renewal"})
    assert renewal.state == "submitted"
    today("2029-10-09")
    sweep()
    assert Organization.objects.get(pk=filed.pk).status == "in_pilot"
    assert RetiredNumber.objects.count() == 0


def test_the_sweep_flags_overdue_submissions_once(setup, today, client_for):
    org_user, organization, bureau = setup
    case = submitted_case(organization, org_user)  # submitted 2026-09-18, due 2026-10-09
    today("2026-10-09")
    sweep()
    assert FilingCase.objects.get(pk=case.pk).overdue is False  # due today: not yet late
    today("2026-10-12")
    assert "标记受理超期 1 件" in sweep()
    assert "标记受理超期 0 件" in sweep()
    assert FilingCase.objects.get(pk=case.pk).overdue is True
    assert audit_count("registry.filing.flagged_overdue") == 1
    accepted = post(client_for(bureau), f"/api/v1/filings/{case.pk}/accept").json()
    assert accepted["state"] == "accepted" and accepted["overdue"] is True


# --- 5. renewal ------------------------------------------------------------------------------


def test_renewal_keeps_the_number_and_continues_from_the_old_expiry(
    filed, org_user, city_bureau, today
):
    assert (filed.filed_on, filed.valid_until) == (dt.date(2026, 10, 9), dt.date(2029, 10, 8))
    today("2029-08-01")
    renewal = applicant_case(filed, org_user, {"kind": "renewal"})
    walk_to_filed(renewal, city_bureau, today, publicize_on="2029-08-06")
    organization = Organization.objects.get(pk=filed.pk)
    assert organization.filing_number == "S000034010001"
    assert organization.valid_until == dt.date(2032, 10, 8)
    assert organization.status == "in_pilot"
    assert FilingNumberCounter.objects.get(city="01").last_serial == 1


def test_renewal_after_expiry_is_refused(filed, org_user, client_for, today):
    client = client_for(org_user)
    today("2029-10-09")  # expired, not yet swept
    before = FilingCase.objects.count()
    late = post(client, "/api/v1/filings", {"kind": "renewal"})
    assert late.status_code == 409, late.json()
    sweep()
    swept = post(client, "/api/v1/filings", {"kind": "renewal"})
    assert swept.status_code == 409, swept.json()
    assert FilingCase.objects.count() == before


def test_a_renewal_drafted_before_expiry_cannot_revive_an_expired_filing(
    filed, org_user, city_bureau, today
):
    today("2029-09-28")
    renewal = filings.create_filing(
        filed, {"kind": "renewal", "pledge_signed": True}, actor=org_user
    )
    attach_all(renewal, org_user)
    today("2029-10-09")
    sweep()  # a draft does not hold the expiry off
    assert Organization.objects.get(pk=filed.pk).status == "expired"
    refused = False
    try:
        filings.submit_filing(renewal, actor=org_user)
        walk_to_filed(renewal, city_bureau, today, publicize_on="2029-10-10")
    except Conflict:
        refused = True
    organization = Organization.objects.get(pk=filed.pk)
    assert (organization.status, organization.valid_until) == ("expired", dt.date(2029, 10, 8))
    assert refused


# --- 6. scope change -------------------------------------------------------------------------

NEW_SCOPE = [
    {"name": "电工", "code": "6-31-01-03", "levels": [4, 5], "persons": 800},
    {"name": "茶艺师", "code": "4-03-02-07", "levels": [3, 4, 5], "persons": 300},
]


def test_scope_change_keeps_the_number_and_replaces_the_scope(
    filed, org_user, city_bureau, client_for, today
):
    today("2027-03-01")
    change = applicant_case(filed, org_user, {"kind": "scope_change", "occupations": NEW_SCOPE})
    walk_to_filed(change, city_bureau, today, publicize_on="2027-03-02")
    body = client_for(org_user).get(f"/api/v1/organizations/{filed.pk}").json()
    assert body["filing_number"] == "S000034010001"
    assert body["valid_until"] == "2029-10-08"
    assert sorted((o["code"], o["levels"]) for o in body["occupations"]) == [
        ("4-03-02-07", [3, 4, 5]),
        ("6-31-01-03", [4, 5]),
    ]


def standing(organization: Organization) -> tuple[Any, ...]:
    """What a filing may change about an organization."""
    organization = Organization.objects.get(pk=organization.pk)
    return (
        organization.status,
        organization.scope,
        organization.valid_until,
        sorted(ServiceArea.objects.filter(organization=organization).values_list("city__code")),
        sorted(
            ScopeItem.objects.filter(organization=organization).values_list(
                "occupation_code", "levels"
            )
        ),
    )


@pytest.mark.parametrize("kind", ["scope_change", "cross_city", "province_wide"])
def test_an_open_case_cannot_change_a_revoked_organization(
    filed, org_user, city_bureau, other_city_bureau, province_dept, today, kind
):
    today("2027-03-01")
    if kind == "province_wide":
        case, reviewer = filings.recommend_province_wide(filed, actor=city_bureau), province_dept
    elif kind == "cross_city":
        case = applicant_case(filed, org_user, {"kind": "cross_city", "city": "02"})
        reviewer = other_city_bureau
    else:
        case = applicant_case(filed, org_user, {"kind": "scope_change", "occupations": NEW_SCOPE})
        reviewer = city_bureau
    registry.revoke_organization(filed, reason="管理失序。", actor=city_bureau)
    before = standing(filed)
    refused = False
    try:
        walk_to_filed(case, reviewer, today, publicize_on="2027-03-02")
    except Conflict:
        refused = True
    assert standing(filed) == before
    assert refused


# --- 7. cross-city ---------------------------------------------------------------------------


def test_cross_city_filing_adds_the_city_and_keeps_the_number(
    filed, org_user, city_bureau, other_city_bureau, client_for, public_client, today
):
    applicant = client_for(org_user)
    before = FilingCase.objects.count()
    own_city = post(applicant, "/api/v1/filings", {"kind": "cross_city", "city": "01"})
    assert own_city.status_code == 400 and "city" in own_city.json()["error"]["fields"]
    assert FilingCase.objects.count() == before

    today("2026-11-02")
    case = applicant_case(filed, org_user, {"kind": "cross_city", "city": "02"})
    assert case.authority.code == "02"
    refused = post(client_for(city_bureau), f"/api/v1/filings/{case.pk}/accept")
    assert refused.status_code == 403
    walk_to_filed(case, other_city_bureau, today, publicize_on="2026-11-03")
    body = client_for(city_bureau).get(f"/api/v1/organizations/{filed.pk}").json()
    assert body["cities"] == ["01", "02"]
    assert body["filing_number"] == "S000034010001"
    assert body["filing_authority"] == "01"
    assert client_for(other_city_bureau).get(f"/api/v1/organizations/{filed.pk}").status_code == 200
    assert catalog(public_client, city="02") == ["S000034010001"]
    again = post(applicant, "/api/v1/filings", {"kind": "cross_city", "city": "02"})
    assert again.status_code == 400  # it already serves 芜湖


# --- 8. province-wide ------------------------------------------------------------------------


def _recommend(client, organization):
    return post(client, f"/api/v1/organizations/{organization.pk}/recommend")


def test_province_wide_filing_from_a_city_recommendation(
    filed, client_for, city_bureau, city_center, other_city_bureau, province_dept,
    public_client, today,
):  # fmt: skip
    today("2026-11-02")
    before = (FilingCase.objects.count(), audit_count())
    assert _recommend(client_for(other_city_bureau), filed).status_code == 404
    assert _recommend(client_for(city_center), filed).status_code == 403
    assert _recommend(client_for(province_dept), filed).status_code == 403
    assert (FilingCase.objects.count(), audit_count()) == before

    recommended = _recommend(client_for(city_bureau), filed)
    assert recommended.status_code == 201, recommended.json()
    case = recommended.json()
    assert (case["kind"], case["state"], case["city"]) == ("province_wide", "submitted", "00")
    assert _recommend(client_for(city_bureau), filed).status_code == 409  # one at a time

    dept = client_for(province_dept)
    url = f"/api/v1/filings/{case['id']}"
    assert post(client_for(city_bureau), f"{url}/accept").status_code == 403
    assert post(dept, f"{url}/accept").json()["state"] == "accepted"
    assert post(dept, f"{url}/evaluations", evaluation()).status_code == 201
    selected = post(dept, f"{url}/select")
    assert selected.status_code == 200, selected.json()
    assert post(dept, f"{url}/publicize").json()["state"] == "in_publicity"
    end = FilingCase.objects.get(pk=case["id"]).publicity_end
    today((end + dt.timedelta(days=1)).isoformat())
    filed_case = post(dept, f"{url}/file")
    assert filed_case.status_code == 200, filed_case.json()
    assert filed_case.json()["filing_number"] == "S000034010001"

    body = dept.get(f"/api/v1/organizations/{filed.pk}").json()
    assert body["scope"] == "province"
    assert body["cities"] == ALL_CITIES
    assert catalog(public_client, scope="province") == ["S000034010001"]
    assert catalog(public_client, city="29") == ["S000034010001"]


def _scale(client, case_pk) -> dict[str, Any]:
    checklist = client.get(f"/api/v1/filings/{case_pk}").json()["checklist"]
    return next(item for item in checklist if item["rule"] == "3_scale")


@pytest.mark.parametrize("subsidised", [True, False])
def test_province_wide_thresholds_or_subsidised_training(
    setup, client_for, province_dept, today, subsidised
):
    org_user, organization, bureau = setup
    small = [
        {"name": "焊工", "code": "6-18-02-04", "levels": [3, 4, 5], "persons": 1200},
        {"name": "电工", "code": "6-31-01-03", "levels": [4, 5], "persons": 900},
    ]
    record = {"years_continuous": 3, "persons_total": 2100, "subsidised_training": subsidised}
    file_initial(organization, org_user, bureau, today, occupations=small, record=record)
    case = filings.recommend_province_wide(organization, actor=bureau)
    dept = client_for(province_dept)
    item = _scale(dept, case.pk)
    assert "面向全省" in item["title"]
    assert item["passed"] is subsidised
    if subsidised:
        assert "补贴性" in item["detail"]
    else:
        assert "5 年" in item["detail"] and "20000 人次" in item["detail"]
        assert "5000 人次" in item["detail"]
    filings.accept_filing(case, actor=province_dept)
    filings.record_evaluation(case, evaluation(), actor=province_dept)
    selected = post(dept, f"/api/v1/filings/{case.pk}/select")
    if subsidised:
        assert selected.status_code == 200, selected.json()
    else:
        assert selected.status_code == 409
        assert selected.json()["error"]["code"] == "conditions_not_met"
        assert FilingCase.objects.get(pk=case.pk).state == "under_evaluation"


def test_province_wide_scale_passes_on_numbers_alone(filed, client_for, province_dept, city_bureau):
    """The sample record: 6 years, 21,000 person-times, 6,000 and 5,200 per occupation."""
    case = filings.recommend_province_wide(filed, actor=city_bureau)
    item = _scale(client_for(province_dept), case.pk)
    assert item["passed"] is True and "达到" in item["detail"]


# --- 9. mergers ------------------------------------------------------------------------------

SECOND_SCOPE = [
    {"name": "电工", "code": "6-31-01-03", "levels": [2, 3], "experience_level": 3},
    {"name": "茶艺师", "code": "4-03-02-07", "levels": [4, 5]},
]


# The first's scope (焊工 2-5, 电工 3-5) and the second's, united level by level.
UNITED = {("6-18-02-04", (2, 3, 4, 5)), ("6-31-01-03", (2, 3, 4, 5)), ("4-03-02-07", (4, 5))}


@pytest.fixture
def two_filed(filed, city_bureau, today) -> tuple[Organization, Organization]:
    """合肥's organization (S000034010001) and a second one of 合肥 (S000034010002)."""
    second, user = register("org_hf2", "合肥第二职业培训学校", "TT000005")
    file_initial(second, user, city_bureau, today, occupations=SECOND_SCOPE)
    second.refresh_from_db()
    assert second.filing_number == "S000034010002"
    today("2027-01-11")
    return filed, second


def _scope(organization) -> set[tuple[str, tuple[int, ...]]]:
    return {
        (item.occupation_code, tuple(item.levels))
        for item in ScopeItem.objects.filter(organization=organization)
    }


def test_merger_into_an_existing_organization(two_filed, client_for, city_bureau, public_client):
    first, second = two_filed
    response = post(
        client_for(city_bureau),
        "/api/v1/organizations/merge",
        {"members": [second.pk], "into": first.pk},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["id"] == first.pk
    assert response.json()["filing_number"] == "S000034010001"
    assert _scope(first) == UNITED
    second.refresh_from_db()
    assert (second.status, second.exit_reason, second.merged_into_id) == (
        "revoked",
        "merged",
        first.pk,
    )
    retired = RetiredNumber.objects.get()
    assert (retired.number, retired.reason) == ("S000034010002", "merged")
    assert retired.retired_on == dt.date(2027, 1, 11)
    assert catalog(public_client) == ["S000034010001"]
    assert Notice.objects.filter(kind="merger").count() == 1


def test_merger_into_a_new_organization(two_filed, client_for, province_dept, public_client):
    first, second = two_filed
    code = demo_credit_code("340104", "TT000007")
    response = post(
        client_for(province_dept),
        "/api/v1/organizations/merge",
        {"members": [first.pk, second.pk], "into": None, "name": "合肥联合职业技能评价中心",
         "credit_code": code},
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    merged = response.json()
    assert merged["filing_number"] == "S000034010003"  # the next of 合肥's sequence
    assert (merged["name"], merged["credit_code"]) == ("合肥联合职业技能评价中心", code)
    assert merged["filing_authority"] == "01" and merged["cities"] == ["01"]
    assert merged["filed_on"] == "2027-01-11" and merged["valid_until"] == "2030-01-10"
    new = Organization.objects.get(pk=merged["id"])
    assert _scope(new) == UNITED
    assert dict(RetiredNumber.objects.values_list("number", "reason")) == {
        "S000034010001": "merged",
        "S000034010002": "merged",
    }
    assert set(
        Organization.objects.filter(pk__in=[first.pk, second.pk]).values_list(
            "status", "merged_into"
        )
    ) == {("revoked", new.pk)}
    assert catalog(public_client) == ["S000034010003"]


def merger_fingerprint() -> tuple[Any, ...]:
    return (
        audit_count(),
        RetiredNumber.objects.count(),
        Notice.objects.count(),
        list(Organization.objects.order_by("pk").values_list("pk", "status", "filing_number")),
        list(FilingNumberCounter.objects.values_list("city", "last_serial")),
        ScopeItem.objects.count(),
    )


# fmt: off
BAD_MERGERS = [
    # what is wrong, members, into, extra fields, status, the field named
    ("into among members", ["first", "second"], "first", {}, 400, "into"),
    ("one member for a new one", ["second"], None, {"name": "新设", "credit_code": "new"}, 400, "members"),  # noqa: E501
    ("no credit code", ["first", "second"], None, {"name": "新设"}, 400, "credit_code"),
    ("no name", ["first", "second"], None, {"credit_code": "new"}, 400, "name"),
    ("bad credit code", ["first", "second"], None, {"name": "新设", "credit_code": "bad"}, 400, "credit_code"),  # noqa: E501
    ("taken credit code", ["first", "second"], None, {"name": "新设", "credit_code": "first's"}, 400, "credit_code"),  # noqa: E501
    ("unfiled member", ["applying"], "first", {}, 409, None),
    ("unfiled target", ["second"], "applying", {}, 409, None),
    ("no members", [], "first", {}, 400, "members"),
    ("members not a list", "1,2", "first", {}, 400, "members"),
    ("absent member", [999_999], "first", {}, 404, None),
]
# fmt: on


def test_bad_mergers_change_nothing(two_filed, client_for, city_bureau):
    first, second = two_filed
    applying, _ = register("org_hf3", "合肥第三职业培训学校", "TT000008")
    ids = {"first": first.pk, "second": second.pk, "applying": applying.pk}
    codes = {
        "new": demo_credit_code("340104", "TT000009"),
        "bad": "91340100MA2O00000X",
        "first's": first.credit_code,
    }
    client = client_for(city_bureau)
    wrong = []
    for problem, members, into, extra, status, field in BAD_MERGERS:
        body = {
            "members": [ids.get(m, m) for m in members] if isinstance(members, list) else members,
            "into": ids.get(into, into),
            **{key: codes.get(value, value) for key, value in extra.items()},
        }
        before = merger_fingerprint()
        response = post(client, "/api/v1/organizations/merge", body)
        error = response.json()["error"]
        if response.status_code != status or (field and field not in error["fields"]):
            wrong.append(f"{problem}: {response.status_code} {error}")
        if merger_fingerprint() != before:
            wrong.append(f"{problem}: something changed")
    assert not wrong, "\n".join(wrong)


def test_merger_with_members_not_a_list_of_ids_is_400(two_filed, client_for, city_bureau):
    first, _second = two_filed
    client = client_for(city_bureau)
    client.raise_request_exception = False  # answer as the server would: 500
    before = merger_fingerprint()
    response = post(client, "/api/v1/organizations/merge", {"members": 5, "into": first.pk})
    assert merger_fingerprint() == before
    assert response.status_code == 400


# --- 10. the end of a city's sequence --------------------------------------------------------


def test_filing_number_exhaustion_is_409_and_changes_nothing(setup, client_for, today):
    org_user, organization, bureau = setup
    FilingNumberCounter.objects.create(province="34", city="01", last_serial=9999)
    case = submitted_case(organization, org_user)
    filings.accept_filing(case, actor=bureau)
    filings.record_evaluation(case, evaluation(), actor=bureau)
    filings.select_filing(case, actor=bureau)
    today("2026-09-24")
    filings.publicize_filing(case, actor=bureau)
    today("2026-10-09")
    before = (
        audit_count(),
        list(Organization.objects.filter(pk=organization.pk).values()),
        ScopeItem.objects.count(),
        ServiceArea.objects.count(),
    )
    response = post(client_for(bureau), f"/api/v1/filings/{case.pk}/file")
    assert response.status_code == 409, response.json()
    assert response.json()["error"]["code"] == "sequence_exhausted"
    case.refresh_from_db()
    assert (case.state, case.filing_number, case.filed_on) == ("in_publicity", "", None)
    assert FilingNumberCounter.objects.get(city="01").last_serial == 9999
    assert (
        audit_count(),
        list(Organization.objects.filter(pk=organization.pk).values()),
        ScopeItem.objects.count(),
        ServiceArea.objects.count(),
    ) == before
