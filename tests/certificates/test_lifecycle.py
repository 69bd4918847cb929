"""Revocation, reissue (补发) and correction (更正) through the API, and who may read what."""

from __future__ import annotations

import pytest

from skillcert.audit.models import AuditEntry
from skillcert.certificates.models import Certificate
from tests.assessment.factories import filed_organization, issued

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(occupation_catalog, org_user, city_bureau, province_center, today):
    organization = filed_organization(org_user, city_bureau, today)
    issued(organization, org_user, province_center, today)
    today("2026-11-20")
    return Certificate.objects.order_by("number").first()


def post(client, path, data=None):
    return client.post(path, data or {}, format="json")


def snapshot():
    return (
        list(
            Certificate.objects.order_by("pk").values_list(
                "number", "status", "reissue_count", "superseded_by"
            )
        ),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize(
    ("persona", "read", "revoke"),
    [
        ("org_user", 200, 200),
        ("other_org_user", 404, 404),
        ("city_bureau", 200, 200),
        ("city_center", 200, 200),
        ("other_city_bureau", 404, 404),
        ("province_dept", 200, 200),
        ("province_center", 200, 200),
        ("inspector", 404, 404),
    ],
)
def test_who_reads_and_revokes(request, certificate, client_for, persona, read, revoke):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(f"/api/v1/certificates/{certificate.number}").status_code == read
    listed = client.get("/api/v1/certificates").json()["results"]
    assert (certificate.number in {row["number"] for row in listed}) == (read == 200)
    before = snapshot()
    response = post(
        client, f"/api/v1/certificates/{certificate.number}/revoke", {"reason": "考生资格不符"}
    )
    assert response.status_code == revoke
    if revoke != 200:
        assert snapshot() == before


def test_public_cannot_read_records(certificate, public_client):
    assert public_client.get(f"/api/v1/certificates/{certificate.number}").status_code == 401
    assert public_client.get(f"/api/v1/certificates/{certificate.number}.pdf").status_code == 401


def test_revoking_twice_is_409(certificate, client_for, org_user):
    client = client_for(org_user)
    first = post(client, f"/api/v1/certificates/{certificate.number}/revoke", {"reason": "作弊"})
    assert first.status_code == 200 and first.json()["status"] == "revoked"
    assert first.json()["events"][0]["kind"] == "revoked"
    before = snapshot()
    again = post(client, f"/api/v1/certificates/{certificate.number}/revoke", {"reason": "作弊"})
    assert again.status_code == 409 and snapshot() == before
    no_reason = post(client, f"/api/v1/certificates/{certificate.number}/reissue", {})
    assert no_reason.status_code == 400


def test_reissue_keeps_the_number(certificate, client_for, org_user, city_bureau):
    response = post(
        client_for(org_user),
        f"/api/v1/certificates/{certificate.number}/reissue",
        {"reason": "证书遗失"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == certificate.number
    assert (body["reissue_count"], body["last_reissued_on"]) == (1, "2026-11-20")
    officer = post(
        client_for(city_bureau),
        f"/api/v1/certificates/{certificate.number}/reissue",
        {"reason": "证书遗失"},
    )
    assert officer.status_code == 403  # the issuer reissues


def test_correction_issues_a_new_number_and_supersedes(certificate, client_for, org_user):
    response = post(
        client_for(org_user),
        f"/api/v1/certificates/{certificate.number}/correct",
        {"name": "王大伟", "reason": "姓名录入错误"},
    )
    assert response.status_code == 201, response.json()
    new = response.json()
    assert new["number"] != certificate.number and new["name"] == "王大伟"
    assert new["number"][:16] == certificate.number[:16]  # same organization, year, level
    assert new["supersedes"] == [certificate.number]
    old = client_for(org_user).get(f"/api/v1/certificates/{certificate.number}").json()
    assert old["status"] == "superseded" and old["superseded_by"] == new["number"]
    batch = client_for(org_user).get(f"/api/v1/batches/{certificate.batch_id}").json()
    assert new["number"] in {c["certificate_number"] for c in batch["candidates"]}


@pytest.mark.parametrize(
    "data",
    [
        {"reason": "x"},  # nothing to correct
        {"id_number": "340104199001011230", "reason": "x"},  # wrong check digit
        {"name": "", "reason": "x"},
        {"name": "新名字"},  # no reason
    ],
)
def test_bad_corrections_change_nothing(certificate, client_for, org_user, data):
    client = client_for(org_user)
    before = snapshot()
    response = post(client, f"/api/v1/certificates/{certificate.number}/correct", data)
    assert response.status_code == 400, response.json()
    assert snapshot() == before


def test_unknown_and_malformed_numbers(certificate, client_for, org_user):
    client = client_for(org_user)
    assert client.get("/api/v1/certificates/S000034010001263999999").status_code == 404
    assert client.get("/api/v1/certificates/not-a-number").status_code == 404
    assert (
        post(
            client, "/api/v1/certificates/S000034010001263999999/revoke", {"reason": "x"}
        ).status_code
        == 404
    )
