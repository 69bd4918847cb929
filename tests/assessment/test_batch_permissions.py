"""Nobody sees or changes a batch that is not theirs: every batch endpoint × every persona.

``ENDPOINTS`` is the table (like tests/registry/test_permissions.py): each row names an
endpoint, the batch it needs (brought into the state its action starts from, on the date
the action needs) and the status each persona gets, in the order of ``PERSONAS``.

The rules it encodes (api.md, Conventions; domain.md §1 and §3): the organization acts on
its own batch; the appraisal center and bureau of the site city read, record spot checks,
resolve objections and download the annexes; inspectors (of the site city or the province)
read and record spot checks only; the province reads everything; another organization or
city gets 404 with exactly the body an absent id gets; the public gets 401, except the
public objection endpoint and the roster template. The right party in a wrong state gets
409 (``WRONG_STATE``). Only the provincial center allocates segments. A refused request
changes nothing.

Every request runs in a savepoint that is rolled back afterwards, so each persona meets the
same world, and the world is compared before and after the request inside that savepoint.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from rest_framework.test import APIClient

from skillcert.accounts.models import Authority
from skillcert.assessment.models import (
    Batch,
    BatchItem,
    Candidate,
    Inspection,
    StaffMember,
)
from skillcert.assessment.services import plans, results
from skillcert.audit.models import AuditEntry
from skillcert.certificates.models import Certificate, CertificateCounter, Segment
from skillcert.certificates.services.issuing import issue_batch
from skillcert.ops.samples import sample_application, sample_batch, sample_candidates
from skillcert.registry.models import (
    FilingNumberCounter,
    Notice,
    Objection,
    Organization,
    ScopeItem,
    ServiceArea,
    levels_key,
)
from skillcert.rules.assessment import CANDIDATE_COLUMNS, COLUMN_FIELDS
from skillcert.workflow.models import StateChange
from tests.assessment.factories import (
    PLAN_DAY,
    START,
    batch_in,
    received_by_time,
    scores_for,
    segments_for,
)
from tests.support.permissions import ABSENT, Endpoint, Matrix, error_code, seen
from tests.support.personas import api_clients

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERSONAS = (
    "owner",  # org_user: the 合肥 organization that runs the batch
    "other_org",  # other_org_user: an organization of 芜湖
    "bureau",  # 合肥 bureau (the site city's)
    "center",  # 合肥 appraisal center (the site city's)
    "other_bureau",  # 芜湖 bureau
    "dept",  # province department
    "pcenter",  # province appraisal center
    "inspector",  # 合肥 inspector
    "admin",
    "public",
)


# --- the world ---------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, Any]
    clients: dict[str, APIClient]
    hf: Organization  # the owner's organization, filed in 合肥, with segments for levels 3-5
    wh: Organization  # the other organization (芜湖, not filed)
    today: Callable[[str], None]


def file_on_record(organization: Organization) -> Organization:
    """Put the organization on record, filed in 合肥 for what its sample application asks
    (焊工 levels 2-5 …), with the ORM: the filing walk is tested elsewhere."""
    hefei = Authority.objects.get(code="01")
    Organization.objects.filter(pk=organization.pk).update(
        status="in_pilot",
        category="S",
        filing_number="S000034010001",
        filing_authority=hefei,
        channel="city",
        scope="city",
        filed_on=dt.date(2026, 9, 30),
        valid_until=dt.date(2029, 9, 29),
        pilot_until=dt.date(2027, 9, 29),
    )
    ServiceArea.objects.create(organization=organization, city=hefei, since=dt.date(2026, 9, 30))
    for row in sample_application(organization)["occupations"]:
        ScopeItem.objects.create(
            organization=organization,
            occupation_name=row["name"],
            occupation_code=row["code"],
            work_type=row["work_type"],
            levels=row["levels"],
            levels_key=levels_key(row["levels"]),
        )
    FilingNumberCounter.objects.create(province="34", city="01", last_serial=1)
    organization.refresh_from_db()
    return organization


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
    hf = file_on_record(org_user.membership.organization)
    segments_for(hf, province_center)  # serials 1-500 of 2026 for levels 3, 4 and 5
    users = {
        "owner": org_user,
        "other_org": other_org_user,
        "bureau": city_bureau,
        "center": city_center,
        "other_bureau": other_city_bureau,
        "dept": province_dept,
        "pcenter": province_center,
        "inspector": inspector,
        "admin": admin_user,
        "public": None,
    }
    clients = api_clients(users)
    return World(
        users=users,
        clients=clients,
        hf=hf,
        wh=other_org_user.membership.organization,
        today=today,
    )


# The platform date each state's next action is taken on (the assessment runs 11-02/03;
# the publicity runs 11-04 … 11-10; results are due 11-24).
STATE_DAYS = {
    "draft": PLAN_DAY,
    "plan_filed": "2026-11-03",
    "results_entered": "2026-11-04",
    "in_publicity": "2026-11-05",
    "publicity_closed": "2026-11-11",
    "certificates_issued": "2026-11-12",
    "results_filed": "2026-11-13",
}


def walk(state: str, w: World, **plan: Any) -> Batch:
    """The owner's batch in ``state``, through the services (issue and filing included)."""
    owner = w.users["owner"]
    if state in {"certificates_issued", "results_filed"}:
        batch = batch_in("publicity_closed", w.hf, owner, w.today, **plan)
        issue_batch(batch, actor=owner)
        if state == "results_filed":
            w.today("2026-11-12")
            results.file_results(batch, actor=owner)
    else:
        batch = batch_in(state, w.hf, owner, w.today, **plan)
    w.today(STATE_DAYS[state])
    received_by_time()  # the center's 3 working days are over: time received the filing
    return Batch.objects.get(pk=batch.pk)


