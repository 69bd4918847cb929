"""The contract's error format for what matches nothing or cannot be read."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_unknown_endpoint_is_json_404(public_client):
    response = public_client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "接口不存在", "fields": {}}
    }


def test_malformed_json_is_400(public_client):
    response = public_client.post(
        "/api/v1/register", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"


def test_wrong_method_is_405_in_the_error_format(public_client):
    response = public_client.get("/api/v1/register")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert response.json()["error"]["message"] == "不支持该请求方法"


def test_throttled_requests_are_429_in_chinese(public_client):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "auth": "2/min"}
    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = rates
    try:
        responses = [
            public_client.post(
                "/api/v1/auth/token", {"username": "x", "password": "y"}, format="json"
            )
            for _ in range(3)
        ]
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original
    assert [r.status_code for r in responses] == [401, 401, 429]
    error = responses[2].json()["error"]
    assert error["code"] == "too_many_requests"
    assert error["message"].startswith("请求过于频繁")


def test_schema_and_docs_are_served(public_client):
    schema = public_client.get("/api/schema")
    assert schema.status_code == 200
    assert b"/api/v1/register" in schema.content
    docs = public_client.get("/api/docs")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
    assert b"cdn" not in docs.content.lower()


UNKNOWN_PATHS = ["/api/v1/no-such-thing", "/api/v1/no-such-thing/", "/api/nothing/here/"]


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
@pytest.mark.parametrize("with_token", [False, True], ids=["anonymous", "bearer"])
def test_unknown_api_path_is_json_404_whatever_the_method(org_user, path, method, with_token):
    # CSRF checks on, as a script meets them (the test client skips them by default).
    from rest_framework.test import APIClient

    from skillcert.accounts.services import issue_token

    client = APIClient(enforce_csrf_checks=True)
    if with_token:
        token, _expiry = issue_token(org_user)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = getattr(client, method)(path, {"x": 1}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"
    assert response.json()["error"]["message"] == "接口不存在"


def test_unknown_api_path_is_json_404_for_a_signed_in_browser(org_user):
    """A session cookie without a CSRF token: still the contract's 404, not an HTML 403."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(org_user)
    response = browser.post("/api/v1/filings/1/no-such-action", {"x": "1"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
