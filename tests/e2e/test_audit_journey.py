"""The audit administrator (三员分立) on the shared demo instance: signs in as ``auditor``,
opens 审计 from the navigation, searches the record for the demo's account additions,
exports them as .xlsx, and verifies the chain (校验通过). The system administrator
(``admin``) sees no 审计 entry and is refused the page."""

from __future__ import annotations

import io
import re

import openpyxl
from playwright.sync_api import Page, expect

from tests.e2e.test_registry_journeys import both_screenshots, log_in


def test_audit_administrator_searches_exports_and_verifies(page: Page, new_page):
    log_in(page, "auditor")
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_role("link", name="审计").click()
    expect(page).to_have_url(re.compile(r"/audit/entries$"))
    expect(page.get_by_role("heading", name="审计记录", level=1)).to_be_visible()

    form = page.get_by_role("form", name="查询审计记录")
    form.get_by_label("操作", exact=True).fill("accounts.user_added")
    form.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"action=accounts\.user_added"))
    rows = page.locator("main table tbody tr")
    expect(rows.first).to_contain_text("添加用户")
    assert rows.count() > 3
    both_screenshots(page, "audit-entries")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出为 Excel（.xlsx）").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    lines = list(book["审计记录"].iter_rows(values_only=True))
    assert lines[0][0] == "序号" and len(lines) > 3
    assert {line[5] for line in lines[1:]} == {"accounts.user_added"}

    page.get_by_role("link", name="完整性校验").click()
    expect(page).to_have_url(re.compile(r"/audit/verify$"))
    expect(page.locator(".verdict-title")).to_have_text("校验通过")
    expect(page.locator("main")).to_contain_text("审计记录完整")
    both_screenshots(page, "audit-verify")

    admin = new_page()
    log_in(admin, "admin")
    expect(
        admin.get_by_role("navigation", name="主导航").get_by_role("link", name="审计")
    ).to_have_count(0)
    answer = admin.goto("/audit/entries")
    assert answer is not None and answer.status == 403