def objection_on(batch: Batch, state: str = "open") -> Objection:
    return Objection.objects.create(
        batch=batch,
        content="第 3 名考生未到场却显示合格。",
        contact="13800000000",
        state=state,
    )


def roster_file(w: World) -> bytes:
    """The template from the API, filled in with openpyxl: six new candidates."""
    template = w.clients["public"].get("/api/v1/batches/candidates-template.xlsx")
    assert template.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == list(CANDIDATE_COLUMNS)
    items = sample_batch(START)["items"]
    for number, row in enumerate(sample_candidates(6, items, start=100), start=2):
        for column, name in enumerate(CANDIDATE_COLUMNS, start=1):
            value = row[COLUMN_FIELDS[name]]
            if value not in (None, ""):
                cell = sheet.cell(row=number, column=column, value=str(value))
                cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def score_file(w: World, batch: Batch) -> bytes:
    """The batch's score sheet from the API, filled in with openpyxl."""
    template = w.clients["owner"].get(f"/api/v1/batches/{batch.pk}/results-template.xlsx")
    assert template.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    sheet = book.worksheets[0]
    for line in sheet.iter_rows(min_row=2):
        line[2].value, line[3].value = 78, 66.5
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_files(params: dict[str, Any], w: World) -> dict[str, Any]:
    """What an upload sends: a roster and a score sheet for the batch."""
    batch = Batch.objects.get(pk=params["batch"])
    return {**params, "roster": roster_file(w), "scores": score_file(w, batch)}


