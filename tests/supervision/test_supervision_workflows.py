"""The supervision workflows walked whole through the services (``INSPECTION``,
``RECTIFICATION``, ``ANNUAL_REPORT``).

Every (state, action) pair: an allowed one moves to the declared target with a history row
(``workflow.StateChange``, for the inspection and the rectification) and an audit entry; a
refused one is 409 (wrong state) or 403 (party not named) and changes nothing. Then what the
API offers (``actions``, ``next``) and the organization's worklist: an overdue rectification,
annual reports due, and none for a year after the organization's exit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from skillcert.accounts.models import Authority
from skillcert.audit import service as audit
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import actor_ref
from skillcert.registry.models import Organization, ScopeItem, ServiceArea, levels_key
from skillcert.rules.errors import Conflict, DomainError, Forbidden
from skillcert.rules.workflow import SYSTEM
from skillcert.supervision.machines import (
    ANNUAL_REPORT_MACHINE,
    INSPECTION_MACHINE,
    RECTIFICATION_MACHINE,
    due_report,
)
from skillcert.supervision.models import AnnualReport, Finding, Inspection, Rectification
from skillcert.supervision.services import draws, inspections, reports
from skillcert.supervision.workflow import (
    ANNUAL_REPORT,
    INSPECTION,
    RECTIFICATION,
    SupervisionParty,
)
from skillcert.web.worklist import worklist_view
from skillcert.workflow.models import StateChange

pytestmark = pytest.mark.django_db

TODAY = "2026-12-01"
FINDING = {"stage": "理论考试", "findings": "考场秩序良好，身份核验到位。"}
PASSED = {"conclusion": "passed", "note": "考务规范，符合要求。"}
RECTIFY = {
    "conclusion": "rectify",
    "note": "档案管理不规范。",
    "requirement": "补齐考生档案。",
    "due_on": "2026-12-31",
}
RESPONSE = "已补齐考生档案并建立归档制度。"
REPORT = {"year": 2026, "narrative": "全年开展焊工认定 1 批次。"}


def file_with_orm(organization: Organization, filed_on: dt.date) -> Organization:
    """Put an organization on record as filed by 合肥 (in its pilot) on ``filed_on``."""
    hefei = Authority.objects.get(code="01")
    Organization.objects.filter(pk=organization.pk).update(
        status="in_pilot",
        category="S",
        filing_number="S000034010001",
        filing_authority=hefei,
        channel="city",
        scope="city",
        filed_on=filed_on,
        valid_until=filed_on.replace(year=filed_on.year + 3),
        pilot_until=filed_on.replace(year=filed_on.year + 1),
    )
    ServiceArea.objects.create(organization=organization, city=hefei, since=filed_on)
    ScopeItem.objects.create(
        organization=organization,
        occupation_name="焊工",
        occupation_code="6-18-02-04",
        levels=[3, 4, 5],
        levels_key=levels_key([3, 4, 5]),
    )
    organization.refresh_from_db()
    return organization


@pytest.fixture
def world(today, org_user, city_bureau, inspector) -> dict[str, Any]:
    """合肥's organization (filed 2026-03-02) drawn by 合肥's bureau, one inspector assigned."""
    today(TODAY)
    organization = file_with_orm(org_user.membership.organization, dt.date(2026, 3, 2))
    draw = draws.make_draw(
        {"targets": "organizations", "count": 1, "inspectors": 1, "seed": "流程"},
        actor=city_bureau,
    )
    inspection = draw.inspections.get()
    assert list(inspection.inspectors.all()) == [inspector]
    return {"organization": organization, "inspection": inspection}


# Who takes a party's steps in this world, and someone no step of the action names.
def acting(party: str, users: dict[str, Any]) -> Any:
    if party == SYSTEM:
        return audit.SYSTEM
    return {
        SupervisionParty.INSPECTOR: users["inspector"],
        SupervisionParty.OFFICER: users["city_bureau"],
        SupervisionParty.ORGANIZATION: users["org_user"],
    }[SupervisionParty(party)]


def stranger(parties: frozenset[str], users: dict[str, Any]) -> Any:
    """An officer for an inspector's or the organization's step, the inspector for an
    officer's step."""
    return users["inspector"] if SupervisionParty.OFFICER in parties else users["city_bureau"]


