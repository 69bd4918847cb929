"""Nobody does in supervision what is not theirs: every endpoint against every persona (六).

``ENDPOINTS`` is the table: an endpoint, the object it needs (brought into the state its action
starts from) and the status each persona gets, in the order of ``PERSONAS``. The rules it
encodes (api.md, Conventions): the public gets 401 on what is not public; who may not see the
object gets 404 with exactly the body an absent id gets; who sees it but may not act gets 403;
the right party in a wrong state gets 409 (``WRONG_STATE``). A refused request changes nothing.

Every request runs in a savepoint that is rolled back afterwards, so each persona meets the same
world, and the world is compared before and after the request inside that savepoint (the
harness: tests/support/permissions.py).
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from rest_framework.test import APIClient

from skillcert.accounts.models import Authority, User
from skillcert.accounts.services import add_user
from skillcert.assessment.models import Batch
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM
from skillcert.certificates.models import Certificate
from skillcert.registry.models import (
    Notice,
    Organization,
    RetiredNumber,
    ScopeItem,
    ServiceArea,
    levels_key,
)
from skillcert.registry.services.organizations import revoke_organization
from skillcert.supervision.models import (
    AnnualReport,
    Finding,
    Inspection,
    InspectionDraw,
    InspectorConflict,
    Rectification,
    Violation,
)
from skillcert.supervision.services import draws, inspections, reports
from skillcert.supervision.services.summaries import refresh_statistics
from tests.conftest import PASSWORD
from tests.support.permissions import ABSENT, Endpoint, Matrix, error_code
from tests.support.personas import api_clients

pytestmark = pytest.mark.django_db

TODAY = "2026-12-01"
PERSONAS = (
    "org",  # org_user: the inspected organization, filed in 合肥 (01)
    "other_org",  # other_org_user: filed in 芜湖 (02)
    "bureau",  # 合肥 bureau: drew the inspection
    "center",  # 合肥 appraisal center
    "other_bureau",  # 芜湖 bureau
    "dept",  # province department
    "pcenter",  # province appraisal center
    "assigned",  # the 合肥 inspector drawn for the inspection
    "unassigned",  # the other 合肥 inspector
    "admin",
    "public",
)


# --- the world ---------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, Any]
    clients: dict[str, APIClient]
    hf: Organization
    wh: Organization
    draw: InspectionDraw  # 合肥's draw (by its bureau)
    inspection: Inspection  # of 合肥's organization, one inspector assigned
    wh_draw: InspectionDraw  # 芜湖's draw (by its bureau)
    wh_inspection: Inspection


def authority(code: str) -> Authority:
    return Authority.objects.get(code=code)


def file_with_orm(organization: Organization, city: str) -> Organization:
    """Put an organization on record as filed by ``city`` (in its pilot), with a scope."""
    Organization.objects.filter(pk=organization.pk).update(
        status="in_pilot",
        category="S",
        filing_number=f"S000034{city}0001",
        filing_authority=authority(city),
        channel="city",
        scope="city",
        filed_on=dt.date(2026, 3, 2),
        valid_until=dt.date(2029, 3, 1),
        pilot_until=dt.date(2027, 3, 1),
    )
    ServiceArea.objects.create(
        organization=organization, city=authority(city), since=dt.date(2026, 3, 2)
    )
    ScopeItem.objects.create(
        organization=organization,
        occupation_name="焊工",
        occupation_code="6-18-02-04",
        levels=[3, 4, 5],
        levels_key=levels_key([3, 4, 5]),
    )
    organization.refresh_from_db()
    return organization


def make_inspector(username: str, city: str, name: str) -> User:
    return add_user(
        username,
        password=PASSWORD,
        role="inspector",
        authority=city,
        actor=SYSTEM,
        display_name=name,
    )


DRAW = {"targets": "organizations", "count": 1, "inspectors": 1}


@pytest.fixture
def world(
    today,
    org_user,
    other_org_user,
    city_bureau,
    city_center,
    other_city_bureau,
    province_dept,
    province_center,
    inspector,
    admin_user,
) -> World:
    today(TODAY)
    hf = file_with_orm(org_user.membership.organization, "01")
    wh = file_with_orm(other_org_user.membership.organization, "02")
    User.objects.filter(pk=inspector.pk).update(display_name="督查员甲")
    second = make_inspector("hf_inspector2", "01", "督查员乙")
    make_inspector("wh_inspector", "02", "督查员丙")
    make_inspector("prov_inspector", "province", "督查员丁")
    draw = draws.make_draw({**DRAW, "seed": "权限测试"}, actor=city_bureau)
    inspection = draw.inspections.get()
    assigned = inspection.inspectors.get()
    unassigned = second if assigned.pk == inspector.pk else inspector
    wh_draw = draws.make_draw({**DRAW, "seed": "权限测试"}, actor=other_city_bureau)
    users = {
        "org": org_user,
        "other_org": other_org_user,
        "bureau": city_bureau,
        "center": city_center,
        "other_bureau": other_city_bureau,
        "dept": province_dept,
        "pcenter": province_center,
        "assigned": User.objects.get(pk=assigned.pk),
        "unassigned": User.objects.get(pk=unassigned.pk),
        "admin": admin_user,
        "public": None,
    }
    clients = api_clients(users)
    return World(
        users=users,
        clients=clients,
        hf=hf,
        wh=wh,
        draw=draw,
        inspection=inspection,
        wh_draw=wh_draw,
        wh_inspection=wh_draw.inspections.get(),
    )


FINDING = {"stage": "理论考试", "findings": "考场秩序良好，身份核验到位。"}
RECTIFY = {
    "conclusion": "rectify",
    "note": "档案管理不规范。",
    "requirement": "补齐考生档案。",
    "due_on": "2026-12-31",
}


def walk(w: World, state: str) -> Inspection:
    """Walk 合肥's inspection through the services up to ``state``."""
    inspection = w.inspection
    assigned, bureau = w.users["assigned"], w.users["bureau"]
    if state == "assigned":
        return inspection
    inspections.record_finding(inspection, FINDING, actor=assigned)
    if state == "found":
        return inspection
    if state in {"concluded", "published"}:
        inspections.conclude(
            inspection, {"conclusion": "passed", "note": "符合要求。"}, actor=assigned
        )
        if state == "published":
            inspections.publish(inspection, actor=bureau)
        return inspection
    inspections.conclude(inspection, RECTIFY, actor=assigned)
    if state == "rectify":
        return inspection
    inspections.respond_rectification(inspection, "已补齐考生档案。", actor=w.users["org"])
    if state == "responded":
        return inspection
    inspections.review_rectification(inspection, True, actor=bureau)
    assert state == "accepted", state
    return inspection


