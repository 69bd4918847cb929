"""Shared fixtures: the authorities, one persona per role, API clients with Bearer tokens.

Personas: an organization of 合肥 (``org_user``) and one of 芜湖 (``other_org_user``); the
合肥 bureau and center, the 芜湖 bureau (another city), the province department and center,
a 合肥 inspector, the administrator, and the public (an anonymous client).
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from skillcert.accounts.services import add_user, issue_token, load_authorities
from skillcert.audit.service import SYSTEM
from skillcert.ops.demo import demo_credit_code
from skillcert.registry.services.organizations import register_organization

PASSWORD = "Test-pass-2026"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    from skillcert.accounts.ratelimit import reset_counters
    from skillcert.reference.selectors import forget_work_calendar

    cache.clear()
    reset_counters()
    forget_work_calendar()  # a schedule loaded by one test is rolled back with it


@pytest.fixture
def authorities(db):
    load_authorities(actor=SYSTEM)


def _officer(username: str, role: str, authority: str):
    return add_user(username, password=PASSWORD, role=role, authority=authority, actor=SYSTEM)


def _organization_user(username: str, name: str, division: str, body: str):
    organization = register_organization(
        username=username,
        password=PASSWORD,
        credit_code=demo_credit_code(division, body),
        name=name,
    )
    return organization.members.get().user


@pytest.fixture
def org_user(authorities):
    return _organization_user("org_hf", "合肥测试培训学校", "340104", "TT000001")


@pytest.fixture
def organization(org_user):
    return org_user.membership.organization


@pytest.fixture
def other_org_user(authorities):
    return _organization_user("org_wh", "芜湖测试培训学校", "340202", "TT000002")


@pytest.fixture
def other_organization(other_org_user):
    return other_org_user.membership.organization


@pytest.fixture
def city_bureau(authorities):
    return _officer("hf_bureau", "city_bureau", "01")


@pytest.fixture
def city_center(authorities):
    return _officer("hf_center", "city_center", "01")


@pytest.fixture
def other_city_bureau(authorities):
    return _officer("wh_bureau", "city_bureau", "02")


@pytest.fixture
def province_dept(authorities):
    return _officer("prov_dept", "province_dept", "province")


@pytest.fixture
def province_center(authorities):
    return _officer("prov_center", "province_center", "province")


@pytest.fixture
def inspector(authorities):
    return _officer("hf_inspector", "inspector", "01")


@pytest.fixture
def admin_user(authorities):
    return _officer("sysadmin", "admin", "province")


@pytest.fixture
def public_client():
    return APIClient()


@pytest.fixture
def client_for():
    """``client_for(user)``: an API client that sends the user's Bearer token."""

    def make(user) -> APIClient:
        client = APIClient()
        token, _expiry = issue_token(user)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return make


@pytest.fixture
def today(monkeypatch):
    """``today("2026-09-18")`` fixes the platform's date through SKILLCERT_TODAY."""

    def fix(value: str) -> None:
        monkeypatch.setenv("SKILLCERT_TODAY", value)

    return fix


@pytest.fixture
def occupation_catalog(db):
    from skillcert.reference.services import load_occupation_catalog

    load_occupation_catalog(actor=SYSTEM)
