"""``GET /api/v1/documents?object=``, the PDF download and the public document check."""

from __future__ import annotations

import pytest
from django.test import override_settings

from skillcert.audit.service import SYSTEM
from skillcert.formal.service import revoke
from tests.assessment.factories import batch_in, filed_organization
from tests.formal.helpers import issue_one
from tests.registry.factories import submitted_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def case(organization, org_user, occupation_catalog):
    return submitted_case(organization, org_user)


@pytest.fixture
def document(case, city_bureau):
    return issue_one("01", subject=f"filing:{case.pk}", actor=city_bureau)


def test_owner_and_officer_list_an_objects_documents(
    document, case, org_user, city_bureau, province_dept, client_for
):
    for user in (org_user, city_bureau, province_dept):
        response = client_for(user).get(f"/api/v1/documents?object=filing:{case.pk}")
        assert response.status_code == 200, response.content
        assert response.json() == [
            {
                "code": document.code,
                "number": document.number,
                "title": "受理通知书",
                "date": document.issued_on.isoformat(),
                "url": f"/api/v1/documents/{document.code}.pdf",
            }
        ]
    pdf = client_for(org_user).get(f"/api/v1/documents/{document.code}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_outsiders_get_404_for_the_list_and_the_pdf(
    document, case, other_org_user, other_city_bureau, client_for, public_client
):
    for user in (other_org_user, other_city_bureau):
        client = client_for(user)
        listed = client.get(f"/api/v1/documents?object=filing:{case.pk}")
        assert listed.status_code == 404 and listed.json()["error"]["code"] == "not_found"
        absent = client.get("/api/v1/documents?object=filing:999999")
        assert absent.status_code == 404 and absent.json() == listed.json()
        pdf = client.get(f"/api/v1/documents/{document.code}.pdf")
        assert pdf.status_code == 404 and pdf.json()["error"]["code"] == "not_found"
    assert public_client.get(f"/api/v1/documents?object=filing:{case.pk}").status_code == 401
    assert public_client.get(f"/api/v1/documents/{document.code}.pdf").status_code == 401


@pytest.mark.parametrize(
    "value", ["", "filing", "certificate:1", "filing:x", "filing:-1", "objection:3", ":4"]
)
def test_bad_object_is_400(value, org_user, client_for):
    response = client_for(org_user).get("/api/v1/documents", {"object": value})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["object"]


def test_batch_and_organization_documents(
    org_user, city_bureau, city_center, other_city_bureau, client_for, today, occupation_catalog
):
    organization = filed_organization(org_user, city_bureau, today)
    batch = batch_in("plan_filed", organization, org_user, today)
    returned = issue_one("01", kind="plan_return", subject=f"batch:{batch.pk}")
    revocation = issue_one("01", kind="revocation", subject=f"organization:{organization.pk}")
    for user in (org_user, city_center):
        rows = client_for(user).get(f"/api/v1/documents?object=batch:{batch.pk}").json()
        assert [row["number"] for row in rows] == [returned.number]
        assert rows[0]["title"] == "计划退回通知"
    rows = client_for(city_bureau).get(f"/api/v1/documents?object=organization:{organization.pk}")
    assert [row["code"] for row in rows.json()] == [revocation.code]
    outsider = client_for(other_city_bureau)
    assert outsider.get(f"/api/v1/documents?object=batch:{batch.pk}").status_code == 404
    assert outsider.get(f"/api/v1/documents/{returned.code}.pdf").status_code == 404


def test_public_check_valid_revoked_and_unknown(document, public_client):
    answer = public_client.get(f"/api/v1/public/documents/{document.code}")
    assert answer.status_code == 200
    assert answer.json() == {
        "number": document.number,
        "title": "受理通知书",
        "date": document.issued_on.isoformat(),
        "authority": "合肥市人力资源和社会保障局",
        "recipient": document.recipient,
        "status": "valid",
    }
    forged = public_client.get(f"/api/v1/public/documents/{document.code[:-2]}zz")
    unknown = public_client.get("/api/v1/public/documents/NoSuchCode")
    odd = public_client.get("/api/v1/public/documents/%E4%B8%AD..x")
    assert forged.status_code == unknown.status_code == odd.status_code == 404
    assert forged.json() == unknown.json() == odd.json()
    assert unknown.json()["error"]["code"] == "not_found"
    revoke(document, note="决定已撤销", actor=SYSTEM)
    assert public_client.get(f"/api/v1/public/documents/{document.code}").json()["status"] == (
        "revoked"
    )


def test_public_check_is_rate_limited(document, public_client, settings):
    current = settings.REST_FRAMEWORK
    rates = {**current["DEFAULT_THROTTLE_RATES"], "verify": "2/min"}
    from rest_framework.throttling import ScopedRateThrottle

    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = rates
    try:
        with override_settings(REST_FRAMEWORK={**current, "DEFAULT_THROTTLE_RATES": rates}):
            for _ in range(2):
                assert public_client.get("/api/v1/public/documents/unknown").status_code == 404
            refused = public_client.get(f"/api/v1/public/documents/{document.code}")
            assert refused.status_code == 429
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original