INSPECTION_STATES = {"assigned", "found", "concluded", "published", "rectify", "responded"}


def build(target: str, w: World) -> dict[str, int]:
    """Bring the object an endpoint needs into being; returns the path parameters."""
    if target == "none":
        return {}
    if target == "draw":
        return {"draw": w.draw.pk}
    if target in INSPECTION_STATES | {"accepted"}:
        return {"inspection": walk(w, target).pk}
    if target == "org":
        return {"org": w.hf.pk}
    if target == "reported":
        reports.file_annual_report(
            w.hf, {"year": 2026, "narrative": "全年开展认定工作。"}, actor=w.users["org"]
        )
        return {"org": w.hf.pk}
    if target == "revoked_org":
        revoke_organization(
            w.hf, reason="伪造考核记录。", category="false_materials", actor=w.users["dept"]
        )
        return {"org": w.hf.pk}
    raise AssertionError(f"unknown target {target}")


# --- requests ----------------------------------------------------------------------------


def stored_files() -> int:
    return sum(len(files) for _, _, files in os.walk(settings.MEDIA_ROOT))


def fingerprint() -> tuple[Any, ...]:
    """Everything a supervision request could change (compared before and after a request)."""
    return (
        stored_files(),
        # A download of personal data records itself (``export``: test_export_entries.py).
        AuditEntry.objects.exclude(action="export").count(),
        list(InspectionDraw.objects.order_by("pk").values_list("pk", "seed", "result")),
        list(
            Inspection.objects.order_by("pk").values_list(
                "pk", "state", "conclusion", "conclusion_note", "published_on", "approved_by"
            )
        ),
        list(Inspection.inspectors.through.objects.order_by("pk").values_list("pk")),
        list(Finding.objects.order_by("pk").values_list("pk", "text", "attachment_stored")),
        list(
            Rectification.objects.order_by("pk").values_list(
                "pk", "response", "accepted", "reviewed_at"
            )
        ),
        list(InspectorConflict.objects.order_by("pk").values_list("pk")),
        list(AnnualReport.objects.order_by("pk").values_list("pk", "year")),
        list(Violation.objects.order_by("pk").values_list("pk", "led_to_exit")),
        list(
            Organization.objects.order_by("pk").values_list(
                "pk", "status", "filing_number", "exit_reason", "exited_on"
            )
        ),
        RetiredNumber.objects.count(),
        Notice.objects.count(),
    )


