"""The Content-Security-Policy in a browser (docs/security.md, "G"): Chromium enforces it.

A visitor opens the public pages and the developer documentation (Swagger UI, started by a
script file), an organization opens its wizard, whose occupation lookup is a script; the
browser reports no refused script, style or image on any of them. A script injected inline
into a served page is refused, and the browser says so: the listener hears violations.
"""

from __future__ import annotations

import re

from playwright.sync_api import ConsoleMessage, Page, expect

from skillcert.ops.demo import DEMO_PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, save_screenshot

PUBLIC = ["/", "/verify", "/catalog", "/notices", "/login", "/register"]


def violations(page: Page) -> list[str]:
    """The page's console messages about the policy, collected from now on."""
    heard: list[str] = []

    def listen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            heard.append(f"{page.url}: {message.text}")

    page.on("console", listen)
    return heard


def test_pages_and_the_api_docs_run_under_the_policy(new_page):
    page = new_page(viewport=DESKTOP)
    heard = violations(page)
    for url in PUBLIC:
        response = page.goto(url)
        assert response is not None and response.ok, url
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    # The developer documentation: Swagger UI draws the operations from the schema.
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=20_000)
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("开发者接口")
    page.locator(".swagger-ui .opblock-summary").first.click()  # opens: the UI's scripts run
    expect(page.locator(".swagger-ui .opblock-body").first).to_be_visible()
    save_screenshot(page, "csp-api-docs-desktop", full_page=False)
    assert heard == []

    # An organization's wizard: the occupation lookup (occupations.js) fills in the code.
    page.goto("/login")
    form = page.locator("main form")
    form.get_by_label("用户名").fill("org_baohe")
    form.get_by_label("密码").fill(DEMO_PASSWORD)
    form.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    page.goto("/org/filings")
    page.locator("main a[href*='/edit']").first.click()
    expect(page).to_have_url(re.compile(r"/org/filings/\d+/edit"))
    page.goto(re.sub(r"\?.*$", "", page.url) + "?step=occupations")
    page.wait_for_load_state("load")
    row = page.locator("tr[data-row]").first
    field = row.get_by_label("职业（工种）名称")
    field.fill("车工")
    expect(row.locator('datalist option[value="车工"]')).to_have_count(1)
    field.press("Tab")
    expect(row.get_by_label("职业编码")).to_have_value("6-18-01-01")
    assert heard == []

    # The policy is enforced, and the listener hears it: an inline script is refused.
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.injected = true"; document.body.appendChild(s); }"""
    )
    page.wait_for_timeout(300)  # the console message arrives asynchronously
    assert page.evaluate("() => window.injected === undefined")
    assert heard and "inline script" in heard[0], heard


def test_the_api_docs_on_a_phone(new_page):
    page = new_page(viewport=PHONE)
    heard = violations(page)
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=20_000)
    save_screenshot(page, "csp-api-docs-phone", full_page=False)
    assert heard == []
