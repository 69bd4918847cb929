"""An application through the served pages, as the people involved use them.

org_hefei (filed three months ago in the demo data, in its pilot year) applies to add an
occupation (变更职业（工种）及等级): it fills the wizard, adding the row through the
autocomplete, uploads the six materials and submits; hefei_bureau finds it at the top of its
worklist, accepts it, records an evaluation, selects and publicizes it; the public reads the
notice. Filing needs the publicity to end, which the fixed platform date does not reach.

The journey runs on an instance of its own, so the foundation's "still empty" pages keep
their meaning on the shared one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from skillcert.ops.demo import DEMO_PASSWORD
from skillcert.ops.samples import MINIMAL_PDF
from tests.e2e import conftest as e2e

DESKTOP = e2e.DESKTOP
PHONE = e2e.PHONE
ORGANIZATION = "合肥市明德职业技能培训学校"
PDF = MINIMAL_PDF  # a whole PDF: uploads are parsed
MATERIALS = ["basic_form", "registration", "plan", "experts", "assets", "credit"]


@pytest.fixture(scope="module")
def registry_instance() -> Iterator[str]:
    """A freshly set up instance with the demo data, for this journey alone."""
    with e2e.demo_instance("registry") as base_url:
        yield base_url


@pytest.fixture
def open_page(browser, registry_instance):
    """``open_page()``: a desktop page in a fresh context (own cookies) on the instance."""
    yield from e2e.page_opener(browser, registry_instance)


def assert_no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, viewport: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["viewport"], f"page scrolls sideways: {widths}"


def both_screenshots(page: Page, name: str) -> None:
    """Desktop and phone screenshots of the page as it is; on the phone it must not scroll
    sideways."""
    e2e.save_screenshot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    assert_no_horizontal_scroll(page)
    e2e.save_screenshot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def log_in(page: Page, username: str) -> None:
    page.goto("/login")
    form = page.locator("main form")
    form.get_by_label("用户名").fill(username)
    form.get_by_label("密码").fill(DEMO_PASSWORD)
    form.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))


def fill_occupation(page: Page, index: int, name: str, code: str, levels: list[str]) -> None:
    # The autocomplete listens for typing once occupations.js has run.
    page.wait_for_load_state("domcontentloaded")
    row = page.locator("tr[data-row]").nth(index)
    field = row.get_by_label("职业（工种）名称")
    field.fill(name)
    # The autocomplete offers the catalog's entries; choosing one fills in the code.
    expect(row.locator(f'datalist option[value="{name}"]')).to_have_count(1)
    field.press("Tab")
    expect(row.get_by_label("职业编码")).to_have_value(code)
    row.get_by_label("培训评价年限").fill("6")
    row.get_by_label("已培训评价人数").fill("6000")
    for level in levels:
        row.get_by_label(level).check()


def test_first_filing_from_application_to_publicity(open_page, tmp_path):
    # --- the organization fills in the wizard ---------------------------------------------------
    page = open_page()
    log_in(page, "org_hefei")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的申请").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的备案申请")
    page.get_by_role("button", name="新建变更职业（工种）及等级申请").click()

    expect(page).to_have_url(re.compile(r"/org/filings/\d+/edit\?step=basic$"))
    case_id = re.search(r"/org/filings/(\d+)/", page.url).group(1)
    expect(page.locator("main .message")).to_contain_text("申请草稿")
    # Started from the filed application: the basic information is there already.
    expect(page.get_by_label("名称", exact=True)).to_have_value(ORGANIZATION)
    expect(page.get_by_label("机构性质")).to_have_value("private_non_enterprise")
    page.get_by_label("地址", exact=True).fill("合肥市包河区徽州大道 1 号")
    page.get_by_label("联系电话").fill("0551-62620001")
    page.get_by_label("电子邮箱").fill("mingde@example.org.cn")
    page.get_by_role("button", name="保存并继续").click()

    expect(page).to_have_url(re.compile(r"step=occupations$"))
    rows = page.locator("tr[data-row]")
    expect(rows).to_have_count(2)  # the filed scope: 焊工 and 电工
    expect(rows.nth(0).get_by_label("职业编码")).to_have_value("6-18-02-04")
    page.get_by_role("button", name="添加一行").click()
    expect(rows).to_have_count(3)
    fill_occupation(page, 2, "车工", "6-18-01-01", ["三级/高级工", "四级/中级工", "五级/初级工"])
    rows.nth(2).get_by_label("已有评价经历最高等级").select_option("4")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("main .message")).to_contain_text("已保存草稿")
    expect(rows).to_have_count(3)
    expect(rows.nth(2).get_by_label("职业编码")).to_have_value("6-18-01-01")
    both_screenshots(page, "registry-wizard-occupations")
    page.get_by_role("button", name="保存并继续").click()

    expect(page).to_have_url(re.compile(r"step=record$"))
    page.get_by_label("累计培训评价人次").fill("23000")
    page.get_by_label("场地、设备设施").fill(
        "实训场地 2600 平方米（新增车工实训车间），考场全程视频监控。"
    )
    page.get_by_label("本单位承诺").check()
    page.get_by_role("button", name="保存并继续").click()

    expect(page).to_have_url(re.compile(r"step=materials$"))
    expect(page.locator(".missing-line")).to_contain_text("还缺 6 类")
    for material in MATERIALS:
        pdf = tmp_path / f"{material}.pdf"
        pdf.write_bytes(PDF)
        item = page.locator(f"li[data-material={material}]")
        item.locator("input[type=file]").set_input_files(str(pdf))
        item.get_by_role("button", name="上传").click()
        expect(page.locator(f"li[data-material={material}] .file-line")).to_contain_text(
            f"{material}.pdf"
        )
    expect(page.locator(".ok-line")).to_contain_text("所需材料已全部上传")
    page.get_by_role("link", name="下一步：核对提交").click()

    expect(page).to_have_url(re.compile(r"step=review$"))
    expect(page.get_by_role("heading", name="可以提交")).to_be_visible()
    checklist = page.locator("ul.checklist")
    expect(checklist.locator("li.passed")).to_have_count(8)
    expect(checklist.locator("li.failed")).to_have_count(0)
    expect(checklist).to_contain_text("车工")
    both_screenshots(page, "registry-wizard-review")
    page.get_by_role("button", name="提交申请").click()

    expect(page).to_have_url(re.compile(rf"/org/filings/{case_id}$"))
    expect(page.locator("main .message")).to_contain_text("申请已提交")
    expect(page.locator(".status-line")).to_contain_text("已提交")
    expect(page.locator(".status-line")).to_contain_text(
        "受理反馈期限 2026-10-09（还剩 10 个工作日）"
    )
    both_screenshots(page, "registry-org-filing")
    page.get_by_role("navigation", name="位置").get_by_role("link", name="我的备案申请").click()
    expect(page.locator("main table tbody tr").first).to_contain_text("已提交")
    both_screenshots(page, "registry-org-filings")

    # --- the city bureau reviews it ---------------------------------------------------------------
    officer = open_page()
    log_in(officer, "hefei_bureau")
    expect(officer.locator("main .counts li").first).to_contain_text("待受理")
    both_screenshots(officer, "registry-dashboard-bureau")
    officer.get_by_role("link", name="进入办理列表").click()
    officer.get_by_label("类型").select_option(label="变更职业（工种）及等级")
    officer.get_by_role("button", name="筛选").click()
    first = officer.locator("table.worklist tbody tr").first
    expect(first).to_contain_text(ORGANIZATION)
    expect(first).to_contain_text("受理反馈期限 2026-10-09")
    both_screenshots(officer, "registry-worklist")
    first.get_by_role("link", name=ORGANIZATION).click()

    expect(officer).to_have_url(re.compile(rf"/review/filings/{case_id}$"))
    actions = officer.locator("main [data-action]")
    expect(actions).to_have_count(3)
    assert sorted(actions.evaluate_all("nodes => nodes.map(n => n.dataset.action)")) == [
        "accept",
        "not-accept",
        "request-correction",  # 一次性告知补正 (domain.md §9)
    ]
    both_screenshots(officer, "registry-case-submitted")
    officer.get_by_role("button", name="受理", exact=True).click()
    expect(officer.locator("main .message")).to_contain_text("已受理")

    form = officer.locator("form.evaluation-form")
    form.get_by_label("评估方式").select_option(label="资料审核")
    form.get_by_label("评估人员").fill("张专家、刘专家")
    form.get_by_label("评分").fill("88.5")
    form.get_by_label("评估意见").fill("材料齐全，场地设备符合要求。")
    form.get_by_role("button", name="记录技术评估").click()
    expect(officer.locator("main .message")).to_contain_text("已记录技术评估")
    expect(officer.locator(".status-line")).to_contain_text("技术评估中")

    officer.get_by_role("button", name="遴选通过").click()
    expect(officer.locator("main .message")).to_contain_text("已确定遴选通过")
    both_screenshots(officer, "registry-case-selected")
    officer.get_by_role("button", name="发布公示").click()
    expect(officer.locator("main .message")).to_contain_text("已发布公示")
    expect(officer.locator(".status-line")).to_contain_text("公示中")
    # No button whose POST would be refused: 予以备案 is offered from the day after the end,
    # and the page says when.
    expect(officer.locator("main [data-action]")).to_have_count(0)
    expect(officer.locator(".actions-card")).to_contain_text("「予以备案」")
    expect(officer.locator(".actions-card")).to_contain_text("起可办理")
    officer.get_by_role("link", name="查看评价组织档案").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text(ORGANIZATION)
    expect(officer.locator("main [data-action=pilot_passed]")).to_be_visible()
    both_screenshots(officer, "registry-organization")

    # --- the public reads the notice -------------------------------------------------------------
    public = open_page()
    public.goto("/")
    public.get_by_role("navigation", name="主导航").get_by_role("link", name="公示公告").click()
    listed = public.locator("article.notice-card", has_text=f"{ORGANIZATION}变更职业")
    expect(listed.locator(".meta")).to_contain_text("2026-09-18")
    both_screenshots(public, "registry-notices")
    # The list shows titles; the notice's text and the objection form are on its own page.
    listed.get_by_role("link", name=f"{ORGANIZATION}变更职业（工种）及等级公示").click()
    expect(public).to_have_url(re.compile(r"/notices/\d+$"))
    notice = public.locator("article.notice-card")
    expect(notice.get_by_role("heading", level=1)).to_contain_text(f"{ORGANIZATION}变更职业")
    expect(notice).to_contain_text("车工")
    expect(notice.locator(".meta")).to_contain_text("2026-09-18")
    notice.get_by_text("对此公示提出异议").click()
    expect(notice.get_by_label("异议内容")).to_be_visible()
    both_screenshots(public, "registry-notice")

    public.get_by_role("navigation", name="主导航").get_by_role("link", name="评价组织目录").click()
    expect(public.locator("table.catalog")).to_contain_text(ORGANIZATION)
    both_screenshots(public, "registry-catalog")
