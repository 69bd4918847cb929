"""Body limits per route: answered 413 from Content-Length, before the body is read."""

from __future__ import annotations

import io

import pytest
from django.test import Client, RequestFactory

from skillcert.ops import limits
from tests.support.personas import organization_user

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024


class Untouchable(io.RawIOBase):
    """A request body that must not be read: reading it fails the test."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.reads += 1
        raise AssertionError("the body was read")

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def _post(client, path, length, **extra):
    body = Untouchable()
    response = client.generic(
        "POST",
        path,
        content_type=extra.pop("content_type", "multipart/form-data; boundary=xyz"),
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": body},
        **extra,
    )
    return response, body


def test_a_300_mb_anonymous_registration_is_413_before_its_body_is_read():
    response, body = _post(Client(), "/api/v1/register", 300 * MIB, content_type="application/json")
    assert response.status_code == 413
    assert body.reads == 0
    error = response.json()["error"]
    assert error["code"] == "request_too_large"
    assert "1 MB" in error["message"]
    assert error["fields"] == {}


def test_anonymous_page_over_1_mib_is_a_chinese_413_page():
    response, body = _post(Client(), "/register", MIB + 1)
    assert response.status_code == 413
    assert body.reads == 0
    text = response.content.decode()
    assert "提交内容过大" in text and "1 MB" in text
    assert response["Content-Type"].startswith("text/html")


def test_anonymous_routes_stay_at_1_mib_even_with_credentials():
    client = Client(HTTP_AUTHORIZATION="Bearer whatever")
    response, _ = _post(client, "/api/v1/auth/token", 2 * MIB, content_type="application/json")
    assert response.status_code == 413


def test_upload_route_without_credentials_is_held_to_1_mib():
    response, body = _post(Client(), "/api/v1/filings/1/materials", 2 * MIB)
    assert response.status_code == 413
    assert body.reads == 0


def test_upload_route_allows_the_upload_limit_and_refuses_more(settings):
    settings.SKILLCERT_MAX_UPLOAD_MB = 2
    org = organization_user()
    over = 3 * MIB + 1  # 2 MB file + 1 MB for the form
    response, body = _post(org.api, "/api/v1/filings/1/materials", over)
    assert response.status_code == 413
    assert body.reads == 0
    assert "3 MB" in response.json()["error"]["message"]
    response, body = _post(org.web, "/org/filings/1/materials", over)
    assert response.status_code == 413
    assert "提交内容过大" in response.content.decode()
    # Below the limit the request goes on to the view (no such filing here: 404).
    response, _ = _post(org.api, "/api/v1/filings/999999/materials", 3 * MIB)
    assert response.status_code == 404


def test_signed_in_routes_take_django_s_limit(settings):
    org = organization_user()
    response, _ = _post(
        org.api,
        "/api/v1/filings",
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1,
        content_type="application/json",
    )
    assert response.status_code == 413


def test_unknown_paths_are_anonymous():
    response, _ = _post(Client(HTTP_AUTHORIZATION="Bearer x"), "/api/v1/nothing-here", 2 * MIB)
    assert response.status_code == 413


def test_every_file_upload_route_is_listed():
    """A view reading request.FILES on a route the middleware does not know would be held to
    1 MiB (safe, but its uploads would fail): every upload route is in UPLOAD_ROUTES."""
    from django.urls import reverse

    for namespace, name in limits.UPLOAD_ROUTES:
        kwargs = {"pk": 1}
        if name == "candidate-photo":
            kwargs["id_number"] = "x"
        if name in {"org_seal"}:
            kwargs = {}
        assert reverse(f"{namespace}:{name}", kwargs=kwargs)


def test_a_chunked_body_is_cut_off_at_the_limit():
    """No Content-Length (chunked, decoded by gunicorn): read up to the limit, then 413."""
    factory = RequestFactory()
    request = factory.post("/api/v1/register", data=b"", content_type="application/json")
    big = io.BytesIO(b"x" * (2 * MIB))
    request.META.pop("CONTENT_LENGTH", None)
    request.META.update(
        {"wsgi.input": big, "wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"}
    )
    seen = {}

    def view(req):
        try:
            req.body  # noqa: B018
        except limits.BodyTooLarge:
            seen["cut"] = big.tell()
            raise
        return None

    def handler(req):
        from django.http import HttpResponseBadRequest

        try:
            view(req)
        except limits.BodyTooLarge:
            return HttpResponseBadRequest()
        return None

    response = limits.RequestBodyLimitMiddleware(handler)(request)
    assert response.status_code == 413
    assert seen["cut"] <= limits.ANONYMOUS_LIMIT + 1


def test_a_small_chunked_body_is_read_whole():
    factory = RequestFactory()
    request = factory.post("/api/v1/register", data=b"", content_type="application/json")
    request.META.pop("CONTENT_LENGTH", None)
    request.META.update(
        {
            "wsgi.input": io.BytesIO(b'{"a": 1}'),
            "wsgi.input_terminated": True,
            "HTTP_TRANSFER_ENCODING": "chunked",
        }
    )
    from django.http import HttpResponse

    response = limits.RequestBodyLimitMiddleware(lambda req: HttpResponse(req.body))(request)
    assert response.status_code == 200
    assert response.content == b'{"a": 1}'


def test_the_proxy_holds_anonymous_routes_to_the_same_limit():
    from skillcert.ops.deploy import ANONYMOUS_MB, NginxSite, render_site

    assert ANONYMOUS_MB * MIB == limits.ANONYMOUS_LIMIT
    site = render_site(NginxSite())
    assert f"client_max_body_size {ANONYMOUS_MB}m;" in site
    assert "api/v1/(register|auth/token)" in site
