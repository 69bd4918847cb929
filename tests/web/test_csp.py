"""Content-Security-Policy, HSTS and the other security headers (docs/security.md, "G").

Every answer carries a policy that runs scripts and styles from this site only; no template may
hold what that policy refuses (inline scripts, on*= handlers, javascript: addresses, style
attributes or elements), so the scan below fails listing each one.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

import skillcert
from skillcert.urls import urlpatterns as site_urlpatterns

SOURCE = Path(skillcert.__file__).resolve().parent
TEMPLATES = sorted(p for p in SOURCE.rglob("templates/**/*") if p.is_file())

# A start tag, allowing template tags and variables ({% if a > b %}) inside it.
TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)((?:\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}|[^>{]|\{)*)>", re.S)
ATTRIBUTE = re.compile(r"""(?:^|[\s"'}])([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=""")
SCRIPT_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.I)


def inline_code(html: str) -> list[str]:
    """What a policy without 'unsafe-inline' refuses, as "line N: what" strings."""
    found: list[str] = []

    def line(offset: int) -> int:
        return html.count("\n", 0, offset) + 1

    for tag in TAG.finditer(html):
        name, attributes = tag.group(1).lower(), tag.group(2)
        # Attribute names outside template tags: {% if %} blocks may hold attributes too.
        plain = re.sub(r"\{\{.*?\}\}", "x", attributes, flags=re.S)
        plain = re.sub(r"\{%.*?%\}|\{#.*?#\}", " ", plain, flags=re.S)
        kind = SCRIPT_TYPE.search(plain)
        plain = re.sub(r'"[^"]*"|\'[^\']*\'', '""', plain)  # values: "?only=1" is no attribute
        names = {a.lower() for a in ATTRIBUTE.findall(plain)}
        where = line(tag.start())
        if name == "script" and "src" not in names:
            if not kind or kind.group(1).lower() not in {"application/json", "application/ld+json"}:
                found.append(f"line {where}: inline <script>")
        if name == "style":
            found.append(f"line {where}: <style> element")
        for attribute in sorted(names):
            if attribute.startswith("on"):
                found.append(f"line {where}: {attribute}= handler")
            if attribute == "style":
                found.append(f"line {where}: style= attribute")
    for match in re.finditer(r"javascript:", html, re.I):
        found.append(f"line {line(match.start())}: javascript: address")
    return found


def test_the_scan_finds_what_the_policy_refuses():
    page = """<p style="color: red">x</p>
<script>alert(1)</script>
<script type="application/json" id="data">{"a": 1}</script>
<script src="/static/web/a.js" defer></script>
<button {% if x > 1 %}onclick="go()"{% endif %}>go</button>
<a href="JavaScript:go()">go</a>
<style>p { color: red }</style>
<div data-percent="{{ p.style }}" class="on">fine</div>
<a href="?only=1 onload=x" title='style=x'>fine</a>"""
    assert inline_code(page) == [
        "line 1: style= attribute",
        "line 2: inline <script>",
        "line 5: onclick= handler",
        "line 7: <style> element",
        "line 6: javascript: address",
    ]


def test_no_template_holds_inline_scripts_handlers_or_styles():
    assert len(TEMPLATES) > 50  # the scan sees the site's templates
    found = {
        str(template.relative_to(SOURCE)): problems
        for template in TEMPLATES
        if template.suffix in {".html", ".txt", ".xml", ".svg"}
        and (problems := inline_code(template.read_text(encoding="utf-8")))
    }
    assert not found, "\n".join(f"{name}: {', '.join(p)}" for name, p in sorted(found.items()))


# --- the header on rendered pages -----------------------------------------------------------


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a failing page")


urlpatterns = [path("test-csp-boom", boom), *site_urlpatterns]
handler500 = "skillcert.urls.handler500"

EXPECTED = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def policy(response: HttpResponse) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.status_code}"
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict(response: HttpResponse, framing: bool = True, **extra: list[str]) -> None:
    directives = policy(response)
    for name in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in directives[name], directives
        assert "'unsafe-eval'" not in directives[name], directives
    assert directives == {**EXPECTED, **extra}
    if framing:  # Django's security and clickjacking middleware answered too
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    if response.headers.get("Content-Type", "").startswith("text/html"):
        body = response.content.decode()
        assert not inline_code(body), inline_code(body)