# What each endpoint is sent (by path; reads send nothing).
BODIES: dict[str, Callable[[dict[str, Any], Any], Any]] = {
    "/api/v1/inspection-draws": lambda _, __: DRAW,
    "I/findings": lambda _, __: FINDING,
    "I/conclude": lambda _, __: {"conclusion": "passed", "note": "考务规范，符合要求。"},
    "I/rectification": lambda _, __: {"response": "已补齐考生档案并建立归档制度。"},
    "I/rectification-review": lambda _, __: {"accepted": True},
    "/api/v1/inspector-conflicts": lambda p, _: {
        "organization": p["org"],
        "reason": "曾在该机构兼职。",
    },
    "O/annual-reports": lambda _, __: {"year": 2026, "narrative": "全年开展焊工认定 1 批次。"},
    "O/violations": lambda _, __: {
        "kind": "false_materials",
        "description": "伪造考生考核记录。",
        "exit": True,
    },
}
PREFIXES = {
    "D": "/api/v1/public/inspection-draws/{draw}",
    "I": "/api/v1/inspections/{inspection}",
    "O": "/api/v1/organizations/{org}",
}


def absent(_: Endpoint, params: dict[str, Any]) -> dict[str, Any]:
    return {key: ABSENT for key in params}


MATRIX = Matrix(PERSONAS, fingerprint=fingerprint, prefixes=PREFIXES, bodies=BODIES, absent=absent)
E = Endpoint
ALL_200 = " ".join(["200"] * len(PERSONAS))
# fmt: off
ENDPOINTS = [
    # og: the organization, oo: another organization, cb/cc: its city's bureau and center,
    # ob: another city's bureau, pd/pc: province department and center, ai/ui: assigned and
    # unassigned inspector, ad: admin, pu: public
    # og  oo  cb  cc  ob  pd  pc  ai  ui  ad  pu
    E("403 403 201 201 201 201 201 403 403 403 401", "post", "/api/v1/inspection-draws", "none"),
    E("403 403 200 200 200 200 200 403 403 403 401", "get", "/api/v1/inspection-draws", "none"),
    E(ALL_200, "get", "/api/v1/public/inspection-draws", "none"),
    E(ALL_200, "get", "D", "draw"),
    E("200 200 200 200 200 200 200 200 200 200 401", "get", "/api/v1/inspections", "none"),
    # The inspected organization reads its inspection once concluded, not while it waits
    # (a drawn target is not told in advance).
    E("404 404 200 200 404 200 200 200 404 200 401", "get", "I", "assigned"),
    E("200 404 200 200 404 200 200 200 404 200 401", "get", "I", "concluded"),
    # Findings and conclusions: only the assigned inspectors.
    E("404 404 403 403 404 403 403 201 404 403 401", "post", "I/findings", "assigned"),
    E("404 404 403 403 404 403 403 200 404 403 401", "post", "I/conclude", "found"),
    # Publication and review: the drawing authority's officers, or the province.
    E("403 404 200 200 404 200 200 403 404 403 401", "post", "I/publish", "concluded"),
    E("200 404 403 403 404 403 403 403 404 403 401", "post", "I/rectification", "rectify"),
    E("403 404 200 200 404 200 200 403 404 403 401", "post", "I/rectification-review",
      "responded"),
    E(ALL_200, "get", "/api/v1/public/inspection-results", "published"),
    E("403 403 403 403 403 403 403 201 201 403 401", "post", "/api/v1/inspector-conflicts",
      "org"),
    # Annual reports: the organization files, those who see it read.
    E("200 404 200 200 404 200 200 200 200 200 401", "get", "O/annual-reports", "org"),
    E("201 404 403 403 404 403 403 403 403 403 401", "post", "O/annual-reports", "org"),
    E("403 403 200 200 200 200 200 403 403 403 401", "get", "/api/v1/annual-reports/missing",
      "none"),
    # Violations with exit: the filing authority's bureau or the province department.
    E("200 404 200 200 404 200 200 200 200 200 401", "get", "O/violations", "org"),
    E("403 404 201 403 404 201 403 403 403 403 401", "post", "O/violations", "org"),
    E("403 403 200 200 200 200 200 403 403 403 401", "get", "/api/v1/statistics", "none"),
    E("403 403 200 200 200 200 200 403 403 403 401", "get", "/api/v1/statistics.xlsx", "none"),
    E("403 403 200 200 200 200 200 403 403 403 401", "get", "/api/v1/statistics/talent.xlsx",
      "none"),
]
# fmt: on
BY_PATH = {(e.method, e.path): e for e in ENDPOINTS}