def build(target: str, w: World) -> dict[str, Any]:
    """Bring the batch an endpoint needs into being; returns the path parameters (and
    what the bodies need)."""
    if target == "none":
        w.today(PLAN_DAY)
        return {}
    if target in STATE_DAYS:
        batch = walk(target, w)
        return {"batch": batch.pk}
    if target == "plan_awaiting":  # filed today: the center may receive or return it
        batch = batch_in("plan_filed", w.hf, w.users["owner"], w.today)
        return {"batch": batch.pk}
    if target == "not_started":  # plan filed, the assessment has not begun
        batch = walk("plan_filed", w)
        w.today("2026-10-30")
        received_by_time()
        return {"batch": batch.pk}
    if target == "publicity_over":  # the 7 days are over, the sweep has not run yet
        batch = walk("in_publicity", w)
        w.today("2026-11-11")
        return {"batch": batch.pk}
    if target.startswith("objection"):
        batch = walk("in_publicity", w)
        state = "dismissed" if target == "objection_resolved" else "open"
        objection = objection_on(batch, state)
        if target == "objection_over":
            w.today("2026-11-11")
        return {"batch": batch.pk, "objection": objection.pk, "upheld": False}
    if target.startswith("cross_"):  # the 合肥 organization assesses in 芜湖
        state = target.removeprefix("cross_")
        batch = walk("draft", w, site_city="02")
        Batch.objects.filter(pk=batch.pk).update(state=state)
        w.today(STATE_DAYS[state])
        return {"batch": batch.pk}
    raise AssertionError(f"unknown target {target}")


# --- requests ----------------------------------------------------------------------------


def stored_files() -> int:
    roots = {Path(settings.MEDIA_ROOT), Path(settings.DATA_DIR) / "reports"}
    return sum(len(files) for root in roots for _, _, files in os.walk(root))


def fingerprint() -> tuple[Any, ...]:
    """Everything a batch request could change (compared before and after a request)."""
    return (
        stored_files(),
        # A download of personal data records itself (``export``: test_export_entries.py).
        AuditEntry.objects.exclude(action="export").count(),
        list(Batch.objects.order_by("pk").values()),
        list(
            Candidate.objects.order_by("pk").values_list(
                "pk", "batch_id", "id_number", "name", "attended", "scores", "passed"
            )
        ),
        list(BatchItem.objects.order_by("pk").values_list("pk", "batch_id", "level")),
        list(StaffMember.objects.order_by("pk").values_list("pk", "batch_id", "name")),
        list(
            Certificate.objects.order_by("pk").values_list(
                "number", "serial", "status", "candidate_id"
            )
        ),
        list(
            Segment.objects.order_by("pk").values_list(
                "organization_id", "year", "level", "first", "last"
            )
        ),
        list(CertificateCounter.objects.order_by("pk").values_list("pk", "level", "last_serial")),
        list(Inspection.objects.order_by("pk").values_list("pk", "batch_id", "stage")),
        list(Objection.objects.order_by("pk").values_list("pk", "state", "resolution")),
        list(Notice.objects.order_by("pk").values_list("pk", "starts_on", "ends_on")),
        StateChange.objects.count(),  # the history of every workflow
    )


def _upload(name: str, key: str) -> Callable[[dict[str, Any], World], Any]:
    return lambda p, _: {"file": SimpleUploadedFile(name, p[key], content_type=XLSX)}


def _first_candidate(p: dict[str, Any], _: World) -> dict[str, Any]:
    number = Candidate.objects.filter(batch_id=p["batch"]).order_by("position")[0].id_number
    return {"absent": [number]}


# What each endpoint is sent (by path; reads send nothing).
BODIES: dict[str, Callable[[dict[str, Any], World], Any]] = {
    "/api/v1/batches": lambda _, __: sample_batch(START),
    "B": lambda _, __: {"title": "2026年第11期焊工认定（改期）"},
    "B/inspections": lambda _, __: {"stage": "操作技能考核", "findings": "考场秩序良好。"},
    "B/attendance": _first_candidate,
    "B/results": lambda p, _: scores_for(Batch.objects.get(pk=p["batch"])),
    "B/objections": lambda _, __: {"content": "第 3 名考生未到场。", "contact": "13900000000"},
    "X/resolve": lambda p, _: {"upheld": p["upheld"], "reason": "经核实，考生到场参加了考试。"},
    "B/return": lambda _, __: {"reason": "考评人员不足。\n考场地址不详。"},
    "B/return-results": lambda _, __: {"reason": "附件5 与证书编号不符。"},
    "B/candidates.xlsx": _upload("考生名单.xlsx", "roster"),
    "B/results.xlsx": _upload("成绩.xlsx", "scores"),
    "/api/v1/segments": lambda _, w: {
        "organization": w.hf.pk,
        "year": 2026,
        "level": 4,
        "first": 501,
        "last": 900,
    },
}
PREFIXES = {"B": "/api/v1/batches/{batch}", "X": "/api/v1/objections/{objection}"}