PUBLIC = [
    "/",
    "/verify",
    "/verify/S000034010001263000001",
    "/catalog",
    "/notices",
    "/login",
    "/register",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC)
def test_public_pages_carry_the_policy(url):
    response = Client().get(url)
    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.django_db
def test_organization_and_officer_pages_carry_the_policy(org_user, city_bureau, province_center):
    for user, urls in (
        (org_user, ["/dashboard", "/org/filings", "/org/batches"]),
        (city_bureau, ["/dashboard", "/review/filings"]),
        (province_center, ["/dashboard"]),
    ):
        client = Client()
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert_strict(response)


@pytest.mark.django_db
@pytest.mark.urls("tests.web.test_csp")
def test_error_pages_carry_the_policy():
    client = Client(raise_request_exception=False)
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert_strict(missing)
    failed = client.get("/test-csp-boom")
    assert failed.status_code == 500
    assert_strict(failed)
    too_large = client.generic(
        "POST",
        "/register",
        b"x",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(2 * 1024 * 1024),
    )
    assert too_large.status_code == 413
    # Refused before Django's security middleware runs: the policy's frame-ancestors 'none'
    # still keeps the page out of frames.
    assert_strict(too_large, framing=False)
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert_strict(api)


@pytest.mark.django_db
def test_the_api_docs_start_swagger_ui_from_a_script_file():
    client = Client()
    page = client.get("/api/docs")
    assert page.status_code == 200
    # Swagger UI's stylesheet draws its icons as data: SVGs: this page alone shows data: images.
    assert_strict(page, **{"img-src": ["'self'", "data:"]})
    html = page.content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert len(scripts) == 3 and scripts[-1] == "/api/docs?script=", scripts
    start = client.get(scripts[-1])
    assert start.status_code == 200
    assert start["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in start.content.decode()
    assert '"/api/schema"' in start.content.decode()
    # The other pages show no data: images.
    assert "data:" not in policy(client.get("/"))["img-src"]


def test_a_pdf_carries_only_frame_ancestors():
    """Chrome shows a PDF through an <embed>, which object-src 'none' would refuse."""
    from django.test import RequestFactory

    from skillcert.ops.csp import ContentSecurityPolicyMiddleware

    def answer(kind: str):
        middleware = ContentSecurityPolicyMiddleware(
            lambda request: HttpResponse(b"%PDF-1.7", content_type=kind)
        )
        return middleware(RequestFactory().get("/api/v1/certificates/x/pdf"))

    assert answer("application/pdf")["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert policy(answer("application/octet-stream")) == EXPECTED
    assert policy(answer("text/html; charset=utf-8")) == EXPECTED


# --- HSTS with secure cookies ---------------------------------------------------------------


def _settings(tmp_path, *names: str, **env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SKILLCERT_")}
    clean.update(SKILLCERT_DATA_DIR=str(tmp_path / "data"), **env)
    code = "from django.conf import settings; " + "; ".join(
        f"print(getattr(settings, {name!r}, None))" for name in names
    )
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "skillcert.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.split()


NAMES = ("SESSION_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS")


def test_hsts_comes_with_secure_cookies(tmp_path):
    assert _settings(tmp_path, *NAMES) == ["False", "0", "False"]
    on = _settings(tmp_path, *NAMES, SKILLCERT_SECURE_COOKIES="1")
    assert on == ["True", "31536000", "False"]
    wide = _settings(
        tmp_path, *NAMES, SKILLCERT_SECURE_COOKIES="1", SKILLCERT_HSTS_INCLUDE_SUBDOMAINS="1"
    )
    assert wide == ["True", "31536000", "True"]


@pytest.mark.django_db
@pytest.mark.parametrize("subdomains", [False, True])
def test_https_answers_carry_hsts_when_it_is_on(settings, subdomains):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = subdomains
    client = Client()  # a new client reads the settings into its middleware
    secure = client.get("/", secure=True)
    expected = "max-age=31536000" + ("; includeSubDomains" if subdomains else "")
    assert secure.headers["Strict-Transport-Security"] == expected
    assert_strict(secure)
    # Over plain HTTP the header means nothing and is not sent.
    assert "Strict-Transport-Security" not in client.get("/").headers


@pytest.mark.django_db
def test_no_hsts_without_secure_cookies(settings):
    assert settings.SECURE_HSTS_SECONDS == 0
    assert "Strict-Transport-Security" not in Client().get("/", secure=True).headers
