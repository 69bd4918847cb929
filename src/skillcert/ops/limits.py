"""Request body limits, per route, enforced before anything reads the body.

A request larger than its route allows is answered 413 from its ``Content-Length`` alone,
before Django, DRF or the multipart parser read (and spool to a temporary file) a byte of it.
A body without ``Content-Length`` (``Transfer-Encoding: chunked``, which gunicorn passes on
decoded and marks ``wsgi.input_terminated``) is read through a stream that stops at the limit:
passing it ends the request with the same 413.

The limits (``limit_for``):

- **upload routes** (``UPLOAD_ROUTES``: materials, seals, candidates' photos, the candidates'
  and results' workbooks, inspection findings with an attachment): ``SKILLCERT_MAX_UPLOAD_MB``
  plus ``FORM_OVERHEAD_BYTES`` for the form's other fields and the multipart framing, so a file
  just over the limit is refused by the upload's own check with its own message;
- **anonymous routes** (``ANONYMOUS_ROUTES``: registration, sign-in, tokens, public pages and
  the public API) and any request that carries no credentials (neither a session cookie nor
  an ``Authorization`` header), and any path that names no route: ``ANONYMOUS_LIMIT`` (1 MiB);
- **other routes** of signed-in users: ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django's own limit on
  a body that is not a file).

nginx refuses anything above the largest limit first (``client_max_body_size``, rendered by
``skillcert.ops.deploy``); these limits are the application's, per route, behind it.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

from skillcert.api.errors import error_body

MIB = 1024 * 1024
ANONYMOUS_LIMIT = 1 * MIB
FORM_OVERHEAD_BYTES = 1 * MIB  # as deploy.FORM_OVERHEAD_MB

# (namespace, URL name) of the routes that take a file.
UPLOAD_ROUTES = frozenset(
    {
        ("api", "filing-materials"),
        ("api", "organization-seals"),
        ("api", "candidate-photo"),
        ("api", "batch-candidates-xlsx"),
        ("api", "batch-results-xlsx"),
        ("api", "inspection-findings"),
        ("web", "org_filing_material"),
        ("web", "org_seal"),
        ("web", "org_batch_photos"),
        ("web", "org_batch_candidates"),
        ("web", "org_batch_results"),
        ("web", "inspector_finding"),
    }
)

# Routes anybody may post to: never more than ANONYMOUS_LIMIT, whatever the request carries.
ANONYMOUS_ROUTES = frozenset(
    {
        ("api", "token"),
        ("api", "register"),
        ("web", "home"),
        ("web", "login"),
        ("web", "logout"),
        ("web", "register"),
        ("web", "catalog"),
        ("web", "notices"),
        ("web", "notice"),
        ("web", "objection"),
        ("web", "verify"),
        ("web", "verify_number"),
        ("web", "public_draws"),
        ("web", "public_draw"),
        ("web", "inspection_results"),
    }
)
ANONYMOUS_PREFIXES = ("/api/v1/public/", "/api/schema", "/api/docs", "/healthz", "/readyz")

# Set on the request when its body passed the limit while being read (chunked bodies).
TOO_LARGE = "skillcert.body_too_large"


def upload_limit() -> int:
    return int(getattr(settings, "SKILLCERT_MAX_UPLOAD_MB", 10)) * MIB + FORM_OVERHEAD_BYTES


def signed_in_limit() -> int:
    return int(getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None) or 10 * MIB)


def route_of(path: str) -> tuple[str, str] | None:
    """``(namespace, url_name)`` of the route the path names (the name empty for the API's
    catch-all of unknown endpoints), or None."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return (match.namespace or "", match.url_name or "")


def has_credentials(request: HttpRequest) -> bool:
    return bool(
        request.META.get("HTTP_AUTHORIZATION") or request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    )


def limit_for(request: HttpRequest) -> int:
    """The largest body this request's route accepts, in bytes."""
    path = request.path_info
    if path.startswith(ANONYMOUS_PREFIXES):
        return ANONYMOUS_LIMIT
    route = route_of(path)
    if route is None or not route[1] or route in ANONYMOUS_ROUTES or not has_credentials(request):
        return ANONYMOUS_LIMIT
    if route in UPLOAD_ROUTES:
        return upload_limit()
    return signed_in_limit()


class BodyTooLarge(RequestDataTooBig):
    """The body passed its route's limit while being read (a 400 to Django; 413 here)."""


class CappedStream(io.RawIOBase):
    """A request body without Content-Length, read until it ends or passes ``limit``."""

    def __init__(self, stream: Any, limit: int, request: HttpRequest) -> None:
        super().__init__()
        self.stream = stream
        self.remaining = limit
        self.request = request

    def readable(self) -> bool:
        return True

    def _take(self, data: bytes) -> bytes:
        self.remaining -= len(data)
        if self.remaining < 0:
            self.request.META[TOO_LARGE] = True
            raise BodyTooLarge("请求内容超过上限")
        return data

    def read(self, size: int | None = -1) -> bytes:
        # One byte more than what is left: a body exactly at the limit passes.
        wanted = self.remaining + 1 if size is None or size < 0 else min(size, self.remaining + 1)
        return self._take(self.stream.read(wanted))

    def readline(self, size: int | None = -1) -> bytes:
        wanted = self.remaining + 1 if size is None or size < 0 else min(size, self.remaining + 1)
        return self._take(self.stream.readline(wanted))


def too_large_response(request: HttpRequest, limit: int) -> HttpResponse:
    size = f"{limit // MIB} MB" if limit % MIB == 0 else f"{limit // 1024} KB"
    message = f"请求内容过大，本功能每次提交不超过 {size}"
    if request.path_info.startswith("/api/"):
        response: HttpResponse = JsonResponse(error_body("request_too_large", message), status=413)
    else:
        html = render_to_string("413.html", {"message": message})
        response = HttpResponse(html, status=413, content_type="text/html; charset=utf-8")
    response["Connection"] = "close"
    return response


def _content_length(request: HttpRequest) -> int | None:
    text = request.META.get("CONTENT_LENGTH") or ""
    try:
        return int(text) if text else None
    except ValueError:
        return None


class RequestBodyLimitMiddleware:
    """First in MIDDLEWARE: 413 before a body over its route's limit is read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = _content_length(request)
        chunked = length is None and bool(request.META.get("wsgi.input_terminated"))
        if chunked and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            limit = limit_for(request)
            # Django reads no body without Content-Length; this one is read up to the limit.
            request._stream = CappedStream(request.META["wsgi.input"], limit, request)  # type: ignore[assignment]
        elif length:
            limit = limit_for(request)
            if length > limit:
                return too_large_response(request, limit)
        else:
            return self.get_response(request)
        response = self.get_response(request)
        if request.META.get(TOO_LARGE):
            return too_large_response(request, limit)
        return response