@pytest.fixture
def users(org_user, city_bureau, inspector) -> dict[str, Any]:
    return {"org_user": org_user, "city_bureau": city_bureau, "inspector": inspector}


def record() -> tuple[Any, ...]:
    """Everything a supervision step could change (compared before and after a refusal)."""
    return (
        list(
            Inspection.objects.order_by("pk").values_list(
                "state", "conclusion", "concluded_at", "published_on", "approved_by"
            )
        ),
        Finding.objects.count(),
        list(
            Rectification.objects.order_by("pk").values_list(
                "state", "response", "accepted", "reviewed_at"
            )
        ),
        list(AnnualReport.objects.order_by("pk").values_list("year", "filed_on")),
        StateChange.objects.count(),
        AuditEntry.objects.count(),
    )


def refusal(take: Callable[[], Any]) -> DomainError:
    with pytest.raises(DomainError) as refused:
        take()
    return refused.value


# --- inspections -------------------------------------------------------------------------------

INSPECTION_STEPS: dict[str, Callable[[Inspection, Any], Any]] = {
    "findings": lambda i, actor: inspections.record_finding(i, FINDING, actor=actor),
    "conclude": lambda i, actor: inspections.conclude(i, PASSED, actor=actor),
    "publish": lambda i, actor: inspections.publish(i, actor=actor),
    # The system's step, driven by the plan's withdrawal (tested whole in test_withdrawn_plans)
    "end": lambda i, actor: inspections.end(i, reason="计划已撤回", actor=actor),
}
INSPECTION_AUDIT = {
    "findings": "supervision.finding_recorded",
    "conclude": "supervision.inspection_concluded",
    "publish": "supervision.inspection_published",
    "end": "supervision.inspection_ended",
}


def inspection_in(
    state: str, world: dict[str, Any], users: dict[str, Any], *, started: bool = True
) -> Inspection:
    """The inspection walked up to ``state`` (an assigned one has a finding already unless
    not ``started``: only one nobody started may end with its plan)."""
    inspection = world["inspection"]
    if state == "ended":
        return inspections.end(inspection, reason="计划已撤回", actor=audit.SYSTEM)
    if started:
        inspections.record_finding(inspection, FINDING, actor=users["inspector"])
    if state != "assigned":
        inspections.conclude(inspection, PASSED, actor=users["inspector"])
    if state == "published":
        inspections.publish(inspection, actor=users["city_bureau"])
    inspection = Inspection.objects.get(pk=inspection.pk)
    assert inspection.state == state
    return inspection


def test_the_tables_cover_the_workflows():
    assert (
        set(INSPECTION_STEPS) == set(INSPECTION_AUDIT) == {t.action for t in INSPECTION.transitions}
    )
    assert (
        set(RECTIFICATION_STEPS)
        == set(RECTIFICATION_AUDIT)
        == {t.action for t in RECTIFICATION.transitions}
    )
    assert set(RECTIFICATION_REACH) == set(RECTIFICATION.states)
    assert {t.action for t in ANNUAL_REPORT.transitions} == {"annual-reports"}


@pytest.mark.parametrize("action", list(INSPECTION_STEPS))
@pytest.mark.parametrize("state", list(INSPECTION.states))
def test_every_state_and_action_of_an_inspection(world, users, state, action):
    inspection = inspection_in(state, world, users, started=(state, action) != ("assigned", "end"))
    transition = INSPECTION.transition(action)
    actor = acting(next(iter(transition.parties)), users)
    outsider = stranger(transition.parties, users)
    before = record()

    refused = refusal(lambda: INSPECTION_STEPS[action](inspection, outsider))
    assert isinstance(refused, Forbidden) and (refused.status, refused.code) == (403, "forbidden")
    assert record() == before

    if state not in transition.sources:
        refused = refusal(lambda: INSPECTION_STEPS[action](inspection, actor))
        assert isinstance(refused, Conflict)
        assert (refused.status, refused.code) == (409, "invalid_state")
        assert record() == before
        assert not INSPECTION_MACHINE.may(inspection, actor, action)
        return

    # A step another object's step drives is never offered as a button
    assert INSPECTION_MACHINE.may(inspection, actor, action) == transition.offered
    changes = StateChange.objects.count()
    made = INSPECTION_STEPS[action](inspection, actor)
    moved = Inspection.objects.get(pk=inspection.pk)
    assert moved.state == (transition.target or state)
    entry = AuditEntry.objects.order_by("pk").last()
    assert entry.action == INSPECTION_AUDIT[action]
    assert entry.object_id == str(made.pk)
    if transition.target is None:  # a finding records something; the state stays
        assert StateChange.objects.count() == changes
        return
    change = StateChange.objects.order_by("pk").last()
    assert StateChange.objects.count() == changes + 1
    assert (change.workflow, change.object_id, change.action) == ("inspection", moved.pk, action)
    assert (change.from_state, change.to_state) == (state, moved.state)
    assert change.actor == actor_ref(actor).name


