"""A batch from plan to filed results through the API, and what each step refuses."""

from __future__ import annotations

import io

import openpyxl
import pytest

from skillcert.assessment.models import Batch
from skillcert.audit.chain import verify_chain
from skillcert.certificates.models import Certificate
from skillcert.ops.samples import sample_batch
from tests.assessment.factories import PLAN_DAY, START, filed_organization, scores_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization(occupation_catalog, org_user, city_bureau, today):
    return filed_organization(org_user, city_bureau, today)


def post(client, path, data=None):
    return client.post(path, data or {}, format="json")


def test_batch_from_plan_to_filed_results(
    organization, org_user, city_center, province_center, client_for, public_client, today
):
    owner, center = client_for(org_user), client_for(city_center)
    today(PLAN_DAY)
    created = post(owner, "/api/v1/batches", sample_batch(START))
    assert created.status_code == 201, created.json()
    batch = created.json()
    assert batch["state"] == "draft" and len(batch["candidates"]) == 6
    assert batch["next_deadline"]["day"] == "2026-10-19"  # 10 working days before 11-02

    filed = post(owner, f"/api/v1/batches/{batch['id']}/submit").json()
    assert filed["state"] == "plan_filed" and filed["plan_filed_on"] == PLAN_DAY
    assert filed["copied_to_province"] is False
    listed = center.get("/api/v1/batches").json()
    assert [b["id"] for b in listed["results"]] == [batch["id"]]

    today("2026-11-02")
    inspected = post(
        center,
        f"/api/v1/batches/{batch['id']}/inspections",
        {"stage": "理论知识考试", "findings": "考场秩序良好，视频监控正常。"},
    )
    assert inspected.status_code == 201
    assert inspected.json()["inspections"][0]["stage"] == "理论知识考试"

    today("2026-11-03")
    scored = post(owner, f"/api/v1/batches/{batch['id']}/results", scores_for(Batch.objects.get()))
    assert scored.status_code == 200, scored.json()
    body = scored.json()
    assert body["state"] == "results_entered"
    assert [c["passed"] for c in body["candidates"]] == [False, True, True, True, True, True]

    today("2026-11-04")
    published = post(owner, f"/api/v1/batches/{batch['id']}/publicize").json()
    assert (published["publicity_start"], published["publicity_end"]) == (
        "2026-11-04",
        "2026-11-10",
    )
    notice = public_client.get("/api/v1/public/notices?kind=result_publicity").json()["results"][0]
    first_passed = Batch.objects.get().candidates.filter(passed=True).first()
    assert first_passed.name in notice["body"]
    assert first_passed.id_number not in notice["body"]  # masked only

    today("2026-11-10")  # the publicity's last day: nothing is issued yet
    early = post(owner, f"/api/v1/batches/{batch['id']}/issue")
    assert early.status_code == 409 and early.json()["error"]["code"] == "publicity_running"

    today("2026-11-11")
    no_segments = post(owner, f"/api/v1/batches/{batch['id']}/issue")
    assert no_segments.status_code == 409
    assert no_segments.json()["error"]["code"] == "segments_exhausted"
    assert not Certificate.objects.exists()
    for level in (3, 4, 5):
        response = post(
            client_for(province_center),
            "/api/v1/segments",
            {
                "organization": organization.pk,
                "year": 2026,
                "level": level,
                "first": 101,
                "last": 200,
            },
        )
        assert response.status_code == 201, response.json()
    issued = post(owner, f"/api/v1/batches/{batch['id']}/issue").json()
    assert issued["state"] == "certificates_issued"
    assert issued["results_due"] == "2026-11-24"
    numbers = sorted(c["certificate_number"] for c in issued["candidates"] if c["passed"])
    assert len(numbers) == 5 and all(n.startswith("S000034010001") for n in numbers)
    assert {n[13:15] for n in numbers} == {"26"}
    assert all(int(n[-6:]) >= 101 for n in numbers)
    assert [c["certificate_number"] for c in issued["candidates"] if not c["passed"]] == [None]

    annex5 = owner.get(f"/api/v1/batches/{batch['id']}/annex5.xlsx")
    assert annex5.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(annex5.content)).active
    assert sheet.max_row == 6  # the header and five certificates
    assert center.get(f"/api/v1/batches/{batch['id']}/annex4.xlsx").status_code == 200

    today("2026-11-12")
    done = post(owner, f"/api/v1/batches/{batch['id']}/file-results").json()
    assert done["state"] == "results_filed" and done["late"] is False
    assert verify_chain().ok


def test_late_result_filing_is_flagged(organization, org_user, province_center, today):
    from skillcert.assessment.services.results import file_results
    from skillcert.certificates.services.issuing import issue_batch
    from tests.assessment.factories import batch_in, segments_for

    batch = batch_in("publicity_closed", organization, org_user, today)
    segments_for(organization, province_center)
    issue_batch(batch, actor=org_user)
    today("2026-11-25")
    filed = file_results(Batch.objects.get(pk=batch.pk), actor=org_user)
    assert filed.late is True


def test_levels_one_and_two_are_copied_to_the_province(organization, org_user, client_for, today):
    today(PLAN_DAY)
    body = sample_batch(START)
    body["items"].append(
        {"occupation_code": "6-18-02-04", "occupation_name": "焊工", "work_type": "", "level": 2}
    )
    batch = post(client_for(org_user), "/api/v1/batches", body).json()
    filed = post(client_for(org_user), f"/api/v1/batches/{batch['id']}/submit").json()
    assert filed["copied_to_province"] is True
