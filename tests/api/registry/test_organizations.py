"""GET /api/v1/organizations/{id}: who sees which organization."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def get(client, organization):
    return client.get(f"/api/v1/organizations/{organization.pk}")


@pytest.mark.parametrize(
    ("persona", "sees_hefei", "sees_wuhu"),
    [
        ("org_user", True, False),
        ("other_org_user", False, True),
        ("city_bureau", True, False),
        ("city_center", True, False),
        ("other_city_bureau", False, True),
        ("inspector", True, False),
        ("province_dept", True, True),
        ("province_center", True, True),
        ("admin_user", True, True),
    ],
)
def test_visibility_by_persona(
    request, client_for, organization, other_organization, persona, sees_hefei, sees_wuhu
):
    client = client_for(request.getfixturevalue(persona))
    assert get(client, organization).status_code == (200 if sees_hefei else 404)
    assert get(client, other_organization).status_code == (200 if sees_wuhu else 404)


def test_public_gets_401(public_client, organization):
    response = get(public_client, organization)
    assert response.status_code == 401


def test_absent_and_invisible_look_the_same(client_for, org_user, other_organization):
    client = client_for(org_user)
    absent = client.get("/api/v1/organizations/999999")
    hidden = get(client, other_organization)
    assert absent.status_code == hidden.status_code == 404
    assert absent.json() == hidden.json()


def test_fields_of_the_organization(client_for, org_user, organization):
    body = get(client_for(org_user), organization).json()
    assert body["credit_code"] == organization.credit_code
    assert body["status"] == "applying"
    assert body["filing_number"] is None
    assert body["home_city"] == "01"


def test_detail_uses_a_bounded_number_of_queries(client_for, province_dept, organization):
    client = client_for(province_dept)
    with CaptureQueriesContext(connection) as queries:
        assert get(client, organization).status_code == 200
    assert len(queries) <= 8  # token, user, lookup, refetch + 2 prefetches, city codes