def test_an_inspection_with_findings_is_not_ended(world, users):
    inspection = inspection_in("assigned", world, users)  # a finding recorded
    assert not INSPECTION_MACHINE.may(inspection, audit.SYSTEM, "end")
    before = record()
    refused = refusal(lambda: inspections.end(inspection, reason="计划已撤回", actor=audit.SYSTEM))
    assert (refused.status, refused.code) == (409, "inspection_started")
    assert refused.message == "督查员已记录检查情况，应作出检查结论，不能终止"
    assert record() == before


def test_no_conclusion_without_findings(world, users):
    inspection = world["inspection"]
    assert not INSPECTION_MACHINE.may(inspection, users["inspector"], "conclude")
    assert INSPECTION_MACHINE.may(inspection, users["inspector"], "findings")
    before = record()
    refused = refusal(lambda: inspections.conclude(inspection, PASSED, actor=users["inspector"]))
    assert (refused.status, refused.code) == (409, "no_findings")
    assert refused.message == "尚未记录检查情况，不能作出结论"
    assert record() == before


# --- rectifications ----------------------------------------------------------------------------

RECTIFICATION_STEPS: dict[str, Callable[[Inspection, Any], Any]] = {
    "rectification": lambda i, actor: inspections.respond_rectification(i, RESPONSE, actor=actor),
    "rectification-review": lambda i, actor: inspections.review_rectification(i, True, actor=actor),
}
RECTIFICATION_AUDIT = {
    "rectification": "supervision.rectification_reported",
    "rectification-review": "supervision.rectification_reviewed",
}
# The steps that bring a freshly ordered rectification into each state.
RECTIFICATION_REACH = {
    "ordered": [],
    "responded": ["rectification"],
    "accepted": ["rectification", "rectification-review"],
}


def rectification_in(state: str, world: dict[str, Any], users: dict[str, Any]) -> Rectification:
    inspection = world["inspection"]
    inspections.record_finding(inspection, FINDING, actor=users["inspector"])
    inspections.conclude(inspection, RECTIFY, actor=users["inspector"])
    for action in RECTIFICATION_REACH[state]:
        party = next(iter(RECTIFICATION.transition(action).parties))
        RECTIFICATION_STEPS[action](inspection, acting(party, users))
    rectification = Rectification.objects.select_related("inspection").get(inspection=inspection)
    assert rectification.state == state
    return rectification


@pytest.mark.parametrize("action", list(RECTIFICATION_STEPS))
@pytest.mark.parametrize("state", list(RECTIFICATION.states))
def test_every_state_and_action_of_a_rectification(world, users, state, action):
    rectification = rectification_in(state, world, users)
    inspection = rectification.inspection
    transition = RECTIFICATION.transition(action)
    actor = acting(next(iter(transition.parties)), users)
    outsider = stranger(transition.parties, users)
    before = record()

    refused = refusal(lambda: RECTIFICATION_STEPS[action](inspection, outsider))
    assert isinstance(refused, Forbidden) and (refused.status, refused.code) == (403, "forbidden")
    assert record() == before

    if state not in transition.sources:
        refused = refusal(lambda: RECTIFICATION_STEPS[action](inspection, actor))
        assert isinstance(refused, Conflict)
        assert (refused.status, refused.code) == (409, "invalid_state")
        assert record() == before
        assert not RECTIFICATION_MACHINE.may(rectification, actor, action)
        return

    assert RECTIFICATION_MACHINE.may(rectification, actor, action)
    changes = StateChange.objects.count()
    RECTIFICATION_STEPS[action](inspection, actor)
    moved = Rectification.objects.get(pk=rectification.pk)
    assert moved.state in transition.targets
    change = StateChange.objects.order_by("pk").last()
    assert StateChange.objects.count() == changes + 1
    assert (change.workflow, change.object_id, change.action) == (
        "rectification",
        moved.pk,
        action,
    )
    assert (change.from_state, change.to_state) == (state, moved.state)
    entry = AuditEntry.objects.order_by("pk").last()
    assert (entry.action, entry.object_id) == (RECTIFICATION_AUDIT[action], str(moved.pk))


