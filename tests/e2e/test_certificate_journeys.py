"""Certificates through the served pages, as the people involved use them.

On a fresh instance with the demo data (platform date fixed at 2026-09-18): org_hefei's batch
with results filed carries certificates, one revoked. The public opens a valid certificate's
check page the way its QR code does, types a wrong name (not found), then the right one (证书有效,
the ID number masked); a revoked one answers 已撤销. org_hefei opens a certificate, downloads
its PDF, and prints the whole batch, watching the progress reach 100%. wuhu_bureau confirms
the seal org_jiujiang uploaded. province_center reports the two certificates corrected and
revoked after the batch was reported, as status changes, and sends the file.

The journey runs on an instance of its own, so the other journeys' pages keep their meaning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import conftest as e2e
from tests.e2e.test_registry_journeys import both_screenshots, log_in

DESKTOP = e2e.DESKTOP
JIUJIANG = "芜湖市鸠江职业技能评价中心"
WRONG_NAME = "无此人"


@pytest.fixture(scope="module")
def certificate_instance() -> Iterator[str]:
    """A freshly set up instance with the demo data, for this journey alone."""
    with e2e.demo_instance("certificates") as base_url:
        yield base_url


@pytest.fixture
def open_page(browser, certificate_instance):
    """``open_page()``: a desktop page in a fresh context (own cookies) on the instance."""
    yield from e2e.page_opener(browser, certificate_instance)


def first_row(page: Page, status: str) -> dict[str, str]:
    """Number, name and ID number of the first certificate listed with ``status``."""
    page.goto(f"/org/certificates?status={status}")
    row = page.locator("table.cert-table tbody tr").first
    return {
        label: row.locator(f'td[data-label="{label}"]').inner_text().strip()
        for label in ("证书编号", "姓名", "证件号码")
    }


def check(page: Page, number: str, name: str) -> None:
    """The public check as a QR code opens it: the number is there, the name is typed."""
    page.goto(f"/verify/{number}")
    expect(page.get_by_label("证书编号")).to_have_value(number)
    page.get_by_label("姓名").fill(name)
    page.get_by_role("button", name="查询").click()


def test_certificates_from_the_qr_code_to_the_print_room(open_page):
    # --- org_hefei's certificates: what the public will check --------------------------------
    org = open_page()
    log_in(org, "org_hefei")
    nav = org.get_by_role("navigation", name="主导航")
    nav.get_by_role("link", name="证书", exact=True).click()
    expect(org).to_have_url(re.compile(r"/org/certificates$"))
    expect(org.get_by_role("heading", level=1)).to_have_text("证书")
    valid = first_row(org, "valid")
    revoked = first_row(org, "revoked")
    assert len(valid["证书编号"]) == 22 and len(revoked["证书编号"]) == 22

    # --- the public: a wrong name, then the right one ----------------------------------------
    public = open_page()
    check(public, valid["证书编号"], WRONG_NAME)
    expect(public.locator("main .notice[role=status]")).to_contain_text("未查询到该证书")
    expect(public.locator(".verdict")).to_have_count(0)

    public.get_by_label("姓名").fill(valid["姓名"])
    public.get_by_role("button", name="查询").click()
    answer = public.locator("section.verify-answer")
    expect(answer.get_by_role("heading", level=2)).to_have_text("证书有效")
    masked = answer.locator("[data-id-masked]")
    expect(masked).to_contain_text("*")
    assert masked.inner_text().strip()[-4:] == valid["证件号码"][-4:]
    assert valid["证件号码"] not in public.content()
    expect(answer).to_contain_text(valid["姓名"])
    expect(answer).to_contain_text("在备案有效期内")
    expect(public.get_by_role("link", name=re.compile("下载电子证书"))).to_be_visible()
    both_screenshots(public, "certificate-verify-valid")

    check(public, revoked["证书编号"], revoked["姓名"])
    answer = public.locator("section.verify-answer")
    expect(answer.get_by_role("heading", level=2)).to_have_text("已撤销")
    expect(answer).to_contain_text("该证书已被撤销")
    assert revoked["证件号码"] not in public.content()
    both_screenshots(public, "certificate-verify-revoked")

    # --- org_hefei opens a certificate and downloads it ----------------------------------------
    org.goto("/org/certificates?status=valid")
    org.get_by_role("link", name=valid["证书编号"]).click()
    expect(org).to_have_url(re.compile(rf"/org/certificates/{valid['证书编号']}$"))
    expect(org.get_by_role("heading", level=1)).to_contain_text(valid["姓名"])
    expect(org.locator("main")).to_contain_text(valid["证件号码"])  # full number: the issuer
    with org.expect_download() as download_info:
        org.get_by_role("link", name="下载证书 PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes()[:5] == b"%PDF-"
    both_screenshots(org, "certificate-org-record")

    # --- and prints the whole batch ----------------------------------------------------------
    org.locator("dl.facts").get_by_role("link").first.click()
    expect(org).to_have_url(re.compile(r"/org/batches/\d+$"))
    org.get_by_role("button", name="打印本批证书").click()
    expect(org).to_have_url(re.compile(r"/batches/\d+/print/[0-9a-f]{32}$"))
    expect(org.get_by_role("heading", level=1)).to_have_text("打印本批证书")
    expect(org.locator("[data-print-percent]")).to_have_text("100%", timeout=60_000)
    expect(org.locator("[data-print-status]")).to_have_text("已生成全部证书，可以下载。")
    link = org.get_by_role("link", name="下载 PDF")
    expect(link).to_be_visible()
    pdf = org.request.get(link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:5] == b"%PDF-"
    both_screenshots(org, "certificate-print-progress")

    # --- wuhu_bureau confirms org_jiujiang's seal ----------------------------------------------
    bureau = open_page()
    log_in(bureau, "wuhu_bureau")
    bureau.get_by_role("link", name="印章确认").first.click()
    expect(bureau).to_have_url(re.compile(r"/review/seals$"))
    item = bureau.locator("li.seal-item", has_text=JIUJIANG)
    expect(item).to_have_count(1)
    image = item.get_by_role("img", name=re.compile("新上传的印章"))
    expect(image).to_be_visible()
    # Loaded, not only laid out: wait for the picture itself (a broken one times out).
    image.page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    both_screenshots(bureau, "certificate-seal-review")
    item.get_by_role("button", name="确认印章").click()
    expect(bureau.locator(".messages")).to_contain_text(f"已确认{JIUJIANG}的印章")
    expect(bureau.locator("li.seal-item")).to_have_count(0)
    expect(bureau.locator("section.past")).to_contain_text(JIUJIANG)

    # --- province_center reports the status changes to the national query system ----------------
    center = open_page()
    log_in(center, "province_center")
    center.goto("/review/national")
    expect(center.get_by_role("heading", level=1)).to_have_text("全国联网上报")
    changes = center.get_by_role("region", name="证书状态变更")
    expect(changes).to_contain_text("2 张此后被撤销或更正")
    changes.get_by_role("button", name="生成状态变更文件").click()
    # A worker makes the file; the page follows the job and shows the export once it is done.
    expect(center.get_by_role("region", name="生成任务")).to_contain_text(
        "已生成上报文件 changes-", timeout=30_000
    )
    row = center.locator("table.national-table tbody tr").first
    expect(row).to_contain_text("证书状态变更（撤销、更正）")
    expect(row).to_contain_text("2 张")
    both_screenshots(center, "certificate-national-changes")
    row.get_by_role("button", name="发送").click()
    expect(center.locator("table.national-table tbody tr").first).to_contain_text("已发送")
    expect(center.get_by_role("region", name="证书状态变更")).to_contain_text("均已上报")
