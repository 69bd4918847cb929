"""The public catalog with 10,000 filed organizations answers with a bounded number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from skillcert.accounts.models import Authority
from skillcert.registry.models import Organization, ScopeItem, ServiceArea, levels_key

pytestmark = pytest.mark.django_db


def add_organizations(count: int) -> None:
    """``count`` more filed organizations, each with two occupations and its city."""
    start = Organization.objects.count()
    cities = list(Authority.objects.filter(kind="city").order_by("code"))
    organizations = Organization.objects.bulk_create(
        Organization(
            name=f"目录测试培训学校{index:05d}",
            credit_code=f"CAT{index:015d}",
            category="S",
            status="active" if index % 10 else "in_pilot",
            filing_number=f"S000034{cities[index % 16].code}{index // 16 + 1:04d}",
            filing_authority=cities[index % 16],
            channel="city",
            scope="province" if index % 7 == 0 else "city",
            filed_on=dt.date(2026, 1, 5),
            valid_until=dt.date(2029, 1, 4),
        )
        for index in range(start, start + count)
    )
    ScopeItem.objects.bulk_create(
        ScopeItem(
            organization=organization,
            occupation_name=name,
            occupation_code=code,
            levels=[3, 4, 5],
            levels_key=levels_key([3, 4, 5]),
        )
        for organization in organizations
        for name, code in (("焊工", "6-18-02-04"), ("电工", "6-31-01-03"))
    )
    ServiceArea.objects.bulk_create(
        ServiceArea(organization=o, city=o.filing_authority, since=dt.date(2026, 1, 5))
        for o in organizations
    )


def count_queries(client, path: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.json()
    return len(queries), response.json()


PATHS = [
    "/api/v1/public/organizations",
    "/api/v1/public/organizations?scope=province",
    "/api/v1/public/organizations?city=05&level=4&occupation=焊工",
]


def test_catalog_queries_do_not_grow_with_the_catalog(authorities, public_client):
    add_organizations(100)
    small = [count_queries(public_client, path)[0] for path in PATHS]
    add_organizations(9_900)
    assert Organization.objects.count() == 10_000
    for path, before in zip(PATHS, small, strict=True):
        large, body = count_queries(public_client, path)
        deep, _ = count_queries(public_client, f"{path}{'&' if '?' in path else '?'}page=3")
        assert large == before == deep, path  # no query per organization or per page
        # count, page, two prefetches, the city codes, time's expiries due (none here), and
        # the page's 部鉴定中心评估确认 (issue 14)
        assert large <= 7
        assert len(body["results"]) == 50
        assert {o["code"] for o in body["results"][0]["occupations"]} == {
            "6-18-02-04",
            "6-31-01-03",
        }