def test_a_refused_rectification_is_ordered_again_and_may_be_reported_anew(world, users):
    rectification = rectification_in("responded", world, users)
    inspection = rectification.inspection
    inspections.review_rectification(inspection, False, actor=users["city_bureau"])
    rectification.refresh_from_db()
    assert (rectification.state, rectification.accepted) == ("ordered", False)
    assert rectification.response == RESPONSE  # kept for the record until reported anew
    change = StateChange.objects.order_by("pk").last()
    assert (change.action, change.from_state, change.to_state) == (
        "rectification-review",
        "responded",
        "ordered",
    )
    assert RECTIFICATION_MACHINE.may(rectification, users["org_user"], "rectification")
    inspections.respond_rectification(inspection, "再次整改。", actor=users["org_user"])
    rectification.refresh_from_db()
    assert (rectification.state, rectification.accepted) == ("responded", None)


def test_an_inspection_without_a_rectification_has_none_to_report(world, users):
    inspection = inspection_in("concluded", world, users)
    before = record()
    refused = refusal(
        lambda: inspections.respond_rectification(inspection, RESPONSE, actor=users["inspector"])
    )
    assert refused.status == 403
    refused = refusal(
        lambda: inspections.respond_rectification(inspection, RESPONSE, actor=users["org_user"])
    )
    assert (refused.status, refused.code, refused.message) == (
        409,
        "invalid_state",
        "该检查没有整改要求",
    )
    assert record() == before


# --- annual reports ----------------------------------------------------------------------------


def test_every_state_and_action_of_an_annual_report(world, users):
    organization = world["organization"]
    due = due_report(organization, 2026)
    assert due.state == "due" and due.due_on == dt.date(2027, 3, 31)
    before = record()
    refused = refusal(
        lambda: reports.file_annual_report(organization, REPORT, actor=users["city_bureau"])
    )
    assert (refused.status, refused.code) == (403, "forbidden")
    assert record() == before

    assert ANNUAL_REPORT_MACHINE.may(due, users["org_user"], "annual-reports")
    changes = StateChange.objects.count()
    report = reports.file_annual_report(organization, REPORT, actor=users["org_user"])
    assert AnnualReport.objects.get(pk=report.pk).state == "filed"
    assert StateChange.objects.count() == changes  # the row is the state
    entry = AuditEntry.objects.order_by("pk").last()
    assert (entry.action, entry.object_id) == ("supervision.annual_report_filed", str(report.pk))

    # Filed: final, once per year.
    assert not ANNUAL_REPORT_MACHINE.may(report, users["org_user"], "annual-reports")
    assert ANNUAL_REPORT_MACHINE.next(report) is None
    before = record()
    refused = refusal(
        lambda: reports.file_annual_report(organization, REPORT, actor=users["org_user"])
    )
    assert (refused.status, refused.code) == (409, "already_filed")
    assert refused.message == "2026 年度报告已报送，不能重复报送"
    refused = refusal(
        lambda: reports.file_annual_report(organization, REPORT, actor=users["city_bureau"])
    )
    assert refused.status == 403
    assert record() == before