def absent(_: Endpoint, params: dict[str, Any]) -> dict[str, Any]:
    """The same request with the batch (or objection) id replaced by one that does not
    exist (its body is still made from the real batch)."""
    return {k: ABSENT if k in {"batch", "objection"} else v for k, v in params.items()}


def xlsx_downloads(persona: str, endpoint: Endpoint, response: Any) -> str | None:
    if response.status_code == 200 and endpoint.path.endswith(".xlsx") and endpoint.method == "get":
        if not response["Content-Type"].startswith(XLSX):
            return f"{response['Content-Type']} instead of xlsx"
    return None


MATRIX = Matrix(
    PERSONAS,
    fingerprint=fingerprint,
    prefixes=PREFIXES,
    bodies=BODIES,
    absent=absent,
    body_of_absent=False,
    checks=[xlsx_downloads],
)
E = Endpoint
# fmt: off
ENDPOINTS = [
    # ow: owner, oo: other organization, cb/cc: the site city's bureau and center, ob: other
    # city's bureau, pd/pc: province department and center, in: inspector, ad: admin, pu: public
    # ow  oo  cb  cc  ob  pd  pc  in  ad  pu
    E("200 200 200 200 200 200 200 200 200 401", "get", "/api/v1/batches", "plan_filed"),
    E("201 201 403 403 403 403 403 403 403 401", "post", "/api/v1/batches", "none"),
    E("200 404 200 200 404 200 200 200 200 401", "get", "B", "plan_filed"),
    E("200 404 200 200 404 200 200 200 200 401", "get", "B", "results_filed"),
    # A draft is the organization's working copy: nobody else sees it before it is filed.
    E("200 404 404 404 404 404 404 404 404 401", "get", "B", "draft"),
    E("200 404 404 404 404 404 404 404 404 401", "patch", "B", "draft"),
    E("200 404 404 404 404 404 404 404 404 401", "post", "B/submit", "draft"),
    E("403 404 201 201 404 201 201 201 403 401", "post", "B/inspections", "plan_filed"),
    E("403 404 201 201 404 201 201 201 403 401", "post", "B/inspections", "results_entered"),
    E("200 404 403 403 404 403 403 403 403 401", "post", "B/attendance", "plan_filed"),
    E("200 404 403 403 404 403 403 403 403 401", "post", "B/results", "plan_filed"),
    E("200 404 403 403 404 403 403 403 403 401", "post", "B/publicize", "results_entered"),
    E("200 404 403 403 404 403 403 403 403 401", "post", "B/issue", "publicity_closed"),
    E("200 404 403 403 404 403 403 403 403 401", "post", "B/file-results", "certificates_issued"),
    # The site city's appraisal center alone receives or returns a filing (its bureau not),
    # within 3 working days; the organization withdraws its plan before the start.
    E("403 404 403 200 404 403 403 403 403 401", "post", "B/receive", "plan_awaiting"),
    E("403 404 403 200 404 403 403 403 403 401", "post", "B/return", "plan_awaiting"),
    E("403 404 403 200 404 403 403 403 403 401", "post", "B/receive-results", "results_filed"),
    E("403 404 403 200 404 403 403 403 403 401", "post", "B/return-results", "results_filed"),
    E("200 404 403 403 404 403 403 403 403 401", "post", "B/withdraw", "not_started"),
    # Anyone objects to published results (no login needed; a token is ignored) …
    E("201 201 201 201 201 201 201 201 201 201", "post", "B/objections", "in_publicity"),
    # … and a batch not in its publicity is answered like an absent one.
    E("404 404 404 404 404 404 404 404 404 404", "post", "B/objections", "plan_filed"),
    E("403 404 200 200 404 200 200 403 403 401", "post", "X/resolve", "objection"),
    E("200 404 404 404 404 404 404 404 404 401", "upload", "B/candidates.xlsx", "draft"),
    E("200 404 403 403 404 403 403 403 403 401", "get", "B/results-template.xlsx", "plan_filed"),
    E("200 404 403 403 404 403 403 403 403 401", "upload", "B/results.xlsx", "plan_filed"),
    E("200 404 200 200 404 200 200 403 403 401", "get", "B/annex4.xlsx", "results_entered"),
    E("200 404 200 200 404 200 200 403 403 401", "get", "B/annex5.xlsx", "certificates_issued"),
    E("200 200 200 200 200 200 200 200 200 200",
      "get", "/api/v1/batches/candidates-template.xlsx", "none"),
    E("200 200 200 200 200 200 200 200 200 401", "get", "/api/v1/segments", "none"),
    E("403 403 403 403 403 403 201 403 403 401", "post", "/api/v1/segments", "none"),
    # The 合肥 organization assesses in 芜湖: 合肥 still reads (its organization), 芜湖 is the
    # site city's authority now, and the 合肥 inspector may not check another city's site.
    E("200 404 200 200 200 200 200 200 200 401", "get", "B", "cross_plan_filed"),
    E("403 404 403 403 201 201 201 403 403 401", "post", "B/inspections", "cross_plan_filed"),
    E("200 404 403 403 200 200 200 403 403 401", "get", "B/annex4.xlsx", "cross_results_entered"),
]
# fmt: on
BY_PATH = {(e.method, e.path): e for e in ENDPOINTS}


