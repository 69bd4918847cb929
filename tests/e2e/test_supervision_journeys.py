"""Supervision through the served pages, as the people involved use them.

On a fresh instance with the demo data (platform date fixed at 2026-09-18): hefei_bureau
opens the statistics (charts drawn on the server, Excel downloads) and draws one of 合肥's
filed organizations with one inspector (双随机); the public opens the draw's record (seed,
digests, pools, how to recompute). The drawn inspector records a finding and concludes 合格;
hefei_bureau approves it for publication and the public reads it among the inspection results
(一公开), without the inspector's name. org_hefei, which has not filed its annual report,
reads the figures computed from its records and files it. Last, hefei_bureau records a
violation (虚假材料) with exit: the organization is revoked, the public reads the exit notice and
the catalog no longer lists it.

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
PHONE = e2e.PHONE
# The demo's 合肥 inspectors, by the name the draw shows.
INSPECTORS = {
    "周敏": "inspector_hefei",
    "吴刚": "inspector_hefei2",
    "郑洁": "inspector_hefei3",
}


@pytest.fixture(scope="module")
def supervision_instance() -> Iterator[str]:
    """A freshly set up instance with the demo data, for this journey alone."""
    with e2e.demo_instance("supervision") as base_url:
        yield base_url


@pytest.fixture
def open_page(browser, supervision_instance):
    """``open_page()``: a desktop page in a fresh context (own cookies) on the instance."""
    yield from e2e.page_opener(browser, supervision_instance)


def assert_charts_fit(page: Page) -> None:
    """Every chart is as wide as its card, whatever the viewport (viewBox + width 100%)."""
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('svg.chart')].map(svg => ({
            svg: svg.getBoundingClientRect().width,
            box: svg.closest('.card').getBoundingClientRect().width,
        }))"""
    )
    assert len(sizes) == 6
    for size in sizes:
        assert 0 < size["svg"] <= size["box"], sizes


