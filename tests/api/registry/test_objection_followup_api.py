"""The objection's reference and code through the contract (api.md, Government-service
steps): the 201 answer holds both; ``GET /api/v1/public/objections/{reference}?code=`` reads
the state and, once resolved, the outcome and reason; a wrong code and an unknown reference are
the same 404; lookups are rate-limited like the certificate check."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from skillcert.registry.models import Objection
from tests.assessment.factories import batch_in
from tests.assessment.test_batch_permissions import file_on_record
from tests.registry.test_organization_life import case_in

pytestmark = pytest.mark.django_db

LODGED = {"content": "该机构场地系临时租用。", "contact": "张先生 13800000000"}


@pytest.fixture
def case(occupation_catalog, org_user, today):
    today("2026-10-05")
    return case_in(org_user.membership.organization, "in_publicity")


def lodge(path: str) -> dict:
    response = APIClient().post(path, LODGED, format="json")
    assert response.status_code == 201, response.content
    assert response["Cache-Control"] == "no-store"
    return response.json()


def lookup(reference: str, code: str, client: APIClient | None = None):
    return (client or APIClient()).get(f"/api/v1/public/objections/{reference}", {"code": code})


def test_the_201_answer_holds_the_reference_and_the_code(case):
    body = lodge(f"/api/v1/filings/{case.pk}/objections")
    objection = Objection.objects.get(pk=body["id"])
    assert body["reference"] == body["case_number"] == objection.case_number
    assert body["reference"].startswith("YY-3401-2026-")
    assert len(body["code"]) == 8 and body["code"] not in objection.code_hash
    assert "contact" not in body


def test_a_batch_objection_gets_its_reference_and_code_too(org_user, today, occupation_catalog):
    batch = batch_in(
        "in_publicity", file_on_record(org_user.membership.organization), org_user, today
    )
    today("2026-11-05")
    body = lodge(f"/api/v1/batches/{batch.pk}/objections")
    assert body["reference"].startswith("YY-3401-2026-") and len(body["code"]) == 8


def test_the_public_lookup_reads_the_state_then_the_outcome(case, city_bureau, client_for):
    body = lodge(f"/api/v1/filings/{case.pk}/objections")
    response = lookup(body["reference"], body["code"])
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    data = response.json()
    assert data["reference"] == body["reference"] and data["state"] == "open"
    assert data["lodged_at"] and "outcome" not in data and "reason" not in data
    assert "contact" not in data and "content" not in data
    resolved = client_for(city_bureau).post(
        f"/api/v1/objections/{body['id']}/resolve",
        {"upheld": True, "reason": "经核实属实。"},
        format="json",
    )
    assert resolved.status_code == 200
    data = lookup(body["reference"], body["code"]).json()
    assert (data["state"], data["outcome"], data["outcome_label"], data["reason"]) == (
        "upheld",
        "upheld",
        "异议成立",
        "经核实属实。",
    )


def test_a_wrong_code_and_an_unknown_reference_are_the_same_404(case):
    body = lodge(f"/api/v1/filings/{case.pk}/objections")
    wrong_code = "A" * 8 if body["code"] != "A" * 8 else "B" * 8
    answers = [
        lookup(body["reference"], wrong_code),
        lookup(body["reference"], ""),
        lookup("YY-3401-2026-999999", body["code"]),
        lookup("BA-3401-2026-000001", body["code"]),
    ]
    assert {r.status_code for r in answers} == {404}
    assert len({r.content for r in answers}) == 1
    assert answers[0].json()["error"]["code"] == "not_found"


def test_lookups_are_throttled_like_the_certificate_check(case, monkeypatch, settings):
    body = lodge(f"/api/v1/filings/{case.pk}/objections")
    rates = {**ScopedRateThrottle.THROTTLE_RATES, "verify": "2/min"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
    client = APIClient()
    assert lookup(body["reference"], body["code"], client).status_code == 200
    assert lookup(body["reference"], "WRONG123", client).status_code == 404
    refused = lookup(body["reference"], body["code"], client)
    assert refused.status_code == 429 and "Retry-After" in refused