def attempt(
    client: APIClient, endpoint: Endpoint, params: dict[str, Any], w: World, *, absent: bool = False
) -> tuple[Any, bool]:
    """The response, and whether the world changed; the change is rolled back either way.

    ``absent``: the same request with the batch (or objection) id replaced by one that does
    not exist."""
    return MATRIX.attempt(client, endpoint, params, w, absent=absent)


# --- the table ---------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_each_persona_gets_the_status_of_the_table(world, endpoint):
    params = build(endpoint.target, world)
    if endpoint.method == "upload":
        params = with_files(params, world)
    MATRIX.check(endpoint, world.clients, params, world)


def test_an_upheld_objection_is_resolved_by_the_site_city_or_the_province(world):
    """Upholding sends the results back (results_entered); only the center's side may."""
    endpoint = BY_PATH["post", "X/resolve"]
    params = {**build("objection", world), "upheld": True}
    seen = {}
    for persona in PERSONAS:
        response, changed = attempt(world.clients[persona], endpoint, params, world)
        seen[persona] = response.status_code
        assert changed == (response.status_code == 200), persona
    assert seen == MATRIX.codes(endpoint)
    with transaction.atomic():
        response = world.clients["center"].post(
            MATRIX.url(endpoint, params), MATRIX.body(endpoint, params, world), format="json"
        )
        assert response.json()["state"] == "upheld"
        assert Batch.objects.get(pk=params["batch"]).state == "results_entered"
        transaction.set_rollback(True)


