"""Bearer tokens: issue, use, refuse; answers with and without a trailing slash."""

from __future__ import annotations

import pytest

from skillcert.audit.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/auth/token", "/api/v1/auth/token/"])
def test_token_for_right_password_works_as_bearer(public_client, city_bureau, path):
    response = public_client.post(
        path, {"username": "hf_bureau", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    public_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    me = public_client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["role"] == "city_bureau"
    assert me.json()["authority"] == "01"
    assert AuditEntry.objects.filter(action="accounts.token_issued").count() == 1


def test_wrong_password_is_401_in_chinese(public_client, city_bureau):
    response = public_client.post(
        "/api/v1/auth/token", {"username": "hf_bureau", "password": "wrong"}, format="json"
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert response.json()["error"]["message"] == "用户名或密码错误"
    assert not AuditEntry.objects.filter(action="accounts.token_issued").exists()


def test_missing_fields_are_400_with_fields(public_client):
    response = public_client.post("/api/v1/auth/token", {}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"username", "password"}


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer not-a-token", "Bearer a b", "Token abc"]
)
def test_requests_without_a_valid_token_are_401(public_client, header):
    if header:
        public_client.credentials(HTTP_AUTHORIZATION=header)
    response = public_client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"not_authenticated", "authentication_failed"}
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_inactive_user_gets_no_token(public_client, city_bureau):
    city_bureau.is_active = False
    city_bureau.save()
    response = public_client.post(
        "/api/v1/auth/token", {"username": "hf_bureau", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 401


def test_me_names_the_organization_of_an_organization_user(client_for, org_user, organization):
    body = client_for(org_user).get("/api/v1/me/").json()
    assert body["role"] == "organization"
    assert body["organization"] == organization.pk
    assert body["authority"] is None