def test_a_draw_from_the_pools_to_the_published_result(open_page):
    # --- hefei_bureau: statistics, then a draw of organizations ---------------------------------
    bureau = open_page()
    log_in(bureau, "hefei_bureau")
    nav = bureau.get_by_role("navigation", name="主导航")
    nav.get_by_role("link", name="监督检查").click()
    expect(bureau).to_have_url(re.compile(r"/review/supervision/draws$"))
    bureau.get_by_role("navigation", name="监督检查").get_by_role("link", name="统计").click()
    expect(bureau).to_have_url(re.compile(r"/review/supervision/statistics$"))
    bureau.get_by_label("发证日期自").fill("2026-01-01")
    bureau.get_by_role("button", name="统计").click()
    expect(bureau.locator("svg.chart")).to_have_count(6)
    total = int(bureau.locator('[data-figure="certificates_total"]').inner_text())
    assert total > 0
    months = bureau.locator("#chart-month g.bar")
    assert sum(int(v) for v in months.evaluate_all("gs => gs.map(g => g.dataset.value)")) == total
    expect(bureau.get_by_role("img", name=re.compile("发证数量（按地市）"))).to_be_visible()
    with bureau.expect_download() as download_info:
        bureau.get_by_role("link", name="下载统计表（Excel）").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    assert Path(download.path()).read_bytes()[:2] == b"PK"
    assert_charts_fit(bureau)
    both_screenshots(bureau, "supervision-statistics")
    bureau.set_viewport_size(PHONE)
    assert_charts_fit(bureau)
    bureau.set_viewport_size(DESKTOP)

    bureau.goto("/review/supervision/draws")
    form = bureau.locator("form.draw-form")
    pool = int(bureau.locator('[data-pool="targets"]').inner_text())
    assert pool >= 1
    expect(bureau.locator('[data-pool="inspectors"]')).to_have_text("3")
    form.get_by_label("抽取对象数").fill(str(pool + 1))
    form.get_by_label("每个对象的督查员数").fill("1")
    form.get_by_role("button", name="抽取").click()
    expect(form.locator(".field-error")).to_contain_text(f"对象库只有 {pool} 个")
    both_screenshots(bureau, "supervision-draw-form-error")
    form = bureau.locator("form.draw-form")
    form.get_by_label("抽取对象数").fill("1")
    form.get_by_role("button", name="抽取").click()
    expect(bureau).to_have_url(re.compile(r"/review/supervision/draws/\d+$"))
    draw_id = bureau.url.rsplit("/", 1)[1]
    row = bureau.locator("table.draw-result tbody tr")
    expect(row).to_have_count(1)
    target = row.locator('td[data-label="抽中的对象"]').inner_text().strip()
    organization = target.split("（")[0]
    inspector = INSPECTORS[row.locator('td[data-label="督查员"]').inner_text().strip()]
    seed = bureau.locator("code.seed").first.inner_text().strip()
    assert len(seed) == 32
    both_screenshots(bureau, "supervision-draw-officer")

    # --- the public checks the draw --------------------------------------------------------------
    public = open_page()
    public.goto("/")
    public.get_by_role("link", name="双随机抽取公开").click()
    expect(public).to_have_url(re.compile(r"/draws$"))
    public.get_by_role("link", name=f"抽取 #{draw_id}").click()
    expect(public).to_have_url(re.compile(rf"/draws/{draw_id}$"))
    main = public.locator("main")
    expect(main).to_contain_text(seed)
    expect(main).to_contain_text("skillcert draws recompute --file draw.json")
    expect(main).to_contain_text("结果一致")
    record = public.request.get(f"/api/v1/public/inspection-draws/{draw_id}").json()
    assert record["seed"] == seed
    expect(main).to_contain_text(record["targets_digest"])
    expect(main).to_contain_text(record["inspectors_digest"])
    both_screenshots(public, "supervision-public-draw")

    # --- the drawn inspector records a finding and concludes 合格 ---------------------------------
    checker = open_page()
    log_in(checker, inspector)
    checker.get_by_role("navigation", name="主导航").get_by_role("link", name="检查任务").click()
    expect(checker).to_have_url(re.compile(r"/inspector/inspections$"))
    task = checker.locator("table.tasks-table tbody tr", has_text=organization).first
    task.get_by_role("link", name="记录检查情况").click()
    expect(checker).to_have_url(re.compile(r"/inspector/inspections/\d+$"))
    inspection_id = checker.url.rsplit("/", 1)[1]
    finding = checker.locator("form.finding-form")
    finding.get_by_label("检查环节").fill("考务管理")
    finding.get_by_label("发现情况").fill("考生身份核验记录完整，考场视频监控正常。")
    finding.get_by_role("button", name="记录检查情况").click()
    expect(checker.locator(".messages")).to_contain_text("已记录检查情况")
    expect(checker.locator("ul.findings")).to_contain_text("考场视频监控正常")
    conclusion = checker.locator("form.conclusion-form")
    conclusion.get_by_label("合格", exact=True).check()
    conclusion.get_by_label("结论说明").fill("认定组织实施规范，未发现问题。")
    both_screenshots(checker, "supervision-inspector-task")
    conclusion.get_by_role("button", name="作出结论").click()
    expect(checker.locator(".messages")).to_contain_text("已作出检查结论：合格")

    # --- hefei_bureau approves it for publication ------------------------------------------------
    bureau.goto("/review/supervision/inspections?show=concluded")
    line = bureau.locator("table.inspections-table tbody tr", has_text=f"检查 #{inspection_id}")
    expect(line).to_contain_text("合格")
    both_screenshots(bureau, "supervision-inspections")
    line.get_by_role("button", name="审核公开").click()
    expect(bureau.locator(".messages")).to_contain_text(f"已公开 {organization} 的检查结果")

    # --- the public reads the result --------------------------------------------------------------
    public.goto("/notices")
    public.get_by_role("link", name="检查结果公开").click()
    expect(public).to_have_url(re.compile(r"/inspection-results$"))
    result = public.locator("table.results-table tbody tr", has_text="认定组织实施规范")
    expect(result).to_have_count(1)
    expect(result).to_contain_text(organization)
    expect(result.locator('td[data-label="检查结论"]')).to_have_text("合格")
    for name in INSPECTORS:
        assert name not in public.locator("main").inner_text()
    both_screenshots(public, "supervision-public-results")

    # --- org_hefei files its annual report ---
    org = open_page()
    log_in(org, "org_hefei")
    org.get_by_role("navigation", name="主导航").get_by_role("link", name="年报与检查").click()
    expect(org).to_have_url(re.compile(r"/org/annual-reports$"))
    expect(org.locator(".due-line")).to_have_text("2027年3月31日前报送")
    certificates = int(org.locator('[data-stat="certificates"]').inner_text())
    assert certificates > 0
    org.get_by_label("年度工作情况").fill(
        "本年度开展电工、焊工职业技能等级认定，严格执行计划报备和结果公示制度。"
    )
    both_screenshots(org, "supervision-annual-report")
    org.get_by_role("button", name="报送 2026 年度报告").click()
    expect(org.locator(".messages")).to_contain_text("2026 年度报告已报送")
    expect(org.locator("details.report-past")).to_contain_text("2026 年度")
    bureau.goto("/review/supervision/reports?year=2026")
    filed = bureau.get_by_role("region", name=re.compile(r"^已报送"))
    expect(filed).to_contain_text("合肥市明德职业技能培训学校")
    expect(bureau.get_by_role("region", name=re.compile(r"^未报送"))).not_to_contain_text(
        "合肥市明德职业技能培训学校"
    )

    # --- hefei_bureau records a violation with exit (the registry's exit path) ---
    bureau.goto("/review/supervision/violations")
    choice = bureau.get_by_label("评价组织")
    mingde = choice.locator("option", has_text="合肥市明德职业技能培训学校").get_attribute("value")
    choice.select_option(mingde)
    bureau.get_by_role("button", name="记录违规…").click()
    expect(bureau.locator("h1")).to_have_text("合肥市明德职业技能培训学校")
    form = bureau.locator("form.violation-form")
    form.get_by_role("button", name="记录违规").click()
    expect(form.locator(".field-error").first).to_have_text("请选择违规类型")
    form.get_by_label("违规类型").select_option(label="提供虚假材料")
    form.get_by_label("违规情况").fill("年度报告所列考评人员与实际不符，经核实提供虚假材料。")
    form.get_by_label("同时撤销备案（退出）").check()
    both_screenshots(bureau, "supervision-violation-exit")
    form.get_by_role("button", name="记录违规").click()
    expect(bureau.locator(".messages")).to_contain_text("撤销备案")
    expect(bureau.locator(".status-line")).to_contain_text("已撤销")
    expect(bureau.locator(".findings")).to_contain_text("已据此撤销备案")

    # The public: the exit notice is published and the catalog no longer lists it.
    public.goto("/notices")
    expect(public.locator("main")).to_contain_text("合肥市明德职业技能培训学校")
    public.goto("/catalog?q=明德")
    expect(public.locator("main")).not_to_contain_text("合肥市明德职业技能培训学校")
