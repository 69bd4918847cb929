"""Self-registration of evaluation organizations: the credit code is checked, nothing half-done."""

from __future__ import annotations

import pytest

from skillcert.accounts.models import User
from skillcert.audit.models import AuditEntry
from skillcert.registry.models import Organization
from tests.support.factories import credit_code

pytestmark = pytest.mark.django_db

GOOD_CODE = credit_code("340104", "RG000001")


def body(**overrides):
    data = {
        "username": "new_org",
        "password": "Org-pass-2026",
        "credit_code": GOOD_CODE,
        "name": "合肥新华职业培训学校",
    }
    data.update(overrides)
    return data


def counts():
    return (User.objects.count(), Organization.objects.count(), AuditEntry.objects.count())


@pytest.mark.parametrize("path", ["/api/v1/register", "/api/v1/register/"])
def test_register_creates_organization_and_bound_user(public_client, authorities, path):
    response = public_client.post(path, body(), format="json")
    assert response.status_code == 201
    organization = Organization.objects.get(pk=response.json()["organization"])
    assert organization.credit_code == GOOD_CODE
    assert organization.status == "applying"
    assert organization.home_city.code == "01"  # 340104 is a district of 合肥
    user = User.objects.get(username="new_org")
    assert user.role == "organization"
    assert user.membership.organization == organization
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"accounts.user_added", "registry.organization_registered"} <= actions


def test_lowercase_credit_code_is_normalized(public_client, authorities):
    response = public_client.post(
        "/api/v1/register", body(credit_code=GOOD_CODE.lower()), format="json"
    )
    assert response.status_code == 201
    assert Organization.objects.get().credit_code == GOOD_CODE


def wrong_check_character(code: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return code[:-1] + alphabet[(alphabet.index(code[-1]) + 1) % len(alphabet)]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"credit_code": wrong_check_character(GOOD_CODE)}, "credit_code"),
        ({"credit_code": GOOD_CODE[:17]}, "credit_code"),
        ({"credit_code": "91340100MA2O00000X"}, "credit_code"),
        ({"name": "   "}, "name"),
        ({"password": "12345678"}, "password"),
        ({"username": "has space"}, "username"),
        ({"username": ""}, "username"),
    ],
)
def test_bad_input_is_400_with_the_field_and_writes_nothing(
    public_client, authorities, overrides, field
):
    before = counts()
    response = public_client.post("/api/v1/register", body(**overrides), format="json")
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert field in error["fields"]
    assert all("\u4e00" <= ch <= "\u9fff" for ch in error["message"][:2])
    assert counts() == before


def test_second_registration_of_a_credit_code_is_refused(public_client, authorities):
    assert public_client.post("/api/v1/register", body(), format="json").status_code == 201
    before = counts()
    response = public_client.post("/api/v1/register", body(username="other"), format="json")
    assert response.status_code == 400
    assert "已注册" in response.json()["error"]["fields"]["credit_code"][0]
    assert counts() == before


def test_taken_username_is_refused(public_client, org_user):
    before = counts()
    response = public_client.post("/api/v1/register", body(username="org_hf"), format="json")
    assert response.status_code == 400
    assert "username" in response.json()["error"]["fields"]
    assert counts() == before


def test_organization_outside_anhui_registers_without_home_city(public_client, authorities):
    code = credit_code("320102", "RG000009")  # 南京
    response = public_client.post("/api/v1/register", body(credit_code=code), format="json")
    assert response.status_code == 201
    assert Organization.objects.get().home_city is None
