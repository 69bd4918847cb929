"""The life after filing (三 (三)-(四), 附件3), and the two workflow tables walked whole.

The tables of ``workflow.py`` are walked pair by pair: every (state, action) is tried by the
right party (allowed: the state the table names; refused: ``Conflict`` and nothing changed)
and by every wrong party (``Forbidden``). Then the organization's life through the API:
pilot result, revocation, expiry by the daily sweep, renewal, scope change, cross-city and
province-wide filings, mergers, and the end of a city's number sequence.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from skillcert.accounts.models import Authority
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM
from skillcert.ops.demo import demo_credit_code
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
from skillcert.registry.services.objections import resolve_filing_objection
from skillcert.registry.workflow import (
    ENDED_STATES,
    FILING_TRANSITIONS,
    ORGANIZATION_TRANSITIONS,
    FilingState,
    OrganizationAction,
    Party,
)
from skillcert.rules.errors import Conflict, DomainError, Forbidden
from skillcert.rules.filing import Material
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
    S = FilingState
    assert {
        action: (set(t.sources), t.target, set(t.parties))
        for action, t in FILING_TRANSITIONS.items()
    } == {
        "submit": ({S.DRAFT}, S.SUBMITTED, {A}),
        "accept": ({S.SUBMITTED}, S.ACCEPTED, {R}),
        "not-accept": ({S.SUBMITTED}, S.NOT_ACCEPTED, {R}),
        "evaluations": ({S.ACCEPTED, S.UNDER_EVALUATION}, S.UNDER_EVALUATION, {R, E}),
        "select": ({S.UNDER_EVALUATION}, S.SELECTED, {R}),
        "not-select": ({S.ACCEPTED, S.UNDER_EVALUATION, S.SELECTED}, S.NOT_SELECTED, {R}),
        "publicize": ({S.SELECTED}, S.IN_PUBLICITY, {R}),
        "file": ({S.IN_PUBLICITY}, S.FILED, {R}),
        "uphold-objection": ({S.IN_PUBLICITY}, S.NOT_SELECTED, {R}),
    }
    for transition in FILING_TRANSITIONS.values():
        assert not transition.sources & ENDED_STATES  # an ended case stays ended


STATE_DATES: dict[str, dict[str, dt.date]] = {
    "submitted": {"submitted_on": dt.date(2026, 9, 18), "acceptance_due": dt.date(2026, 10, 9)},
    "accepted": {"accepted_on": dt.date(2026, 9, 21)},
    "in_publicity": {
        "publicity_start": dt.date(2026, 9, 24),
        "publicity_end": dt.date(2026, 10, 8),
    },
    "filed": {"filed_on": dt.date(2026, 10, 9)},
}
REACHED = {
    "draft": [],
    "submitted": ["submitted"],
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
        "accept": lambda: filings.accept_filing(case, actor=actor),
        "not-accept": lambda: filings.not_accept_filing(case, reason=reason, actor=actor),
        "evaluations": lambda: filings.record_evaluation(case, evaluation(), actor=actor),
        "select": lambda: filings.select_filing(case, actor=actor),
        "not-select": lambda: filings.not_select_filing(case, reason=reason, actor=actor),
        "publicize": lambda: filings.publicize_filing(case, actor=actor),
        "file": lambda: filings.file_filing(case, actor=actor),
        "uphold-objection": lambda: resolve_filing_objection(
            case.objections.get(), upheld=True, reason=reason, actor=actor
        ),
    }
    calls[action]()


def attempt(action: str, case: FilingCase, actor: Any) -> tuple[DomainError | None, str, int]:
    """Try the action in a savepoint rolled back afterwards: (error, state after, audit added)."""
    with transaction.atomic():
        before = audit_count()
        error = None
        try:
            _act(action, case, actor)
        except DomainError as raised:
            error = raised
        state = FilingCase.objects.get(pk=case.pk).state
        added = audit_count() - before
        transaction.set_rollback(True)
    return error, state, added


@pytest.fixture
def personas(
    setup, other_org_user, city_center, other_city_bureau, province_dept, province_center,
    inspector, admin_user,
) -> dict[str, tuple[Any, set[Party]]]:  # fmt: skip
    """Each persona and the parties it is for a case of 合肥's organization filed in 合肥."""
    org_user, _organization, bureau = setup
    return {
        "applicant": (org_user, {A}),
        "bureau": (bureau, {R, E}),
        "center": (city_center, {E}),
        "other organization": (other_org_user, set()),
        "other city's bureau": (other_city_bureau, set()),
        "province dept": (province_dept, set()),
        "province center": (province_center, set()),
        "inspector": (inspector, set()),
        "admin": (admin_user, set()),
    }