# The right party in a state its action does not start from (or before its date): 409 and
# nothing changes.
# fmt: off
WRONG_STATE = [
    # method, path, persona, batch, error code
    ("patch", "B", "owner", "plan_filed", "invalid_state"),
    ("post", "B/submit", "owner", "plan_filed", "invalid_state"),
    ("upload", "B/candidates.xlsx", "owner", "plan_filed", "invalid_state"),
    ("post", "B/inspections", "center", "results_filed", "invalid_state"),
    ("post", "B/inspections", "inspector", "in_publicity", "invalid_state"),
    ("post", "B/inspections", "dept", "results_filed", "invalid_state"),
    ("post", "B/inspections", "center", "not_started", "not_started"),
    ("post", "B/attendance", "owner", "draft", "invalid_state"),
    ("post", "B/attendance", "owner", "in_publicity", "invalid_state"),
    ("post", "B/attendance", "owner", "not_started", "not_started"),
    ("post", "B/results", "owner", "draft", "invalid_state"),
    ("post", "B/results", "owner", "in_publicity", "invalid_state"),
    ("post", "B/results", "owner", "not_started", "not_started"),
    ("upload", "B/results.xlsx", "owner", "in_publicity", "invalid_state"),
    ("upload", "B/results.xlsx", "owner", "not_started", "not_started"),
    ("post", "B/publicize", "owner", "plan_filed", "invalid_state"),
    ("post", "B/publicize", "owner", "in_publicity", "invalid_state"),
    ("post", "B/issue", "owner", "draft", "invalid_state"),
    ("post", "B/issue", "owner", "results_entered", "invalid_state"),
    ("post", "B/issue", "owner", "in_publicity", "publicity_running"),
    ("post", "B/issue", "owner", "objection_over", "objection_open"),
    ("post", "B/file-results", "owner", "publicity_closed", "invalid_state"),
    ("post", "B/file-results", "owner", "results_filed", "invalid_state"),
    ("post", "B/objections", "public", "publicity_over", "publicity_ended"),
    ("post", "X/resolve", "center", "objection_resolved", "already_resolved"),
    ("get", "B/annex4.xlsx", "center", "plan_filed", "invalid_state"),
    ("get", "B/annex5.xlsx", "dept", "publicity_closed", "invalid_state"),
    # Receipt: 3 working days, then time received it; a return needs the filing awaited.
    ("post", "B/receive", "center", "plan_filed", "receipt_closed"),
    ("post", "B/return", "center", "plan_filed", "receipt_closed"),
    ("post", "B/receive", "center", "results_entered", "invalid_state"),
    ("post", "B/receive-results", "center", "certificates_issued", "invalid_state"),
    ("post", "B/return-results", "center", "publicity_closed", "invalid_state"),
    # A plan is withdrawn before its assessment starts, never after, nor a draft.
    ("post", "B/withdraw", "owner", "plan_filed", "assessment_started"),
    ("post", "B/withdraw", "owner", "draft", "invalid_state"),
    ("post", "B/withdraw", "owner", "results_entered", "invalid_state"),
]
# fmt: on


@pytest.mark.parametrize(
    ("method", "path", "persona", "target", "code"),
    WRONG_STATE,
    ids=[f"{method} {path} ({target})" for method, path, _, target, _ in WRONG_STATE],
)
def test_right_party_in_a_wrong_state_gets_409_and_nothing_changes(
    world, method, path, persona, target, code
):
    endpoint = BY_PATH[method, path]
    params = build(target, world)
    if method == "upload":
        params = with_files(params, world)
    MATRIX.check_wrong_state(world.clients[persona], endpoint, params, code, world)


# --- lists show no more than details ------------------------------------------------------


@pytest.fixture
def crowd(world) -> dict[str, Batch]:
    """Filed plans of both organizations at home and away, and a draft."""
    world.today(PLAN_DAY)
    owner, other = world.users["owner"], world.users["other_org"]
    batches = {
        "hefei": plans.create_batch(world.hf, sample_batch(START), actor=owner),
        "wuhu": plans.create_batch(world.wh, sample_batch(START, site_city="02"), actor=other),
        "cross-city": plans.create_batch(
            world.hf, sample_batch(START, site_city="02"), actor=owner
        ),
        "visiting": plans.create_batch(world.wh, sample_batch(START), actor=other),
    }
    # Filed plans (set directly: the visiting one's city is not checked here) and one draft.
    Batch.objects.filter(pk__in=[b.pk for b in batches.values()]).update(state="plan_filed")
    batches["draft"] = plans.create_batch(world.hf, sample_batch(START), actor=owner)
    Segment.objects.create(organization=world.wh, year=2026, level=3, first=1, last=100)
    return batches