def attempt(client: APIClient, endpoint: Endpoint, params: dict[str, Any]) -> tuple[Any, bool]:
    """The response, and whether the world changed; the change is rolled back either way."""
    return MATRIX.attempt(client, endpoint, params)


# --- the table ---------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_each_persona_gets_the_status_of_the_table(world, endpoint):
    params = build(endpoint.target, world)
    MATRIX.check(endpoint, world.clients, params)


# The right party in a state its action does not start from: 409 and nothing changes.
# fmt: off
WRONG_STATE = [
    # method, path, persona, object, error code
    ("post", "I/findings", "assigned", "concluded", "invalid_state"),
    ("post", "I/conclude", "assigned", "assigned", "no_findings"),
    ("post", "I/conclude", "assigned", "concluded", "invalid_state"),
    ("post", "I/publish", "bureau", "assigned", "invalid_state"),
    ("post", "I/publish", "bureau", "found", "invalid_state"),
    ("post", "I/publish", "dept", "published", "invalid_state"),
    ("post", "I/rectification", "org", "concluded", "invalid_state"),  # passed: nothing to do
    ("post", "I/rectification", "org", "accepted", "invalid_state"),
    ("post", "I/rectification-review", "bureau", "rectify", "invalid_state"),  # no response yet
    ("post", "O/annual-reports", "org", "reported", "already_filed"),
    ("post", "O/violations", "dept", "revoked_org", "invalid_state"),
]
# fmt: on


@pytest.mark.parametrize(
    ("method", "path", "persona", "target", "code"),
    WRONG_STATE,
    ids=[
        f"{method} {path} {persona} ({target})" for method, path, persona, target, _ in WRONG_STATE
    ],
)
def test_right_party_in_a_wrong_state_gets_409_and_nothing_changes(
    world, method, path, persona, target, code
):
    endpoint = BY_PATH[method, path]
    MATRIX.check_wrong_state(world.clients[persona], endpoint, build(target, world), code)


def _concluded(inspection: Inspection, conclusion: dict[str, str]) -> Inspection:
    member = inspection.inspectors.get()
    inspections.record_finding(inspection, FINDING, actor=member)
    inspections.conclude(inspection, conclusion, actor=member)
    return inspection


