"""Segment requests through the contract: bad input is 400 and changes nothing, an
overlapping grant is 409, nobody reads another organization's request (404)."""

from __future__ import annotations

import pytest

from skillcert.audit.models import AuditEntry
from skillcert.certificates.models import Segment, SegmentRequest
from skillcert.certificates.services.segments import allocate_segment
from tests.assessment.test_batch_permissions import file_on_record

pytestmark = pytest.mark.django_db

URL = "/api/v1/segment-requests"


@pytest.fixture
def filed(organization, today):
    today("2026-12-02")
    return file_on_record(organization)


def counts() -> tuple[int, int, int]:
    return SegmentRequest.objects.count(), Segment.objects.count(), AuditEntry.objects.count()


def ask(client, **body):
    return client.post(URL, {"year": 2027, "level": 3, "count": 500, **body}, format="json")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"year": 2025}, "year"),  # a past year
        ({"count": 0}, "count"),
        ({"count": -3}, "count"),
        ({"level": 1}, "level"),  # 焊工 is filed for levels 2-5 only
        ({"level": 9}, "level"),
        ({"year": "明年"}, "year"),
    ],
)
def test_bad_requests_are_400_naming_the_field_and_change_nothing(
    filed, org_user, client_for, body, field
):
    client = client_for(org_user)  # its token is recorded: before the count
    before = counts()
    answer = ask(client, **body)
    assert answer.status_code == 400, answer.content
    error = answer.json()["error"]
    assert field in error["fields"] and error["message"]
    assert counts() == before


def test_a_request_is_granted_by_the_center_and_an_overlap_is_409(
    filed, org_user, province_center, client_for
):
    created = ask(client_for(org_user), reason="明年计划")
    assert created.status_code == 201
    body = created.json()
    assert body["state"] == "pending" and body["case_number"].startswith("HD-3400-2026-")
    assert body["actions"] == [] and body["next"]["party"] == "province_center"
    center = client_for(province_center)
    assert [a["action"] for a in center.get(f"{URL}/{body['id']}").json()["actions"]] == [
        "grant",
        "refuse",
    ]
    worklist = center.get("/api/v1/worklist").json()
    assert worklist["counts"] == {"segment_request": 1}

    allocate_segment(
        {"organization": filed.pk, "year": 2027, "level": 3, "first": 1, "last": 100},
        actor=province_center,
    )
    before = counts()
    overlap = center.post(f"{URL}/{body['id']}/grant", {"first": 50, "last": 600}, format="json")
    assert overlap.status_code == 409 and overlap.json()["error"]["code"] == "segment_overlap"
    assert counts() == before and SegmentRequest.objects.get().state == "pending"

    granted = center.post(f"{URL}/{body['id']}/grant", {"first": 101, "last": 600}, format="json")
    assert granted.status_code == 200
    assert (granted.json()["state"], granted.json()["first"]) == ("granted", 101)
    again = center.post(f"{URL}/{body['id']}/refuse", {"reason": "重复"}, format="json")
    assert again.status_code == 409


def test_refusal_needs_a_reason(filed, org_user, province_center, client_for):
    pk = ask(client_for(org_user)).json()["id"]
    center = client_for(province_center)
    before = counts()
    answer = center.post(f"{URL}/{pk}/refuse", {}, format="json")
    assert answer.status_code == 400 and "reason" in answer.json()["error"]["fields"]
    assert counts() == before


@pytest.mark.parametrize(
    ("who", "read", "act"),
    [
        ("other_org_user", 404, 404),
        ("city_bureau", 404, 404),
        ("city_center", 404, 404),
        ("province_dept", 200, 403),
        ("org_user", 200, 403),
    ],
)
def test_who_reads_and_who_decides(filed, org_user, client_for, request, who, read, act):
    pk = ask(client_for(org_user)).json()["id"]
    client = client_for(request.getfixturevalue(who))
    before = counts()
    assert client.get(f"{URL}/{pk}").status_code == read
    answer = client.post(f"{URL}/{pk}/grant", {"first": 1, "last": 500}, format="json")
    assert answer.status_code == act
    assert counts() == before
    assert client.get(URL).json()["count"] == (1 if read == 200 else 0)


def test_only_an_organization_asks(filed, province_center, client_for):
    answer = ask(client_for(province_center))
    assert answer.status_code == 403
    assert SegmentRequest.objects.count() == 0
