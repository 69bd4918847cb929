"""Nobody sees what is not theirs: every registry endpoint against every persona (domain.md §1).

``ENDPOINTS`` is the table. Each row names an endpoint, the object it needs (brought into the
state its action starts from) and the status each persona gets, in the order of ``PERSONAS``.
The rules it encodes (api.md, Conventions): the public gets 401; who may not see the object
gets 404 with exactly the body an absent id gets; who sees it but may not act gets 403; the
right party in a wrong state gets 409 (``WRONG_STATE``). A refused request changes nothing.

Every request runs in a savepoint that is rolled back afterwards, so each persona meets the
same world, and the world is compared before and after the request inside that savepoint
(the harness: tests/support/permissions.py).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from skillcert.accounts.models import Authority
from skillcert.audit.models import AuditEntry
from skillcert.registry.models import (
    CityThresholds,
    Evaluation,
    FilingCase,
    FilingMaterial,
    FilingNumberCounter,
    FilingOccupation,
    Notice,
    Objection,
    Organization,
    RetiredNumber,
    ScopeItem,
    ServiceArea,
    levels_key,
)
from skillcert.rules.filing import Material
from skillcert.workflow.models import StateChange
from tests.registry.factories import application, attach_all, evaluation, pdf_upload
from tests.support.factories import credit_code
from tests.support.permissions import ABSENT, Endpoint, Matrix, absent_ids, error_code, seen
from tests.support.personas import api_clients

pytestmark = pytest.mark.django_db

TODAY = "2026-10-09"
PERSONAS = (
    "applicant",  # org_user: its organization is 合肥's (city 01)
    "other_org",  # other_org_user: 芜湖 (02)
    "bureau",  # 合肥 bureau
    "center",  # 合肥 appraisal center
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
    hf: Organization  # the applicant's organization (合肥)
    wh: Organization  # the other organization (芜湖)


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
    users = {
        "applicant": org_user,
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
        hf=org_user.membership.organization,
        wh=other_org_user.membership.organization,
    )


def authority(code: str) -> Authority:
    return Authority.objects.get(code=code)


STATE_DATES: dict[str, dict[str, dt.date]] = {
    "submitted": {"submitted_on": dt.date(2026, 9, 18), "acceptance_due": dt.date(2026, 10, 9)},
    "accepted": {"accepted_on": dt.date(2026, 9, 21)},
    "in_publicity": {
        "publicity_start": dt.date(2026, 9, 24),
        "publicity_end": dt.date(2026, 10, 8),
    },
    "filed": {"filed_on": dt.date(2026, 10, 9)},
}
LATER = {
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


def case_in(
    organization: Organization,
    state: str,
    *,
    city: str = "01",
    kind: str = "initial",
    channel: str = "city",
    materials: bool = True,
    **fields: Any,
) -> FilingCase:
    """A complete case in ``state``, built with the ORM (the services then act on it)."""
    data = application(organization)
    values: dict[str, Any] = {}
    for step in LATER[state]:
        values.update(STATE_DATES[step])
    if channel == "province":
        values.update(industry="电力行业", recommended_by="省能源局")
    values.update(fields)
    case = FilingCase.objects.create(
        organization=organization,
        kind=kind,
        channel=channel,
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
            years=row["years"],
            persons=row["persons"],
            subsidised=row["subsidised"],
            levels=row["levels"],
            experience_level=row["experience_level"],
        )
        for index, row in enumerate(data["occupations"])
    )
    if materials:
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
            case=case,
            method="document_review",
            evaluators="张专家",
            date=dt.date(2026, 9, 22),
            opinion="符合要求。",
        )
    return case


def file_with_orm(organization: Organization, city: str = "01", serial: int = 1) -> FilingCase:
    """Put an organization on record as filed in ``city`` (in its pilot), with its case."""
    number = f"S000034{city}{serial:04d}"
    case = case_in(organization, "filed", city=city, filing_number=number)
    Organization.objects.filter(pk=organization.pk).update(
        status="in_pilot",
        category="S",
        filing_number=number,
        filing_authority=authority(city),
        channel="city",
        scope="city",
        filed_on=dt.date(2026, 10, 9),
        valid_until=dt.date(2029, 10, 8),
        pilot_until=dt.date(2027, 10, 8),
    )
    ServiceArea.objects.create(
        organization=organization, city=authority(city), since=dt.date(2026, 10, 9)
    )
    for row in application(organization)["occupations"]:
        ScopeItem.objects.create(
            organization=organization,
            occupation_name=row["name"],
            occupation_code=row["code"],
            levels=row["levels"],
            levels_key=levels_key(row["levels"]),
        )
    counter, _ = FilingNumberCounter.objects.get_or_create(province="34", city=city)
    counter.last_serial = max(counter.last_serial, serial)
    counter.save()
    organization.refresh_from_db()
    return case


def second_hefei_organization(name: str = "合肥第二职业培训学校") -> Organization:
    return Organization.objects.create(
        name=name,
        credit_code=credit_code("340104", "TT000003"),
        home_city=authority("01"),
    )


def build(target: str, w: World) -> dict[str, int | str]:
    """Bring the object an endpoint needs into being; returns the path parameters."""
    if target == "none":
        return {}
    if target == "city":
        return {"code": "01"}
    if target == "draft":
        case = case_in(w.hf, "draft", materials=False)
        attach_all(case, w.users["applicant"])
        return {"case": case.pk, "material": case.materials.order_by("pk").first().pk}
    if target in LATER:
        return {"case": case_in(w.hf, target).pk}
    if target == "publicity_running":
        return {"case": case_in(w.hf, "in_publicity", publicity_end=dt.date(2026, 10, 15)).pk}
    if target.startswith("province_"):  # the province channel (00) for the same applicant
        state = target.removeprefix("province_")
        return {"case": case_in(w.hf, state, city="00", channel="province").pk}
    if target.startswith("cross_"):  # a filed 合肥 organization files with 芜湖
        file_with_orm(w.hf)
        state = target.removeprefix("cross_")
        return {"case": case_in(w.hf, state, city="02", kind="cross_city").pk}
    if target in {"objection", "objection_resolved"}:
        case = case_in(w.hf, "in_publicity")
        objection = Objection.objects.create(
            filing=case,
            content="场地系临时租用。",
            contact="13800000000",
            state="open" if target == "objection" else "dismissed",
        )
        return {"case": case.pk, "objection": objection.pk}
    if target == "filed":
        return {"case": file_with_orm(w.hf).pk, "org": w.hf.pk}
    if target.endswith("_org"):  # the applicant's organization, filed, in a status
        file_with_orm(w.hf)
        status = target.removesuffix("_org")
        Organization.objects.filter(pk=w.hf.pk).update(status=status)
        return {"org": w.hf.pk}
    if target in {"merge", "merge_unfiled"}:
        file_with_orm(w.hf)
        member = second_hefei_organization()
        if target == "merge":
            file_with_orm(member, serial=2)
        return {"org": w.hf.pk, "member": member.pk}
    raise AssertionError(f"unknown target {target}")


# --- requests ----------------------------------------------------------------------------


def stored_files() -> int:
    return sum(len(files) for _, _, files in os.walk(settings.MEDIA_ROOT))


def fingerprint() -> tuple[Any, ...]:
    """Everything a registry request could change (compared before and after a request)."""
    return (
        stored_files(),
        AuditEntry.objects.count(),
        list(
            FilingCase.objects.order_by("pk").values_list(
                "pk", "state", "overdue", "updated_at", "filing_number", "authority_id"
            )
        ),
        list(
            Organization.objects.order_by("pk").values_list(
                "pk", "status", "filing_number", "scope", "valid_until", "exit_reason"
            )
        ),
        list(Objection.objects.order_by("pk").values_list("pk", "state")),
        list(
            CityThresholds.objects.values_list(
                "authority_id", "years_continuous", "persons_total", "persons_per_occupation"
            )
        ),
        list(FilingNumberCounter.objects.values_list("city", "last_serial")),
        FilingMaterial.objects.count(),
        FilingOccupation.objects.count(),
        Evaluation.objects.count(),
        StateChange.objects.count(),  # the history of every workflow
        RetiredNumber.objects.count(),
        Notice.objects.count(),
        ScopeItem.objects.count(),
        ServiceArea.objects.count(),
    )


def _reason(_: dict[str, Any], __: Any = None) -> dict[str, str]:
    return {"reason": "材料与实际情况不符。"}


# What each endpoint is sent (by path; reads send nothing), and where its absent id goes.
BODIES: dict[str, Callable[[dict[str, Any], Any], Any]] = {
    "/api/v1/filings": lambda _, __: {"kind": "initial"},
    "F": lambda _, __: {"record": {"years_continuous": 7, "persons_total": 22000}},
    "F/materials": lambda _, __: {"type": "plan", "file": pdf_upload()},
    "F/not-accept": _reason,
    "F/evaluations": lambda _, __: evaluation(),
    "F/not-select": _reason,
    "X/resolve": lambda _, __: {"upheld": False, "reason": "经核实不属实。"},
    "O/pilot-result": lambda _, __: {"passed": True},
    "O/revoke": lambda _, __: {"reason": "提供虚假材料。", "category": "false_materials"},
    "/api/v1/organizations/merge": lambda p, _: {"members": [p["member"]], "into": p["org"]},
    "T": lambda _, __: {
        "years_continuous": 3,
        "persons_total": 3000,
        "persons_per_occupation": 500,
    },
}
ABSENT_PARAMS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "F/materials/{material}": lambda p: {**p, "material": ABSENT},  # of a case one sees
    "/api/v1/organizations/merge": lambda p: {**p, "member": ABSENT},
    "T": lambda _: {"code": "99"},
}
PREFIXES = {
    "F": "/api/v1/filings/{case}",
    "O": "/api/v1/organizations/{org}",
    "X": "/api/v1/objections/{objection}",
    "T": "/api/v1/cities/{code}/thresholds",
}


def absent(endpoint: Endpoint, params: dict[str, Any]) -> dict[str, Any]:
    make = ABSENT_PARAMS.get(endpoint.path)
    return make(params) if make else absent_ids(endpoint, params)


MATRIX = Matrix(PERSONAS, fingerprint=fingerprint, prefixes=PREFIXES, bodies=BODIES, absent=absent)
E = Endpoint
# fmt: off
ENDPOINTS = [
    # ap: applicant, oo: other organization, cb/cc: its city's bureau and center, ob: other
    # city's bureau, pd/pc: province department and center, in: inspector, ad: admin, pu: public
    # ap  oo  cb  cc  ob  pd  pc  in  ad  pu
    E("200 404 200 200 404 200 200 200 200 401", "get", "F", "submitted"),
    E("200 404 403 403 404 403 403 403 403 401", "patch", "F", "draft"),
    E("201 404 403 403 404 403 403 403 403 401", "upload", "F/materials", "draft"),
    E("200 404 200 200 404 200 200 404 200 401", "get", "F/materials/{material}", "draft"),
    E("200 404 403 403 404 403 403 403 403 401", "post", "F/submit", "draft"),
    E("403 404 200 403 404 403 403 403 403 401", "post", "F/accept", "submitted"),
    E("403 404 200 403 404 403 403 403 403 401", "post", "F/not-accept", "submitted"),
    E("403 404 201 201 404 403 403 403 403 401", "post", "F/evaluations", "accepted"),
    E("403 404 200 403 404 403 403 403 403 401", "post", "F/select", "under_evaluation"),
    E("403 404 200 403 404 403 403 403 403 401", "post", "F/not-select", "selected"),
    E("403 404 200 403 404 403 403 403 403 401", "post", "F/publicize", "selected"),
    E("403 404 200 403 404 403 403 403 403 401", "post", "F/file", "in_publicity"),
    E("200 404 200 200 404 200 200 200 200 401", "get", "F/receipt.pdf", "filed"),
    E("403 404 200 403 404 403 403 403 403 401", "post", "X/resolve", "objection"),
    E("200 200 200 200 200 200 200 200 200 401", "get", "/api/v1/filings", "none"),
    E("201 201 403 403 403 403 403 403 403 401", "post", "/api/v1/filings", "none"),
    # The province channel (00): the province department decides, its center may evaluate.
    E("200 404 200 200 404 200 200 200 200 401", "get", "F", "province_submitted"),
    E("403 404 403 403 404 200 403 403 403 401", "post", "F/accept", "province_submitted"),
    E("403 404 403 403 404 201 201 403 403 401", "post", "F/evaluations", "province_accepted"),
    E("403 404 403 403 404 200 403 403 403 401", "post", "F/file", "province_in_publicity"),
    # A filed 合肥 organization files with 芜湖: both bureaus see the case, 芜湖's decides.
    E("200 404 200 200 200 200 200 200 200 401", "get", "F", "cross_submitted"),
    E("403 404 403 403 200 403 403 403 403 401", "post", "F/accept", "cross_submitted"),
    E("403 404 403 403 201 403 403 403 403 401", "post", "F/evaluations", "cross_accepted"),
    # Organizations. Merging: the applicant sees its own organization, not the member.
    E("200 404 200 200 404 200 200 200 200 401", "get", "O", "in_pilot_org"),
    E("200 200 200 200 200 200 200 200 200 401", "get", "/api/v1/organizations", "none"),
    E("403 404 200 403 404 200 403 403 403 401", "post", "O/pilot-result", "in_pilot_org"),
    E("403 404 200 403 404 200 403 403 403 401", "post", "O/revoke", "in_pilot_org"),
    E("403 404 201 403 404 403 403 403 403 401", "post", "O/recommend", "active_org"),
    E("404 404 201 403 404 201 403 403 403 401", "post", "/api/v1/organizations/merge", "merge"),
    E("200 200 200 200 200 200 200 200 200 401", "get", "/api/v1/registry/retired", "none"),
    # Thresholds are conditions applicants must meet: anyone logged in reads them.
    E("200 200 200 200 200 200 200 200 200 401", "get", "T", "city"),
    E("403 403 200 403 403 403 403 403 403 401", "put", "T", "city"),
]
# fmt: on
BY_PATH = {(e.method, e.path): e for e in ENDPOINTS}


# --- the table ---------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_each_persona_gets_the_status_of_the_table(request, world, endpoint):
    if endpoint.path == "F/select":
        request.getfixturevalue("occupation_catalog")  # the checklist looks occupations up
    params = build(endpoint.target, world)
    MATRIX.check(endpoint, world.clients, params)


# The right party in a state its action does not start from: 409 and nothing changes.
# fmt: off
WRONG_STATE = [
    # method, path, persona, object, error code
    ("patch", "F", "applicant", "submitted", "invalid_state"),
    ("upload", "F/materials", "applicant", "submitted", "invalid_state"),
    ("post", "F/submit", "applicant", "submitted", "invalid_state"),
    ("post", "F/accept", "bureau", "accepted", "invalid_state"),
    ("post", "F/not-accept", "bureau", "under_evaluation", "invalid_state"),
    ("post", "F/evaluations", "center", "submitted", "invalid_state"),
    ("post", "F/evaluations", "bureau", "selected", "invalid_state"),
    ("post", "F/select", "bureau", "accepted", "invalid_state"),
    ("post", "F/not-select", "bureau", "in_publicity", "invalid_state"),
    ("post", "F/not-select", "bureau", "not_accepted", "invalid_state"),
    ("post", "F/publicize", "bureau", "under_evaluation", "invalid_state"),
    ("post", "F/file", "bureau", "selected", "invalid_state"),
    ("post", "F/file", "bureau", "filed", "invalid_state"),
    ("post", "F/file", "bureau", "publicity_running", "publicity_running"),
    ("get", "F/receipt.pdf", "applicant", "in_publicity", "not_filed"),
    ("post", "X/resolve", "bureau", "objection_resolved", "already_resolved"),
    ("post", "F/accept", "other_bureau", "cross_accepted", "invalid_state"),
    ("post", "F/accept", "dept", "province_accepted", "invalid_state"),
    ("post", "O/pilot-result", "bureau", "active_org", "invalid_state"),
    ("post", "O/pilot-result", "dept", "revoked_org", "invalid_state"),
    ("post", "O/revoke", "bureau", "revoked_org", "invalid_state"),
    ("post", "O/revoke", "dept", "expired_org", "invalid_state"),
    ("post", "O/recommend", "bureau", "pilot_failed_org", "invalid_state"),
    ("post", "/api/v1/organizations/merge", "bureau", "merge_unfiled", "invalid_state"),
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
    MATRIX.check_wrong_state(world.clients[persona], endpoint, build(target, world), code)


# --- lists show no more than details ------------------------------------------------------


@pytest.fixture
def crowd(world) -> dict[str, Any]:
    """Cases and organizations of several cities and channels, each seen by some personas."""
    third = second_hefei_organization("合肥省直行业培训中心")
    file_with_orm(world.hf)
    cases = {
        "hefei": case_in(world.hf, "submitted", kind="scope_change"),
        "wuhu": case_in(world.wh, "submitted", city="02"),
        "province channel": case_in(third, "submitted", city="00", channel="province"),
        "cross-city": case_in(world.hf, "submitted", city="02", kind="cross_city"),
    }
    organizations = {"hefei": world.hf, "wuhu": world.wh, "province channel": third}
    return {"cases": cases, "organizations": organizations}


#                  applicant other_org bureau center other_bureau dept pcenter inspector admin
CASES_SEEN = {
    "hefei": "1 0 1 1 0 1 1 1 1",
    "wuhu": "0 1 0 0 1 1 1 0 1",
    "province channel": "0 0 1 1 0 1 1 1 1",  # a 合肥 organization: its city sees, not decides
    "cross-city": "1 0 1 1 1 1 1 1 1",  # filed with 芜湖 by a 合肥 organization
}
ORGANIZATIONS_SEEN = {
    "hefei": "1 0 1 1 1 1 1 1 1",  # 芜湖 reviews its cross-city case, so it sees the applicant
    "wuhu": "0 1 0 0 1 1 1 0 1",
    "province channel": "0 0 1 1 0 1 1 1 1",
}


def _seen(table: dict[str, str]) -> dict[str, set[str]]:
    return seen(table, PERSONAS[:-1])


def _listed(client: APIClient, path: str) -> set[int]:
    body = client.get(path, {"page_size": 500}).json()
    assert body["next"] is None
    return {row["id"] for row in body["results"]}


@pytest.mark.parametrize("persona", PERSONAS[:-1])
def test_lists_show_exactly_what_the_details_show(world, crowd, persona):
    client = world.clients[persona]
    for kind, table, path in [
        ("cases", CASES_SEEN, "/api/v1/filings"),
        ("organizations", ORGANIZATIONS_SEEN, "/api/v1/organizations"),
    ]:
        expected = _seen(table)[persona]
        objects = crowd[kind]
        details = {key: client.get(f"{path}/{obj.pk}").status_code for key, obj in objects.items()}
        assert details == {key: 200 if key in expected else 404 for key in objects}, kind
        listed = _listed(client, path)
        assert {key for key, obj in objects.items() if obj.pk in listed} == expected, kind
        assert all(client.get(f"{path}/{pk}").status_code == 200 for pk in listed), kind


def test_the_public_lists_nothing(world, crowd):
    for path in ["/api/v1/filings", "/api/v1/organizations", "/api/v1/registry/retired"]:
        response = world.clients["public"].get(path)
        assert response.status_code == 401
        assert error_code(response) == "not_authenticated"


def test_retired_numbers_show_only_the_city_s_own_sequence(world):
    hefei_case = file_with_orm(world.hf)
    wuhu_case = file_with_orm(world.wh, city="02")
    for case in (hefei_case, wuhu_case):
        RetiredNumber.objects.create(
            number=case.filing_number,
            organization=case.organization,
            organization_name=case.organization.name,
            reason="false_materials",
            retired_on=dt.date(2026, 10, 9),
        )
    hefei, wuhu = hefei_case.filing_number, wuhu_case.filing_number
    seen = {
        persona: {row["number"] for row in client.get("/api/v1/registry/retired").json()["results"]}
        for persona, client in world.clients.items()
        if persona != "public"
    }
    assert seen["bureau"] == seen["center"] == {hefei}
    assert seen["other_bureau"] == {wuhu}
    assert seen["dept"] == seen["pcenter"] == seen["admin"] == {hefei, wuhu}
    assert wuhu not in seen["applicant"] | seen["inspector"]
    assert hefei not in seen["other_org"]


def test_a_material_is_looked_up_within_its_case(world):
    """A case one may read does not open another case's material by its id."""
    own = build("draft", world)
    other_case = case_in(world.wh, "draft", city="02", materials=False)
    attach_all(other_case, world.users["other_org"])
    foreign = other_case.materials.first().pk
    for persona in ("applicant", "bureau", "dept"):
        url = f"/api/v1/filings/{own['case']}/materials/{foreign}"
        assert world.clients[persona].get(url).status_code == 404, persona


def test_a_province_wide_organization_is_seen_by_every_city_it_serves(world):
    file_with_orm(world.hf)
    Organization.objects.filter(pk=world.hf.pk).update(
        scope="province", province_wide_on=dt.date(2026, 10, 9)
    )
    url = f"/api/v1/organizations/{world.hf.pk}"
    assert "02" in world.clients["dept"].get(url).json()["cities"]
    catalog = world.clients["public"].get("/api/v1/public/organizations", {"city": "02"}).json()
    assert [o["id"] for o in catalog["results"]] == [world.hf.pk]
    wuhu = world.clients["other_bureau"]
    assert wuhu.get(url).status_code == 200
    assert world.hf.pk in _listed(wuhu, "/api/v1/organizations")