def test_no_report_for_a_year_before_the_filing_or_after_the_exit(world, users, today):
    organization = world["organization"]
    earlier = {"year": 2025, "narrative": "备案前的年度。"}
    before = record()
    refused = refusal(
        lambda: reports.file_annual_report(organization, earlier, actor=users["org_user"])
    )
    assert (refused.status, refused.code) == (409, "not_filed_that_year")
    assert "2025" in refused.message and "尚未备案" in refused.message
    assert record() == before

    Organization.objects.filter(pk=organization.pk).update(
        filed_on=dt.date(2024, 3, 2), exited_on=dt.date(2025, 6, 30), status="revoked"
    )
    organization.refresh_from_db()
    refused = refusal(
        lambda: reports.file_annual_report(organization, REPORT, actor=users["org_user"])
    )
    assert (refused.status, refused.code) == (409, "exited")
    assert "退出" in refused.message and "2026" in refused.message
    assert record() == before
    # The year it exited in is still owed.
    reports.file_annual_report(organization, earlier, actor=users["org_user"])
    assert AnnualReport.objects.filter(organization=organization, year=2025).exists()


# --- what the API offers -----------------------------------------------------------------------


def test_actions_and_next_of_an_inspection_and_its_rectification(
    world, users, client_for, public_client
):
    inspection = world["inspection"]
    path = f"/api/v1/inspections/{inspection.pk}"

    def read(persona: str) -> dict[str, Any]:
        response = client_for(users[persona]).get(path)
        assert response.status_code == 200, response.content
        return response.json()

    def actions(persona: str) -> list[str]:
        return [a["action"] for a in read(persona)["actions"]]

    assert actions("inspector") == ["findings"]  # no conclusion before a finding
    inspections.record_finding(inspection, FINDING, actor=users["inspector"])
    assert actions("inspector") == ["findings", "conclude"]
    assert actions("city_bureau") == []
    assert read("city_bureau")["next"] == {
        "party": "inspector",
        "action": "conclude",
        "label": "作出检查结论",
        "due": None,
        "deadline": False,
    }
    inspections.conclude(inspection, RECTIFY, actor=users["inspector"])
    assert actions("inspector") == []
    assert actions("city_bureau") == ["publish"]
    officer = read("city_bureau")
    assert officer["next"]["party"] == "city_bureau" and officer["next"]["action"] == "publish"
    rectification = read("org_user")["rectification"]
    assert rectification["state"] == "ordered"
    assert [a["action"] for a in rectification["actions"]] == ["rectification"]
    assert rectification["next"] == {
        "party": "organization",
        "action": "rectification",
        "label": "报送整改情况",
        "due": "2026-12-31",
        "deadline": True,
    }
    assert officer["rectification"]["actions"] == []

    inspections.respond_rectification(inspection, RESPONSE, actor=users["org_user"])
    inspections.publish(inspection, actor=users["city_bureau"])
    officer = read("city_bureau")
    assert officer["state"] == "published" and officer["next"] is None
    assert officer["actions"] == []
    assert [a["action"] for a in officer["rectification"]["actions"]] == ["rectification-review"]
    public = public_client.get("/api/v1/public/inspection-results").json()["results"][0]
    assert "actions" not in public and "inspectors" not in public


def test_an_annual_report_carries_its_state_actions_and_next(world, users, client_for):
    organization = world["organization"]
    client = client_for(users["org_user"])
    path = f"/api/v1/organizations/{organization.pk}/annual-reports"
    filed = client.post(path, REPORT, format="json")
    assert filed.status_code == 201, filed.content
    body = filed.json()
    assert (body["state"], body["actions"], body["next"]) == ("filed", [], None)
    assert client.get(path).json()[0]["state"] == "filed"


# --- the worklist ------------------------------------------------------------------------------


