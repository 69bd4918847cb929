"""The public verification's fast path answers exactly as the full middleware stack would.

``api.fastpath.PublicVerificationFastPath`` calls the verification views itself for GET, so
sessions, CSRF, users and messages are not set up for them. Every answer (found, wrong name,
malformed number, credential, rate limit) is compared with the same request served by a stack
without it; other methods and paths still take the full stack.
"""

from __future__ import annotations

import base64
import json

import pytest
from django.conf import settings as django_settings
from django.test import Client, override_settings
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from skillcert.accounts import ratelimit as throttling
from skillcert.certificates.keys import rotate_keys
from skillcert.certificates.models import Certificate
from tests.assessment.factories import filed_organization, issued

pytestmark = pytest.mark.django_db
FAST = "skillcert.api.public.fastpath.PublicVerificationFastPath"
FULL_STACK = [m for m in django_settings.MIDDLEWARE if m != FAST]


@pytest.fixture
def certificate(
    occupation_catalog, org_user, city_bureau, province_center, today, settings, tmp_path
):
    settings.SKILLCERT_KEY_DIR = tmp_path / "keys"
    rotate_keys()
    organization = filed_organization(org_user, city_bureau, today)
    issued(organization, org_user, province_center, today)
    return Certificate.objects.order_by("number").first()


def both(path: str, **params: str):
    """The answer of the fast path and of the full stack to the same GET."""
    throttling.reset_counters()
    fast = Client().get(path, params)
    throttling.reset_counters()
    with override_settings(MIDDLEWARE=FULL_STACK):
        full = Client().get(path, params)
    return fast, full


def content(response) -> object:
    """The body; an electronic certificate's payload without its ``iat`` (the second)."""
    if response["Content-Type"] != "application/jose":
        return response.content
    header, payload, _signature = response.content.decode().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.pop("iat")
    return header, claims


def same(fast, full) -> None:
    assert fast.status_code == full.status_code
    assert content(fast) == content(full)
    assert fast["Content-Type"] == full["Content-Type"]
    assert fast.get("Retry-After") == full.get("Retry-After")
    assert fast.get("Content-Disposition") == full.get("Content-Disposition")
    # Every header but the frame-options one, which only pages need.
    assert set(fast.headers) == set(full.headers) - {"X-Frame-Options"}
    assert fast["Content-Length"] == full["Content-Length"]


def test_the_fast_path_is_installed_right_after_static_files():
    stack = django_settings.MIDDLEWARE
    assert stack.index(FAST) == stack.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1


@pytest.mark.parametrize(
    ("suffix", "name", "status"),
    [
        ("", None, 200),
        ("/", None, 200),  # with the trailing slash too
        ("", "无此人", 404),
        ("", "", 400),
        ("/credential", None, 200),
        ("/credential", "无此人", 404),
    ],
)
def test_every_answer_equals_the_full_stack(certificate, suffix, name, status):
    fast, full = both(
        f"/api/v1/public/certificates/{certificate.number}{suffix}",
        name=certificate.name if name is None else name,
    )
    assert fast.status_code == status
    same(fast, full)
    # What shows that the fast path answered: the full stack's frame-options header and
    # nothing of a session.
    assert "X-Frame-Options" in full and "X-Frame-Options" not in fast
    assert not fast.cookies


@pytest.mark.parametrize("number", ["S00003401000126300000", "X000034010001263000001", "坏"])
def test_malformed_numbers_get_the_same_error(certificate, number):
    fast, full = both(f"/api/v1/public/certificates/{number}", name="张三")
    assert fast.status_code == 400
    same(fast, full)


def test_the_rate_limit_answers_the_same(certificate, monkeypatch):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "verify": "1/min"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
    path = f"/api/v1/public/certificates/{certificate.number}"
    throttling.reset_counters()
    fast_client = Client()
    assert fast_client.get(path, {"name": certificate.name}).status_code == 200
    fast = fast_client.get(path, {"name": certificate.name})
    throttling.reset_counters()
    with override_settings(MIDDLEWARE=FULL_STACK):
        full_client = Client()
        assert full_client.get(path, {"name": certificate.name}).status_code == 200
        full = full_client.get(path, {"name": certificate.name})
    assert fast.status_code == 429
    assert fast.json()["error"]["message"].startswith("请求过于频繁")
    assert fast.json()["error"]["code"] == full.json()["error"]["code"]
    assert fast["Content-Type"] == full["Content-Type"] and "Retry-After" in fast


def test_other_methods_and_paths_take_the_full_stack(certificate):
    path = f"/api/v1/public/certificates/{certificate.number}"
    post = Client().post(path, {"name": certificate.name})
    assert post.status_code == 405 and "X-Frame-Options" in post
    catalog = Client().get("/api/v1/public/organizations")
    assert catalog.status_code == 200 and "X-Frame-Options" in catalog
    unknown = Client().get("/api/v1/public/certificates/a/b/c")
    assert unknown.status_code == 404 and "X-Frame-Options" in unknown


def test_a_host_outside_allowed_hosts_is_refused_as_by_the_full_stack(certificate):
    path = f"/api/v1/public/certificates/{certificate.number}"
    fast = Client().get(path, {"name": certificate.name}, HTTP_HOST="evil.example.com")
    with override_settings(MIDDLEWARE=FULL_STACK):
        full = Client().get(path, {"name": certificate.name}, HTTP_HOST="evil.example.com")
    assert fast.status_code == full.status_code == 400
    assert certificate.name.encode() not in fast.content