#                 owner other_org bureau center other_bureau dept pcenter inspector admin
BATCHES_SEEN = {
    "hefei": "1 0 1 1 0 1 1 1 1",
    "wuhu": "0 1 0 0 1 1 1 0 1",
    "cross-city": "1 0 1 1 1 1 1 1 1",  # a 合肥 organization assessing in 芜湖
    "visiting": "0 1 1 1 1 1 1 1 1",  # a 芜湖 organization assessing in 合肥
    "draft": "1 0 0 0 0 0 0 0 0",  # nobody but the organization sees a draft
}
SEGMENTS_SEEN = {  # segments follow the organizations one may read
    "hefei": "1 0 1 1 0 1 1 1 1",
    "wuhu": "0 1 0 0 1 1 1 0 1",
}


def _seen(table: dict[str, str]) -> dict[str, set[str]]:
    return seen(table, PERSONAS[:-1])


def _listed(client: APIClient, path: str, **query: Any) -> list[dict[str, Any]]:
    body = client.get(path, {"page_size": 500, **query}).json()
    assert body["next"] is None and body["count"] == len(body["results"])
    return body["results"]


@pytest.mark.parametrize("persona", PERSONAS[:-1])
def test_lists_show_exactly_what_the_details_show(world, crowd, persona):
    client = world.clients[persona]
    expected = _seen(BATCHES_SEEN)[persona]
    details = {key: client.get(f"/api/v1/batches/{b.pk}").status_code for key, b in crowd.items()}
    assert details == {key: 200 if key in expected else 404 for key in crowd}
    listed = {row["id"] for row in _listed(client, "/api/v1/batches")}
    assert {key for key, b in crowd.items() if b.pk in listed} == expected
    assert all(client.get(f"/api/v1/batches/{pk}").status_code == 200 for pk in listed)

    organizations = {"hefei": world.hf, "wuhu": world.wh}
    segments = _listed(client, "/api/v1/segments")
    shown = {
        key for key, o in organizations.items() if o.pk in {s["organization"] for s in segments}
    }
    assert shown == _seen(SEGMENTS_SEEN)[persona]
    for key, organization in organizations.items():
        status = client.get(f"/api/v1/organizations/{organization.pk}").status_code
        assert (status == 200) == (key in shown), key
    for key, organization in organizations.items():  # asking for another's is no way round
        asked = _listed(client, "/api/v1/segments", organization=organization.pk)
        assert bool(asked) == (key in shown), key


def test_segments_show_what_is_left(world):
    issue_batch(walk("publicity_closed", world), actor=world.users["owner"])
    rows = _listed(world.clients["pcenter"], "/api/v1/segments", organization=world.hf.pk)
    used = dict(Certificate.objects.values_list("level").annotate(n=Count("pk")))
    assert {(r["level"], r["first"], r["last"], r["remaining"]) for r in rows} == {
        (level, 1, 500, 500 - used.get(level, 0)) for level in (3, 4, 5)
    }


def test_the_public_lists_nothing(world, crowd):
    for path in ["/api/v1/batches", "/api/v1/segments"]:
        response = world.clients["public"].get(path)
        assert response.status_code == 401
        assert error_code(response) == "not_authenticated"


def test_a_province_inspector_reads_everything_and_records_checks(world, authorities, client_for):
    from skillcert.accounts.services import add_user
    from skillcert.audit.service import SYSTEM
    from tests.conftest import PASSWORD

    province_inspector = add_user(
        "prov_inspector", password=PASSWORD, role="inspector", authority="province", actor=SYSTEM
    )
    client = client_for(province_inspector)
    params = build("cross_plan_filed", world)
    assert client.get(f"/api/v1/batches/{params['batch']}").status_code == 200
    assert params["batch"] in {row["id"] for row in _listed(client, "/api/v1/batches")}
    inspection = BY_PATH["post", "B/inspections"]
    response, changed = attempt(client, inspection, params, world)
    assert (response.status_code, changed) == (201, True)
    for path in ("B/attendance", "B/results"):
        response, changed = attempt(client, BY_PATH["post", path], params, world)
        assert (response.status_code, error_code(response), changed) == (403, "forbidden", False)
    annex = client.get(f"/api/v1/batches/{params['batch']}/annex4.xlsx")
    assert annex.status_code == 403
