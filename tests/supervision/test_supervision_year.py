"""A year of supervision through the API: draw, inspect, publish, annual reports, an exit; the
draw recomputes from its public record; the statistics match the records they come from."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from skillcert.audit.chain import verify_chain
from skillcert.certificates.models import Certificate
from skillcert.registry.models import Organization, RetiredNumber
from skillcert.supervision.models import Inspection, InspectionDraw
from tests.assessment.factories import filed_organization, issued
from tests.supervision.factories import hefei_inspectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(occupation_catalog, org_user, city_bureau, city_center, province_center, today):
    organization = filed_organization(org_user, city_bureau, today)
    issued(organization, org_user, province_center, today)
    inspectors = hefei_inspectors()
    today("2026-12-01")
    return organization, inspectors


def post(client, path, data=None, **kwargs):
    return client.post(path, data or {}, format="json", **kwargs)


def test_draw_inspect_publish_and_recompute(
    world, client_for, city_bureau, public_client, tmp_path, capsys
):
    organization, inspectors = world
    officer = client_for(city_bureau)
    # A conflict declared by one inspector keeps them off this organization.
    assert (
        post(
            client_for(inspectors[0]),
            "/api/v1/inspector-conflicts",
            {"organization": organization.pk, "reason": "曾在该机构兼职"},
        ).status_code
        == 201
    )
    drawn = post(
        officer,
        "/api/v1/inspection-draws",
        {"targets": "organizations", "count": 1, "inspectors": 3},
    )
    assert drawn.status_code == 201, drawn.json()
    body = drawn.json()
    assert body["seed"] and body["targets"][0]["id"] == f"org:{organization.pk}"
    team = body["inspectors"][0]["inspectors"]
    assert len(team) == 3 and f"user:{inspectors[0].pk}" not in {i["id"] for i in team}

    public = public_client.get(body["public"]).json()
    assert public["seed"] == body["seed"] and len(public["inspectors_pool"]) == 4
    (tmp_path / "draw.json").write_text(json.dumps(public), encoding="utf-8")
    call_command("draws", "recompute", "--file", str(tmp_path / "draw.json"))
    assert "一致" in capsys.readouterr().out
    tampered = {**public, "seed": public["seed"] + "x"}
    (tmp_path / "bad.json").write_text(json.dumps(tampered), encoding="utf-8")
    with pytest.raises(CommandError, match="不一致"):
        call_command("draws", "recompute", "--file", str(tmp_path / "bad.json"))

    inspection = Inspection.objects.get()
    member = next(u for u in inspectors if f"user:{u.pk}" == team[0]["id"])
    outsider = next(u for u in inspectors if f"user:{u.pk}" not in {i["id"] for i in team})
    path = f"/api/v1/inspections/{inspection.pk}"
    refused = post(client_for(outsider), f"{path}/findings", {"stage": "考场", "findings": "x"})
    assert refused.status_code == 404  # not assigned: not even visible
    assert (
        post(
            client_for(member), f"{path}/conclude", {"conclusion": "passed", "note": "x"}
        ).status_code
        == 409
    )  # no findings yet
    assert (
        post(
            client_for(member),
            f"{path}/findings",
            {"stage": "理论考试", "findings": "考场秩序良好，身份核验到位。"},
        ).status_code
        == 201
    )
    concluded = post(
        client_for(member),
        f"{path}/conclude",
        {
            "conclusion": "rectify",
            "note": "档案管理不规范",
            "requirement": "补齐考生档案",
            "due_on": "2026-12-31",
        },
    )
    assert concluded.status_code == 200 and concluded.json()["conclusion"] == "rectify"
    assert public_client.get("/api/v1/public/inspection-results").json()["count"] == 0
    assert post(client_for(member), f"{path}/publish").status_code == 403
    assert post(officer, f"{path}/publish").status_code == 200
    results = public_client.get("/api/v1/public/inspection-results").json()["results"]
    assert results[0]["conclusion_label"] == "限期整改" and "inspectors" not in results[0]


def test_draws_larger_than_the_pool_or_outside_the_authority(
    world, client_for, city_bureau, org_user, inspector
):
    officer = client_for(city_bureau)
    before = InspectionDraw.objects.count()
    for data, field in [
        ({"targets": "organizations", "count": 2, "inspectors": 1}, "count"),
        ({"targets": "organizations", "count": 1, "inspectors": 9}, "inspectors"),
        ({"targets": "people", "count": 1, "inspectors": 1}, "targets"),
        ({"targets": "batches", "count": 1, "inspectors": 1, "from": "2026-13-01"}, "from"),
    ]:
        response = post(officer, "/api/v1/inspection-draws", data)
        assert response.status_code == 400, response.json()
        assert field in response.json()["error"]["fields"]
    assert (
        post(
            client_for(org_user),
            "/api/v1/inspection-draws",
            {"targets": "organizations", "count": 1, "inspectors": 1},
        ).status_code
        == 403
    )
    assert (
        post(
            client_for(inspector),
            "/api/v1/inspection-draws",
            {"targets": "organizations", "count": 1, "inspectors": 1},
        ).status_code
        == 403
    )
    assert InspectionDraw.objects.count() == before


def test_the_same_seed_over_the_same_pools_draws_the_same(world, client_for, city_bureau):
    # Organizations: a drawn batch leaves the batch pool while inspected (domain.md §8).
    officer = client_for(city_bureau)
    first = post(
        officer,
        "/api/v1/inspection-draws",
        {"targets": "organizations", "count": 1, "inspectors": 2, "seed": "2026-双随机-01"},
    )
    second = post(
        officer,
        "/api/v1/inspection-draws",
        {"targets": "organizations", "count": 1, "inspectors": 2, "seed": "2026-双随机-01"},
    )
    assert first.status_code == second.status_code == 201
    assert first.json()["targets"] == second.json()["targets"]
    assert first.json()["inspectors"] == second.json()["inspectors"]


def test_annual_report_once_with_statistics_from_the_records(
    world, client_for, org_user, city_bureau, today
):
    organization, _ = world
    client = client_for(org_user)
    filed = post(
        client,
        f"/api/v1/organizations/{organization.pk}/annual-reports",
        {"year": 2026, "narrative": "全年开展焊工认定 1 批次。"},
    )
    assert filed.status_code == 201, filed.json()
    stats = filed.json()["statistics"]
    assert stats["batches"] == 1 and stats["candidates"] == 6 and stats["passed"] == 5
    assert stats["certificates"] == Certificate.objects.filter(organization=organization).count()
    assert filed.json()["due_on"] == "2027-03-31" and filed.json()["late"] is False
    again = post(
        client,
        f"/api/v1/organizations/{organization.pk}/annual-reports",
        {"year": 2026, "narrative": "重复"},
    )
    assert again.status_code == 409
    future = post(
        client,
        f"/api/v1/organizations/{organization.pk}/annual-reports",
        {"year": 2030, "narrative": "x"},
    )
    assert future.status_code == 400
    missing = client_for(city_bureau).get("/api/v1/annual-reports/missing?year=2026").json()
    assert missing["missing"] == []
    officer_filing = post(
        client_for(city_bureau),
        f"/api/v1/organizations/{organization.pk}/annual-reports",
        {"year": 2025, "narrative": "x"},
    )
    assert officer_filing.status_code == 403


def test_violation_with_exit_uses_the_registry_exit_path(
    world, client_for, city_bureau, city_center, public_client
):
    organization, _ = world
    wrong = post(
        client_for(city_center),
        f"/api/v1/organizations/{organization.pk}/violations",
        {"kind": "dishonesty", "description": "x", "exit": True},
    )
    assert wrong.status_code == 403
    response = post(
        client_for(city_bureau),
        f"/api/v1/organizations/{organization.pk}/violations",
        {"kind": "false_materials", "description": "伪造考生考核记录", "exit": True},
    )
    assert response.status_code == 201 and response.json()["led_to_exit"] is True
    organization.refresh_from_db()
    assert organization.status == "revoked" and organization.exit_reason == "false_materials"
    assert RetiredNumber.objects.filter(number=organization.filing_number).exists()
    notices = public_client.get("/api/v1/public/notices?kind=exit").json()["results"]
    assert organization.name in notices[0]["title"]
    catalog = public_client.get("/api/v1/public/organizations").json()["results"]
    assert organization.filing_number not in {o["filing_number"] for o in catalog}
    assert verify_chain().ok


def test_statistics_match_the_records(
    world, client_for, city_bureau, other_city_bureau, province_dept
):
    organization, _ = world
    hefei = client_for(city_bureau).get("/api/v1/statistics?from=2026-01-01&to=2026-12-31").json()
    valid = Certificate.objects.exclude(status="superseded").filter(
        issued_on__year=2026, organization__filing_authority__code="01"
    )
    assert hefei["certificates_total"] == valid.count() == 5
    assert sum(hefei["certificates_by_level"].values()) == valid.count()
    assert sum(hefei["certificates_by_month"].values()) == valid.count()
    assert hefei["certificates_by_city"] == {"合肥市": valid.count()}
    assert (
        hefei["organizations_by_status"]["试点中"]
        == Organization.objects.filter(status="in_pilot", filing_authority__code="01").count()
    )
    wuhu = client_for(other_city_bureau).get("/api/v1/statistics?from=2026-01-01&to=2026-12-31")
    assert wuhu.json()["certificates_total"] == 0  # a city sees only its own
    province = client_for(province_dept).get("/api/v1/statistics?from=2026-01-01&to=2026-12-31")
    assert province.json()["certificates_total"] == 5
    sheet = client_for(city_bureau).get("/api/v1/statistics.xlsx?from=2026-01-01&to=2026-12-31")
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
    talent = client_for(province_dept).get(
        "/api/v1/statistics/talent.xlsx?from=2026-01-01&to=2026-12-31"
    )
    import io

    import openpyxl

    rows = list(openpyxl.load_workbook(io.BytesIO(talent.content)).active.values)
    assert len(rows) == 1 + valid.filter(status="valid").count()
    bad = client_for(city_bureau).get("/api/v1/statistics?from=2026-12-31&to=2026-01-01")
    assert bad.status_code == 400
    assert client_for(organization.members.get().user).get("/api/v1/statistics").status_code == 403
