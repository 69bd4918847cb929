"""An assessment batch through the served pages, as the people involved use them.

org_hefei (filed, in its pilot year, welders and electricians in 合肥) plans a batch that
starts on 2026-10-19, 10 working days ahead being 2026-09-29 and the platform's date fixed at
2026-09-18: it fills in the plan, downloads the candidates template, fills it with openpyxl
(first with mistakes, then correctly), uploads it, reads the review checklist and files the
plan; hefei_center finds it in its worklist.

The journey runs on an instance of its own, so the other journeys' pages keep their meaning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from skillcert.ops.samples import sample_id_number
from tests.e2e import conftest as e2e
from tests.e2e.test_registry_journeys import both_screenshots, log_in

DESKTOP = e2e.DESKTOP
ORGANIZATION = "合肥市明德职业技能培训学校"
TITLE = "2026年第10期焊工职业技能等级认定"
STAFF = [
    ("钱监考", sample_id_number(900_001)),
    ("孙考评", sample_id_number(900_002)),
    ("周督导", sample_id_number(900_003)),
]


@pytest.fixture(scope="module")
def batch_instance() -> Iterator[str]:
    """A freshly set up instance with the demo data, for this journey alone."""
    with e2e.demo_instance("batches") as base_url:
        yield base_url


@pytest.fixture
def open_page(browser, batch_instance):
    """``open_page()``: a desktop page in a fresh context (own cookies) on the instance."""
    yield from e2e.page_opener(browser, batch_instance)


def fill_roster(template: Path, target: Path, rows: list[dict[str, object]]) -> Path:
    """The downloaded template filled in with openpyxl, one candidate per row."""
    workbook = openpyxl.load_workbook(template)
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for number, row in enumerate(rows, start=2):
        for column, name in enumerate(header, start=1):
            if name in row:
                sheet.cell(row=number, column=column, value=row[name])
    workbook.save(target)
    return target


def candidate(index: int, level: str = "三级/高级工", **changes: object) -> dict[str, object]:
    return {
        "姓名": ["王伟", "李娜", "张敏", "刘洋", "陈静", "杨磊", "赵军", "黄丽"][index % 8],
        "证件类型": "居民身份证",
        "证件号码": sample_id_number(index),
        "所在单位": "合肥示例制造有限公司",
        "考生所在地市": "合肥市",
        "职业编码": "6-18-02-04",
        "申报等级": level,
        "考生来源": "企业职工",
        **changes,
    }


def test_organization_plans_and_files_a_batch_center_sees_it(open_page, tmp_path):
    # --- the organization drafts the plan ----------------------------------------------------
    page = open_page()
    log_in(page, "org_hefei")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="认定批次").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("认定批次")
    page.get_by_role("link", name="新建认定批次").first.click()

    expect(page).to_have_url(re.compile(r"/org/batches/new$"))
    page.get_by_label("批次名称").fill(TITLE)
    page.get_by_label("认定开始日期").fill("2026-10-19")
    page.get_by_label("认定结束日期").fill("2026-10-20")
    page.get_by_label("认定地点所在地市").select_option(label="合肥市")
    page.get_by_label("认定地点（详细地址）").fill("合肥市蜀山区长江西路 100 号实训楼")
    page.get_by_label("批次概况").fill("理论知识机考，操作技能在实训车间现场考核。")
    expect(page.get_by_label("认定科目 1")).to_have_value("理论知识")
    expect(page.get_by_label("认定科目 2")).to_have_value("操作技能")
    welders = page.locator("fieldset.scope-group", has_text="焊工")
    expect(page.locator("fieldset.scope-group")).to_have_count(2)  # the filed scope only
    welders.get_by_label("三级/高级工").check()
    welders.get_by_label("四级/中级工").check()
    for row, (name, number) in enumerate(STAFF, start=1):
        page.get_by_label(f"第 {row} 行 姓名").fill(name)
        page.get_by_label(f"第 {row} 行 证件号码").fill(number)
    page.get_by_role("button", name="保存并导入考生").click()

    expect(page).to_have_url(re.compile(r"/org/batches/\d+/edit\?step=candidates$"))
    batch_id = re.search(r"/org/batches/(\d+)/", page.url).group(1)
    expect(page.locator("main .message")).to_contain_text("已保存批次计划")
    expect(page.locator(".status-line")).to_contain_text("计划报备截止 2026-09-29（还剩")

    # --- the candidates: the template, a file with mistakes, then a good one -----------------
    with page.expect_download() as download:
        page.get_by_role("link", name="下载考生名单模板").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    bad_number = sample_id_number(1)[:-1] + ("0" if sample_id_number(1)[-1] != "0" else "1")
    bad = fill_roster(
        template,
        tmp_path / "考生名单-有错误.xlsx",
        [
            candidate(0),
            candidate(1, **{"证件号码": bad_number}),
            candidate(2, level="二级/技师"),
            candidate(3, **{"考生所在地市": "南京市"}),
            candidate(4, level="四级/中级工", **{"姓名": ""}),
        ],
    )
    page.locator("input[type=file]").set_input_files(str(bad))
    page.get_by_role("button", name="上传并导入").click()
    errors = page.locator(".row-errors")
    expect(errors).to_contain_text("共 4 处")
    expect(errors.locator("tbody tr")).to_have_count(4)
    expect(errors).to_contain_text("居民身份证号码校验位错误")
    expect(errors).to_contain_text("二级/技师 不在本批次计划中")
    expect(page.locator("#list-title")).to_have_text("考生名单")
    with page.expect_download() as report:
        errors.get_by_role("link", name="下载标注了错误的文件").click()
    report.value.save_as(tmp_path / "marked.xlsx")
    marked = openpyxl.load_workbook(tmp_path / "marked.xlsx")
    assert marked.worksheets[0].cell(row=1, column=10).value == "错误说明"
    both_screenshots(page, "batch-candidates-errors")

    rows = [candidate(i, level=("三级/高级工", "四级/中级工")[i % 2]) for i in range(8)]
    good = fill_roster(template, tmp_path / "考生名单.xlsx", rows)
    page.locator("input[type=file]").set_input_files(str(good))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.locator("main .message")).to_contain_text("已导入 8 名考生")
    expect(page.locator("#list-title")).to_have_text("考生名单（共 8 名）")

    page.get_by_role("navigation", name="位置").get_by_role("link", name="认定批次").click()
    listed = page.locator("table.batch-list tbody tr", has_text=TITLE)
    expect(listed).to_contain_text("草稿")
    expect(listed).to_contain_text("计划报备截止 2026-09-29（还剩")
    expect(listed).to_contain_text("8 人")
    both_screenshots(page, "batch-list")
    listed.get_by_role("link", name="继续填写").click()

    # --- review: the checklist, then filing ---------------------------------------------------
    page.get_by_role("link", name="核对报备").click()
    expect(page).to_have_url(re.compile(r"step=review$"))
    checklist = page.locator("ul.checklist")
    expect(checklist.locator("li.passed")).to_have_count(6)
    expect(checklist.locator("li.failed")).to_have_count(0)
    expect(checklist).to_contain_text("最迟 2026-09-29")
    expect(page.get_by_role("heading", name="可以报备")).to_be_visible()
    both_screenshots(page, "batch-review-checklist")
    page.get_by_role("button", name="报备计划").click()

    expect(page).to_have_url(re.compile(rf"/org/batches/{batch_id}$"))
    expect(page.locator("main .message")).to_contain_text("计划已报备合肥市职业技能鉴定中心")
    expect(page.locator(".status-line")).to_contain_text("计划已报备")
    # results: upload and form; 撤回计划 before the start (domain.md §9)
    expect(page.locator("main [data-action]")).to_have_count(3)
    both_screenshots(page, "batch-org-filed")

    # --- the city center finds it -------------------------------------------------------------
    center = open_page()
    log_in(center, "hefei_center")
    counts = center.locator(
        "section", has=center.get_by_role("heading", name=re.compile("认定批次"))
    )
    # The demo holds batches of its own: at least ours is counted.
    expect(counts.locator("li", has_text="计划已报备")).to_contain_text(re.compile(r"[1-9]\d* 个"))
    center.get_by_role("navigation", name="主导航").get_by_role("link", name="认定批次").click()
    expect(center.get_by_role("heading", level=1)).to_have_text("认定批次")
    row = center.locator("table.batch-worklist tbody tr", has_text=TITLE)
    expect(row).to_contain_text(ORGANIZATION)
    expect(row).to_contain_text("计划已报备")
    expect(row).to_contain_text("8 人")
    both_screenshots(center, "batch-center-worklist")
    row.get_by_role("link", name=TITLE).click()
    expect(center).to_have_url(re.compile(rf"/review/batches/{batch_id}$"))
    expect(center.locator("#candidates-title")).to_have_text("考生（8 名）")
    # The plan waits for the center's receipt (3 working days): 签收 or 退回 (domain.md §9).
    actions = center.locator("main [data-action]")
    expect(actions).to_have_count(2)
    assert sorted(actions.evaluate_all("nodes => nodes.map(n => n.dataset.action)")) == [
        "receive",
        "return",
    ]
    expect(center.locator("form.inspection-form")).to_be_visible()
    both_screenshots(center, "batch-center-batch")
    center.get_by_role("button", name="签收", exact=True).click()
    expect(center.locator("main [data-action]")).to_have_count(0)


def test_the_other_roles_pages(open_page):
    """The inspector's list, the provincial center's segments and the public notices, as the
    demo data shows them (looked at on a desktop and a phone)."""
    inspector = open_page()
    log_in(inspector, "inspector_hefei")
    inspector.get_by_role("navigation", name="主导航").get_by_role("link", name="检查批次").click()
    expect(inspector.get_by_role("heading", level=1)).to_have_text("我的检查批次")
    both_screenshots(inspector, "batch-inspector-list")

    center = open_page()
    log_in(center, "province_center")
    center.get_by_role("navigation", name="主导航").get_by_role("link", name="证书号段").click()
    expect(center.get_by_role("heading", level=1)).to_have_text("证书号段")
    form = center.locator("main form[aria-labelledby=allocate-title]")
    option = form.locator("select[name=organization] option", has_text=ORGANIZATION)
    form.get_by_label("评价组织").select_option(option.get_attribute("value"))
    form.get_by_label("等级").select_option(label="五级/初级工")
    form.get_by_label("起始流水号").fill("900001")
    form.get_by_label("结束流水号").fill("900100")
    form.get_by_role("button", name="分配号段").click()
    expect(center.locator("main .message")).to_contain_text("已分配号段")
    expect(center.locator("table.segments")).to_contain_text("900001-900100")
    both_screenshots(center, "batch-segments")

    public = open_page()
    public.goto("/notices")
    expect(public.get_by_role("heading", level=1)).to_have_text("公示公告")
    both_screenshots(public, "batch-notices")