@pytest.mark.parametrize("action", list(FILING_TRANSITIONS))
def test_every_state_and_action_of_the_filing_table(setup, personas, today, action):
    _, organization, _ = setup
    today("2026-10-09")  # the publicity of ``case_in`` ended yesterday
    transition = FILING_TRANSITIONS[action]
    wrong = []
    for state in FilingState.values:
        case = case_in(organization, state)
        if action == "uphold-objection":
            Objection.objects.create(filing=case, content="有异议。", contact="13800000000")
        for name, (user, parties) in personas.items():
            error, after, added = attempt(action, case, user)
            if not parties & transition.parties:
                expected: Any = Forbidden
            elif state in transition.sources:
                expected = transition.target
            else:
                expected = Conflict
            if isinstance(expected, str):
                ok = error is None and after == expected and added > 0
            else:
                ok = isinstance(error, expected) and after == state and added == 0
                ok = ok and error.status == (403 if expected is Forbidden else 409)
            if not ok:
                got = type(error).__name__ if error else after
                wrong.append(f"{state} × {name}: got {got} ({error}), expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_the_organization_table_is_the_life_of_the_notice():
    filed = {"in_pilot", "active", "pilot_failed"}
    assert {action: (set(s), t) for action, (s, t) in ORGANIZATION_TRANSITIONS.items()} == {
        OrganizationAction.FILE_INITIAL: ({"applying", "expired"}, "in_pilot"),
        OrganizationAction.PILOT_PASSED: ({"in_pilot"}, "active"),
        OrganizationAction.PILOT_FAILED: ({"in_pilot"}, "pilot_failed"),
        OrganizationAction.REVOKE: (filed, "revoked"),
        OrganizationAction.EXPIRE: (filed, "expired"),
        OrganizationAction.MERGE_AWAY: (filed, "revoked"),
    }


def organization_in(status: str, serial: int) -> Organization:
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
        valid_until=None if applying else dt.date(2026, 10, 8),  # ended yesterday
        pilot_until=None if applying else dt.date(2024, 10, 8),
    )


def _org_act(action: OrganizationAction, organization: Organization, actor: Any, into: Any) -> Any:
    if action == OrganizationAction.FILE_INITIAL:
        case = case_in(organization, "in_publicity")
        return filings.file_filing(case, actor=actor)
    if action in {OrganizationAction.PILOT_PASSED, OrganizationAction.PILOT_FAILED}:
        passed = action == OrganizationAction.PILOT_PASSED
        return registry.record_pilot_result(organization, passed=passed, actor=actor)
    if action == OrganizationAction.REVOKE:
        return registry.revoke_organization(organization, reason="管理失序。", actor=actor)
    if action == OrganizationAction.EXPIRE:
        return registry.expire_organization(organization, actor=actor)
    return registry.merge_organizations(
        {"members": [organization.pk], "into": into.pk}, actor=actor
    )


def org_attempt(action, organization, actor, into) -> tuple[Any, str, int, int]:
    """(error or result, status after, audit entries added, numbers retired); rolled back."""
    with transaction.atomic():
        before, retired = audit_count(), RetiredNumber.objects.count()
        try:
            outcome = _org_act(action, organization, actor, into)
        except DomainError as error:
            outcome = error
        status = Organization.objects.get(pk=organization.pk).status
        added = audit_count() - before
        newly_retired = RetiredNumber.objects.count() - retired
        transaction.set_rollback(True)
    return outcome, status, added, newly_retired


@pytest.mark.parametrize("action", list(OrganizationAction))
def test_every_status_and_action_of_the_organization_table(setup, personas, today, action):
    today("2026-10-09")
    sources, target = ORGANIZATION_TRANSITIONS[action]
    into = organization_in("active", 9000)
    deciders = [personas["province dept"][0], personas["bureau"][0]]
    others = [personas[name][0] for name in ("center", "applicant", "other city's bureau")]
    wrong = []
    for serial, status in enumerate(OrganizationStatus.values, start=1):
        organization = organization_in(status, serial)
        if action == OrganizationAction.EXPIRE:
            actors = [SYSTEM]  # the daily sweep; nobody else expires
        elif status == OrganizationStatus.APPLYING and action != OrganizationAction.FILE_INITIAL:
            actors = deciders[:1]  # no filing authority yet: only the province decides
        else:
            actors = deciders[1:] if action == OrganizationAction.FILE_INITIAL else deciders
        for actor in actors:
            outcome, after, added, retired = org_attempt(action, organization, actor, into)
            allowed = status in sources
            if action == OrganizationAction.EXPIRE:
                ok = outcome is allowed and after == (target if allowed else status)
                ok = ok and retired == int(allowed) and bool(added) is allowed
            elif allowed:
                ok = not isinstance(outcome, DomainError) and after == target and added > 0
                exits = {OrganizationAction.REVOKE, OrganizationAction.MERGE_AWAY}
                ok = ok and retired == int(action in exits)
            else:
                ok = isinstance(outcome, Conflict) and outcome.status == 409
                ok = ok and (after, added, retired) == (status, 0, 0)
            if not ok:
                wrong.append(f"{status} × {actor}: {outcome!r} → {after}")
        if action == OrganizationAction.EXPIRE:
            continue
        for actor in others:
            if action == OrganizationAction.MERGE_AWAY and status not in sources:
                continue  # see test_merging_is_forbidden_to_a_wrong_party_whatever_the_status
            outcome, after, added, retired = org_attempt(action, organization, actor, into)
            if not (isinstance(outcome, Forbidden) and (after, added) == (status, 0)):
                wrong.append(f"{status} × {actor} (wrong party): {outcome!r} → {after}")
    assert not wrong, "\n".join(wrong)


def test_merging_is_forbidden_to_a_wrong_party_whatever_the_status(setup, city_center, today):
    today("2026-10-09")
    into = organization_in("active", 9000)
    applying = organization_in("applying", 1)
    with pytest.raises(DomainError) as refused:
        registry.merge_organizations({"members": [applying.pk], "into": into.pk}, actor=city_center)
    assert isinstance(refused.value, Forbidden), f"{type(refused.value).__name__}: {refused.value}"


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