def test_only_the_drawing_authority_or_the_province_publishes(world):
    """Who reads an inspection is not who publishes it: a 芜湖 organization's batch held in 合肥
    and drawn by 合肥 is read by 芜湖 (its filing authority), published by 合肥; an inspection
    the province drew is read by the city, published by the province."""
    cross = Batch.objects.create(  # still to be assessed on the draw date (domain.md §8)
        organization=world.wh,
        title="2026年第12期焊工认定（合肥考点）",
        start_date=dt.date(2026, 12, 16),
        end_date=dt.date(2026, 12, 17),
        site_city=authority("01"),
        site_address="合肥市某实训基地",
        state="plan_filed",
    )
    hefei_draw = draws.make_draw(
        {"targets": "batches", "count": 1, "inspectors": 1}, actor=world.users["bureau"]
    )
    held_in_hefei = _concluded(hefei_draw.inspections.get(), RECTIFY)
    assert held_in_hefei.batch_id == cross.pk and held_in_hefei.organization_id == world.wh.pk
    province_draw = draws.make_draw({**DRAW, "count": 2}, actor=world.users["dept"])
    by_province = province_draw.inspections.get(organization=world.hf)
    _concluded(by_province, {"conclusion": "passed", "note": "符合要求。"})
    expected = {
        # persona: (reads the 合肥-drawn 芜湖 batch, publishes it, reads the province's, publishes)
        "org": (404, 404, 200, 403),
        "other_org": (200, 403, 404, 404),
        "bureau": (200, 200, 200, 403),
        "center": (200, 200, 200, 403),
        "other_bureau": (200, 403, 404, 404),
        "dept": (200, 200, 200, 200),
        "pcenter": (200, 200, 200, 200),
        "admin": (200, 403, 200, 403),
    }
    read, publish = E("", "get", "I", ""), E("", "post", "I/publish", "")
    for persona, codes in expected.items():
        client = world.clients[persona]
        answers = []
        for inspection in (held_in_hefei, by_province):
            params = {"inspection": inspection.pk}
            answers.append(attempt(client, read, params)[0].status_code)
            response, changed = attempt(client, publish, params)
            answers.append(response.status_code)
            assert changed == (response.status_code == 200), persona
        assert tuple(answers) == codes, persona
    # Only the inspected 芜湖 organization reports the rectification of its batch.
    report = E("", "post", "I/rectification", "")
    params = {"inspection": held_in_hefei.pk}
    assert attempt(world.clients["org"], report, params)[0].status_code == 404
    assert attempt(world.clients["other_org"], report, params)[0].status_code == 200


# --- what each persona sees in lists -----------------------------------------------------

#            org other_org bureau center other_bureau dept pcenter assigned unassigned admin
INSPECTIONS_SEEN = {
    "hefei": "0 0 1 1 0 1 1 1 0 1",  # both assigned: not yet shown to the organizations
    "wuhu": "0 0 0 0 1 1 1 0 0 1",
}


def _listed(client: APIClient, path: str) -> list[int]:
    body = client.get(path, {"page_size": 500}).json()
    assert body["next"] is None
    return [row["id"] for row in body["results"]]


@pytest.mark.parametrize("persona", PERSONAS[:-1])
def test_inspection_lists_show_exactly_what_the_details_show(world, persona):
    client = world.clients[persona]
    objects = {"hefei": world.inspection, "wuhu": world.wh_inspection}
    flags = {
        key: row.split()[PERSONAS.index(persona)] == "1" for key, row in INSPECTIONS_SEEN.items()
    }
    details = {
        key: client.get(f"/api/v1/inspections/{obj.pk}").status_code for key, obj in objects.items()
    }
    assert details == {key: 200 if flags[key] else 404 for key in objects}
    listed = _listed(client, "/api/v1/inspections")
    assert len(listed) == len(set(listed))  # each once
    assert {key for key, obj in objects.items() if obj.pk in listed} == {
        key for key, seen in flags.items() if seen
    }
    assert set(listed) <= {obj.pk for obj in objects.values()}


def test_cities_see_only_their_own_draws_and_the_province_all(world):
    hefei, wuhu = world.draw.pk, world.wh_draw.pk
    seen = {
        persona: set(_listed(world.clients[persona], "/api/v1/inspection-draws"))
        for persona in ("bureau", "center", "other_bureau", "dept", "pcenter")
    }
    assert seen == {
        "bureau": {hefei},
        "center": {hefei},
        "other_bureau": {wuhu},
        "dept": {hefei, wuhu},
        "pcenter": {hefei, wuhu},
    }
    # The public reads every draw, with what it needs to recompute it; an absent id is 404.
    public = world.clients["public"]
    assert set(_listed(public, "/api/v1/public/inspection-draws")) == {hefei, wuhu}
    record = public.get(f"/api/v1/public/inspection-draws/{hefei}").json()
    assert record["seed"] == world.draw.seed and record["result"] == world.draw.result
    absent = public.get(f"/api/v1/public/inspection-draws/{ABSENT}")
    assert absent.status_code == 404 and error_code(absent) == "not_found"