def work(client: Any, kind: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/worklist", {"page_size": 100})
    assert response.status_code == 200, response.content
    return [item for item in response.json()["results"] if item["type"] == kind]


def test_the_organization_s_worklist_shows_a_rectification_and_when_it_is_overdue(
    world, users, client_for, today
):
    inspection = world["inspection"]
    inspections.record_finding(inspection, FINDING, actor=users["inspector"])
    inspections.conclude(inspection, RECTIFY, actor=users["inspector"])
    rectification = Rectification.objects.get(inspection=inspection)
    organization = client_for(users["org_user"])
    (item,) = work(organization, "rectification")
    assert item["id"] == rectification.pk and item["action"] == "rectification"
    assert (item["due"], item["overdue"]) == ("2026-12-31", False)
    assert work(client_for(users["city_bureau"]), "rectification") == []

    today("2027-01-04")
    (item,) = work(organization, "rectification")
    assert (item["due"], item["overdue"]) == ("2026-12-31", True)

    # Reported: the officers' turn (no deadline); gone from the organization's list.
    inspections.respond_rectification(inspection, RESPONSE, actor=users["org_user"])
    assert work(organization, "rectification") == []
    (review,) = work(client_for(users["city_bureau"]), "rectification")
    assert (review["action"], review["due"], review["overdue"]) == (
        "rectification-review",
        None,
        False,
    )


def test_officer_and_inspector_find_their_inspection_steps(world, users, client_for):
    inspection = world["inspection"]
    inspections.record_finding(inspection, FINDING, actor=users["inspector"])
    (item,) = work(client_for(users["inspector"]), "inspection")
    assert (item["id"], item["action"]) == (inspection.pk, "conclude")
    inspections.conclude(inspection, PASSED, actor=users["inspector"])
    assert work(client_for(users["inspector"]), "inspection") == []
    (item,) = work(client_for(users["city_bureau"]), "inspection")
    assert (item["id"], item["action"]) == (inspection.pk, "publish")
    assert work(client_for(users["org_user"]), "inspection") == []


def test_the_organization_s_worklist_shows_the_annual_reports_due(world, users, client_for, today):
    organization = world["organization"]
    client = client_for(users["org_user"])
    assert work(client, "annual_report") == []  # 2026's is due from 2027-01-01
    today("2027-01-04")
    (item,) = work(client, "annual_report")
    assert item == {
        "type": "annual_report",
        "id": organization.pk,
        "title": "2026 年度报告",
        "action": "annual-reports",
        "label": "报送年度报告",
        "due": "2027-03-31",
        "overdue": False,
    }
    assert work(client_for(users["city_bureau"]), "annual_report") == []
    # Filed since 2025: last year's report is overdue too, earliest first.
    Organization.objects.filter(pk=organization.pk).update(filed_on=dt.date(2025, 3, 2))
    items = work(client, "annual_report")
    assert [(i["title"], i["due"], i["overdue"]) for i in items] == [
        ("2025 年度报告", "2026-03-31", True),
        ("2026 年度报告", "2027-03-31", False),
    ]
    reports.file_annual_report(
        Organization.objects.get(pk=organization.pk), REPORT, actor=users["org_user"]
    )
    assert [i["title"] for i in work(client, "annual_report")] == ["2025 年度报告"]


def test_no_annual_report_is_due_for_a_year_after_the_exit(world, users, client_for, today):
    organization = world["organization"]
    Organization.objects.filter(pk=organization.pk).update(
        filed_on=dt.date(2024, 3, 2), exited_on=dt.date(2025, 6, 30), status="revoked"
    )
    today("2027-01-04")
    items = work(client_for(users["org_user"]), "annual_report")
    assert [i["title"] for i in items] == ["2024 年度报告", "2025 年度报告"]


def test_the_home_pages_link_each_item_to_where_it_is_done(world, users, today):
    inspection = world["inspection"]
    inspections.record_finding(inspection, FINDING, actor=users["inspector"])

    def links(persona: str) -> dict[str, tuple[str, str]]:
        view = worklist_view(users[persona])
        return {i["type"]: (i["type_label"], i["link"]) for i in view["items"]}

    assert links("inspector")["inspection"] == (
        "监督检查",
        f"/inspector/inspections/{inspection.pk}",
    )
    inspections.conclude(inspection, RECTIFY, actor=users["inspector"])
    assert links("city_bureau")["inspection"][1] == (
        f"/review/supervision/inspections/{inspection.pk}"
    )
    today("2027-01-04")
    mine = links("org_user")
    assert mine["rectification"] == ("限期整改", f"/org/inspections#inspection-{inspection.pk}")
    assert mine["annual_report"] == ("年度报告", "/org/annual-reports")
    inspections.respond_rectification(inspection, RESPONSE, actor=users["org_user"])
    assert links("city_bureau")["rectification"][1] == (
        f"/review/supervision/inspections/{inspection.pk}"
    )