def test_the_public_reads_published_results_only_and_never_the_inspectors(world):
    walk(world, "published")
    # 芜湖's inspection is concluded but not published: not on the public page.
    wh_inspector = world.wh_inspection.inspectors.get()
    inspections.record_finding(world.wh_inspection, FINDING, actor=wh_inspector)
    inspections.conclude(
        world.wh_inspection, {"conclusion": "failed", "note": "x"}, actor=wh_inspector
    )
    officer_view = world.clients["bureau"].get(f"/api/v1/inspections/{world.inspection.pk}")
    assigned = world.users["assigned"]
    assert officer_view.json()["inspectors"] == [assigned.display_name]  # officers see them
    names = {
        text
        for user in User.objects.filter(role="inspector")
        for text in (user.display_name, user.username)
        if text
    }
    response = world.clients["public"].get("/api/v1/public/inspection-results")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [world.inspection.pk]
    assert results[0]["conclusion"] == "passed" and results[0]["findings"]
    assert "inspectors" not in results[0]
    text = response.content.decode()
    assert not [name for name in names if name in text], "an inspector's name is public"


def _certificate(batch: Batch, serial: int, issued_on: dt.date) -> Certificate:
    organization = batch.organization
    return Certificate.objects.create(
        number=f"{organization.filing_number}5{serial:08d}",
        batch=batch,
        organization=organization,
        year=issued_on.year,
        level=5,
        serial=serial,
        issued_on=issued_on,
        name=f"考生{serial}",
        id_type="201",
        id_number=f"34010419900101{serial:04d}",
        city=organization.filing_authority.code,
        occupation_code="6-18-02-04",
        occupation_name="焊工",
        organization_name=organization.name,
        filing_number=organization.filing_number,
    )


def _batch(organization: Organization) -> Batch:
    city = organization.filing_authority
    return Batch.objects.create(
        organization=organization,
        title="2026年第6期焊工认定",
        start_date=dt.date(2026, 6, 1),
        end_date=dt.date(2026, 6, 2),
        site_city=city,
        site_address=f"{city.name}某实训基地",
        state="results_filed",
    )


def test_cities_see_only_their_own_statistics_and_the_province_all(world):
    hf_batch, wh_batch = _batch(world.hf), _batch(world.wh)
    for serial in (1, 2):
        _certificate(hf_batch, serial, dt.date(2026, 6, 20))
    _certificate(wh_batch, 3, dt.date(2026, 6, 21))
    refresh_statistics()  # written through the ORM: the periodic job brings the summary up
    period = {"from": "2026-01-01", "to": "2026-12-31"}
    expected = {
        "bureau": {"合肥市": 2},
        "center": {"合肥市": 2},
        "other_bureau": {"芜湖市": 1},
        "dept": {"合肥市": 2, "芜湖市": 1},
        "pcenter": {"合肥市": 2, "芜湖市": 1},
    }
    for persona, by_city in expected.items():
        client = world.clients[persona]
        figures = client.get("/api/v1/statistics", period).json()
        assert figures["certificates_by_city"] == by_city, persona
        assert figures["certificates_total"] == sum(by_city.values()), persona
        talent = client.get("/api/v1/statistics/talent.xlsx", period)
        rows = list(openpyxl.load_workbook(io.BytesIO(talent.content)).active.values)[1:]
        assert len(rows) == sum(by_city.values()), persona


def test_missing_reports_list_only_the_officer_s_own_organizations(world):
    def missing(persona: str) -> set[int]:
        response = world.clients[persona].get("/api/v1/annual-reports/missing", {"year": 2026})
        return {row["id"] for row in response.json()["missing"]}

    hf, wh = world.hf.pk, world.wh.pk
    assert missing("bureau") == missing("center") == {hf}
    assert missing("other_bureau") == {wh}
    assert missing("dept") == missing("pcenter") == {hf, wh}
    reports.file_annual_report(
        world.hf, {"year": 2026, "narrative": "全年开展认定工作。"}, actor=world.users["org"]
    )
    assert missing("bureau") == set() and missing("dept") == {wh}
