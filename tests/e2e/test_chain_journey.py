"""The whole chain through the served pages, from a new organization to a certificate the
public verifies, with the platform's clock moved between the steps (the server restarted on
the same data directory and address with a later ``SKILLCERT_TODAY``; nothing else touches
the data: no API call, no command).

2026-09-18 (the demo's date, Friday) a new 合肥 organization registers, fills in the filing
  wizard (车工, levels 3-5, six materials) and submits; hefei_bureau takes it from its
  worklist, accepts it, records a technical evaluation, selects and publicizes it (5 working
  days: to 2026-09-23).
2026-09-24 hefei_bureau files it (予以备案); the organization reads its filing number and
  downloads the receipt, plans a batch for 2026-10-26/27 (filed by 2026-10-12), imports
  four candidates from the downloaded Excel template and files the plan.
2026-10-27 (the assessment's second day) the organization enters the scores on the page
  (3 pass, 1 fails) and publicizes the results (7 days: to 2026-11-02).
2026-11-03 the publicity is over, which the batch page shows by itself (公示期满, 生成证书编号);
  the organization requests a serial segment, province_center grants it from its worklist;
  the organization issues (confirming that nobody has a photo yet), prints the batch and
  files the results. The public scans the QR code of a printed certificate and opens its
  address on a phone: 证书有效.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from skillcert.ops.demo import demo_credit_code
from skillcert.ops.samples import MINIMAL_PDF, sample_id_number
from tests.e2e import conftest as e2e
from tests.e2e.test_registry_journeys import both_screenshots, log_in

DESKTOP = e2e.DESKTOP
PHONE = e2e.PHONE

ORGANIZATION = "合肥市链路职业技能评价中心"
CREDIT_CODE = demo_credit_code("340104", "CJ000001")  # 合肥市蜀山区
USERNAME = "org_chain"
PASSWORD = "Chain-2026-skill!"
OCCUPATION, OCCUPATION_CODE, LEVEL = "车工", "6-18-01-01", "四级/中级工"
TITLE = "2026年第1期车工职业技能等级认定"
MATERIALS = ["basic_form", "registration", "plan", "experts", "assets", "credit"]
STAFF = [
    ("监考人员", "钱监考", sample_id_number(900_101)),
    ("考评人员", "孙考评", sample_id_number(900_102)),
    ("内部质量督导员", "周督导", sample_id_number(900_103)),
]
# name: (理论知识, 操作技能); the pass mark is 60 for both.
SCORES = {
    "王建国": ("86", "90"),
    "李秀英": ("78", "82.5"),
    "张志强": ("92", "88"),
    "刘海燕": ("55", "70"),
}
PASSED = ["王建国", "李秀英", "张志强"]

# The platform's dates (the demo is built on e2e.FIXED_TODAY, 2026-09-18).
FILING_DAY = "2026-09-24"  # the day after the 5-working-day publicity (to 2026-09-23)
ASSESSMENT_DAY = "2026-10-27"  # the batch's second day (2026-10-26/27)
CLOSED_DAY = "2026-11-03"  # the day after the 7-day result publicity (to 2026-11-02)


def shot(page: Page, name: str) -> None:
    e2e.save_screenshot(page, f"chain-{name}-desktop")


@dataclass
class MovableInstance:
    """A served demo instance whose platform date moves forward: ``move_to(day)`` restarts
    ``skillcert serve`` on the same data directory and address with ``SKILLCERT_TODAY=day``,
    so the browsers' pages and sessions carry on."""

    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None
    base_url: str = ""
    port: int | None = None
    days: list[str] = field(default_factory=list)

    def start(self) -> None:
        self.process, self.base_url = e2e._start_server(self.env, self.log, port=self.port)
        self.port = int(self.base_url.rsplit(":", 1)[1])
        # A worker on the same day as the pages.
        self.worker = e2e._start_worker(self.env, self.log, self.base_url)
        self.days.append(self.env["SKILLCERT_TODAY"])

    def stop(self) -> None:
        if self.worker is not None:
            e2e._stop(self.worker)
            self.worker = None
        if self.process is not None:
            e2e._stop(self.process)
            self.process = None

    def move_to(self, day: str) -> None:
        assert day > self.env["SKILLCERT_TODAY"], "the clock only moves forward"
        self.stop()
        self.env["SKILLCERT_TODAY"] = day
        self.start()


@pytest.fixture(scope="module")
def chain_instance() -> Iterator[MovableInstance]:
    """A freshly set up instance with the demo data, for this journey alone."""
    data_dir, env, log = e2e.demo_data_dir("chain")
    instance = MovableInstance(env=env, log=log)
    instance.start()
    try:
        yield instance
    finally:
        instance.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def open_page(browser, chain_instance):
    """``open_page()``: a desktop page in a fresh context (own cookies) on the instance."""
    yield from e2e.page_opener(browser, chain_instance.base_url)


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="主导航").get_by_role("link", name=name, exact=True).click()


def worklist_row(page: Page, text: str):
    page.goto("/dashboard")
    return page.locator("table.work-table tbody tr", has_text=text)


def fill_candidates(template: Path, target: Path) -> Path:
    """The downloaded template with one row per candidate, filled in with openpyxl."""
    workbook = openpyxl.load_workbook(template)
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for index, name in enumerate(SCORES):
        row = {
            "姓名": name,
            "证件类型": "居民身份证",
            "证件号码": sample_id_number(910_001 + index),
            "所在单位": "合肥示例机械有限公司",
            "考生所在地市": "合肥市",
            "职业编码": OCCUPATION_CODE,
            "申报等级": LEVEL,
            "考生来源": "企业职工",
        }
        for column, title in enumerate(header, start=1):
            if title in row:
                sheet.cell(row=index + 2, column=column, value=row[title])
    workbook.save(target)
    return target


def test_from_registration_to_a_verified_certificate(qr_tools, chain_instance, open_page, tmp_path):
    # === 1. 2026-09-18: a new organization registers and applies ===============================
    org = open_page()
    org.goto("/register")
    form = org.locator("main form")
    form.get_by_label("单位名称").fill(ORGANIZATION)
    form.get_by_label("统一社会信用代码").fill(CREDIT_CODE)
    form.get_by_label("用户名").fill(USERNAME)
    form.get_by_label("密码", exact=True).fill(PASSWORD)
    form.get_by_label("确认密码").fill(PASSWORD)
    form.get_by_role("button", name="注册").click()
    expect(org).to_have_url(re.compile(r"/dashboard$"))
    expect(org.locator("main .message")).to_contain_text(f"注册成功：{ORGANIZATION}")
    expect(org.locator("main dl.facts")).to_contain_text("尚未备案")
    shot(org, "01-registered")

    org.get_by_role("link", name="开始备案申请").click()
    org.get_by_role("button", name="新建首次备案申请").click()
    expect(org).to_have_url(re.compile(r"/org/filings/\d+/edit\?step=basic$"))
    case_id = re.search(r"/org/filings/(\d+)/", org.url).group(1)
    org.get_by_label("社会培训评价组织").check()
    org.get_by_label(re.compile("^市级渠道")).check()
    for label, value in [
        ("名称", ORGANIZATION),
        ("统一社会信用代码", CREDIT_CODE),
        ("地址", "合肥市蜀山区黄山路 88 号"),
        ("注册登记机构", "合肥市民政局"),
        ("注册资金", "300 万元"),
        ("法定代表人", "陈立新"),
        ("联系人", "周文"),
        ("职务", "办公室主任"),
        ("联系电话", "0551-65550001"),
        ("电子邮箱", "office@chain.example.org.cn"),
    ]:
        org.get_by_label(label, exact=True).fill(value)
    org.get_by_label("机构性质").select_option(label="民办非企业单位")
    org.get_by_role("button", name="保存并继续").click()

    expect(org).to_have_url(re.compile(r"step=occupations$"))
    # The lookup listens for typing once occupations.js has run: typing before that (the URL
    # changes before the page's scripts run) would never ask the catalog.
    org.wait_for_load_state("domcontentloaded")
    row = org.locator("tr[data-row]").first
    name_field = row.get_by_label("职业（工种）名称")
    name_field.fill(OCCUPATION)
    # The lookup offers the catalog's entry; choosing it fills in the code.
    expect(row.locator(f'datalist option[value="{OCCUPATION}"]')).to_have_count(1)
    name_field.press("Tab")
    expect(row.get_by_label("职业编码")).to_have_value(OCCUPATION_CODE)
    row.get_by_label("培训评价年限").fill("5")
    row.get_by_label("已培训评价人数").fill("3200")
    for level in ["三级/高级工", LEVEL, "五级/初级工"]:
        row.get_by_label(level).check()
    org.get_by_role("button", name="保存并继续").click()

    expect(org).to_have_url(re.compile(r"step=record$"))
    org.get_by_label("连续开展培训评价年限（年）").fill("5")
    org.get_by_label("累计培训评价人次").fill("3200")
    org.get_by_label(re.compile("^组织优势")).fill("专职考务人员 12 名，考评员 30 名。")
    org.get_by_label(re.compile("^场地、设备设施")).fill(
        "实训车间 1800 平方米，数控车床 20 台，考场全程视频监控。"
    )
    org.get_by_label(re.compile("^专业优势")).fill("连续 5 年承担车工职业技能培训与考核。")
    org.get_by_label("本单位承诺").check()
    org.get_by_role("button", name="保存并继续").click()

    expect(org).to_have_url(re.compile(r"step=materials$"))
    expect(org.locator(".missing-line")).to_contain_text("还缺 6 类")
    for material in MATERIALS:
        if material == "registration":  # the registration certificate as a scanned picture
            upload = tmp_path / "法人登记证书.png"
            Image.new("RGB", (240, 170), (236, 242, 250)).save(upload)
        else:
            upload = tmp_path / f"{material}.pdf"
            upload.write_bytes(MINIMAL_PDF)
        item = org.locator(f"li[data-material={material}]")
        item.locator("input[type=file]").set_input_files(str(upload))
        item.get_by_role("button", name="上传").click()
        expect(org.locator(f"li[data-material={material}] .file-line")).to_contain_text(upload.name)
    expect(org.locator(".ok-line")).to_contain_text("所需材料已全部上传")
    org.get_by_role("link", name="下一步：核对提交").click()

    expect(org).to_have_url(re.compile(r"step=review$"))
    expect(org.get_by_role("heading", name="可以提交")).to_be_visible()
    checklist = org.locator("ul.checklist")
    expect(checklist.locator("li.failed")).to_have_count(0)
    expect(checklist).to_contain_text(OCCUPATION)
    both_screenshots(org, "chain-02-filing-review")
    org.get_by_role("button", name="提交申请").click()
    expect(org).to_have_url(re.compile(rf"/org/filings/{case_id}$"))
    expect(org.locator("main .message")).to_contain_text("申请已提交")
    expect(org.locator(".status-line")).to_contain_text("已提交")

    # === 2. hefei_bureau: from its worklist to the publicity ==================================
    bureau = open_page()
    log_in(bureau, "hefei_bureau")
    expect(bureau.locator('.nav-count[title="待办事项"]')).to_have_text(re.compile(r"^[1-9]\d*$"))
    item = worklist_row(bureau, ORGANIZATION)
    expect(item).to_have_count(1)
    expect(item).to_contain_text("首次备案")
    shot(bureau, "03-bureau-worklist")
    item.locator("[data-work-action=accept]").click()
    expect(bureau).to_have_url(re.compile(rf"/review/filings/{case_id}$"))
    bureau.get_by_role("button", name="受理", exact=True).click()
    expect(bureau.locator("main .message")).to_contain_text("已受理")
    evaluation = bureau.locator("form.evaluation-form")
    evaluation.get_by_label("评估方式").select_option(label="资料审核")
    evaluation.get_by_label("评估人员").fill("张专家、刘专家")
    evaluation.get_by_label("评分").fill("90")
    evaluation.get_by_label("评估意见").fill("材料齐全，场地设备符合要求。")
    evaluation.get_by_role("button", name="记录技术评估").click()
    expect(bureau.locator("main .message")).to_contain_text("已记录技术评估")
    bureau.get_by_role("button", name="遴选通过").click()
    expect(bureau.locator("main .message")).to_contain_text("已确定遴选通过")
    bureau.get_by_role("button", name="发布公示").click()
    expect(bureau.locator("main .message")).to_contain_text("已发布公示")
    expect(bureau.locator(".status-line")).to_contain_text("公示中")
    expect(bureau.locator(".status-line")).to_contain_text("公示截止 2026-09-23")
    shot(bureau, "04-bureau-publicity")

    # === 3. 2026-09-24: the publicity is over; filed; the number and the receipt ==============
    chain_instance.move_to(FILING_DAY)
    item = worklist_row(bureau, ORGANIZATION)
    item.locator("[data-work-action=file]").click()
    expect(bureau).to_have_url(re.compile(rf"/review/filings/{case_id}$"))
    expect(bureau.locator(".status-line")).to_contain_text("已届满")
    bureau.get_by_role("button", name="予以备案").click()
    expect(bureau.locator("main .message")).to_contain_text("已予以备案")
    expect(bureau.locator(".status-line")).to_contain_text("已备案")

    org.goto("/dashboard")
    facts = org.locator("main dl.facts")
    expect(facts).to_contain_text("试点中")
    filing_number = facts.locator("dd.mono").last.inner_text().strip()
    assert re.fullmatch(r"S0000340100\d\d", filing_number), filing_number
    nav(org, "我的申请")
    org.locator(f'a[href="/org/filings/{case_id}"]').first.click()
    expect(org.locator("main")).to_contain_text(filing_number)
    expect(org.locator("main")).to_contain_text("2026-09-18 至 2026-09-23")
    receipt_link = org.get_by_role("link", name="下载备案回执（PDF）")
    # Served inline (Chromium would show it in its viewer): read it as the link gives it.
    receipt = org.request.get(receipt_link.get_attribute("href"))
    assert receipt.ok and receipt.headers["content-type"] == "application/pdf"
    assert receipt.body()[:5] == b"%PDF-"
    assert filing_number in receipt.headers.get("content-disposition", "")
    shot(org, "05-org-filed")

    # === 4. the organization plans a batch, imports candidates, files the plan ================
    nav(org, "认定批次")
    org.get_by_role("link", name="新建认定批次").first.click()
    expect(org).to_have_url(re.compile(r"/org/batches/new$"))
    org.get_by_label("批次名称").fill(TITLE)
    org.get_by_label("认定开始日期").fill("2026-10-26")
    org.get_by_label("认定结束日期").fill("2026-10-27")
    org.get_by_label("认定地点所在地市").select_option(label="合肥市")
    org.get_by_label("认定地点（详细地址）").fill("合肥市蜀山区黄山路 88 号实训楼")
    org.get_by_label("批次概况").fill("理论知识机考，操作技能在实训车间现场考核。")
    expect(org.get_by_label("认定科目 1")).to_have_value("理论知识")
    expect(org.get_by_label("认定科目 2")).to_have_value("操作技能")
    scope = org.locator("fieldset.scope-group")
    expect(scope).to_have_count(1)  # the filed scope only
    scope.get_by_label(LEVEL).check()
    for number, (role, name, id_number) in enumerate(STAFF, start=1):
        org.get_by_label(f"第 {number} 行 角色").select_option(label=role)
        org.get_by_label(f"第 {number} 行 姓名").fill(name)
        org.get_by_label(f"第 {number} 行 证件号码").fill(id_number)
    org.get_by_role("button", name="保存并导入考生").click()

    expect(org).to_have_url(re.compile(r"/org/batches/\d+/edit\?step=candidates$"))
    batch_id = re.search(r"/org/batches/(\d+)/", org.url).group(1)
    expect(org.locator("main .message")).to_contain_text("已保存批次计划")
    expect(org.locator(".status-line")).to_contain_text("计划报备截止 2026-10-12")
    with org.expect_download() as download:
        org.get_by_role("link", name="下载考生名单模板").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    roster = fill_candidates(template, tmp_path / "考生名单.xlsx")
    org.locator("input[type=file]").set_input_files(str(roster))
    org.get_by_role("button", name="上传并导入").click()
    expect(org.locator("main .message")).to_contain_text("已导入 4 名考生")
    expect(org.locator("#list-title")).to_have_text("考生名单（共 4 名）")

    org.get_by_role("link", name="下一步：核对报备").click()
    expect(org).to_have_url(re.compile(r"step=review$"))
    expect(org.get_by_role("heading", name="可以报备")).to_be_visible()
    expect(org.locator("ul.checklist li.failed")).to_have_count(0)
    shot(org, "06-batch-review")
    org.get_by_role("button", name="报备计划").click()
    expect(org).to_have_url(re.compile(rf"/org/batches/{batch_id}$"))
    expect(org.locator("main .message")).to_contain_text("计划已报备合肥市职业技能鉴定中心")
    expect(org.locator(".status-line")).to_contain_text("计划已报备")

    # === 5. 2026-10-27, the assessment: scores on the page, result publicity ==================
    chain_instance.move_to(ASSESSMENT_DAY)
    org.reload()
    expect(org.locator(".status-line")).to_contain_text("认定已开始")
    scores = org.locator("form.score-form")
    for name, (theory, practice) in SCORES.items():
        scores.get_by_label(f"{name} 理论知识").fill(theory)
        scores.get_by_label(f"{name} 操作技能").fill(practice)
    scores.get_by_role("button", name="保存成绩").click()
    expect(org.locator("main .message")).to_contain_text("已录入 4 名考生的成绩")
    expect(org.locator(".status-line")).to_contain_text("成绩已录入")
    expect(org.locator("main")).to_contain_text("合格 3 人，不合格 1 人")
    shot(org, "07-batch-results")
    org.get_by_role("button", name="发布结果公示").click()
    expect(org.locator("main .message")).to_contain_text("公示期至 2026-11-02")
    expect(org.locator(".status-line")).to_contain_text("结果公示中")

    # === 6. 2026-11-03: the publicity closed by itself; a segment; issue, print, file ========
    chain_instance.move_to(CLOSED_DAY)
    item = worklist_row(org, TITLE)
    item.locator("[data-work-action=issue]").click()
    expect(org).to_have_url(re.compile(rf"/org/batches/{batch_id}$"))
    expect(org.locator(".status-line")).to_contain_text("公示期满")
    expect(org.locator("main [data-action=issue]")).to_have_text("生成证书编号")
    expect(org.locator("main")).to_contain_text("不足")  # no segment yet
    history = org.locator("main .history li", has_text="公示期满（结果公示中")
    expect(history).to_contain_text("系统")  # the time-driven step, in Chinese
    expect(org.locator("main .history")).not_to_contain_text("system")
    both_screenshots(org, "chain-08-batch-publicity-closed")

    nav(org, "证书")
    org.get_by_role("link", name="证书号段").click()
    expect(org).to_have_url(re.compile(r"/org/segments$"))
    org.get_by_label("年份").select_option(label="2026 年")
    org.get_by_label("等级").select_option(label=LEVEL)
    org.get_by_label("申请数量（个）").fill("100")
    org.get_by_label("申请说明").fill("2026年第1期车工认定合格 3 人，其余留作后续批次。")
    org.get_by_role("button", name="提交号段申请").click()
    expect(org.locator("main .message")).to_contain_text("已提交号段申请")
    expect(org.locator("main")).to_contain_text("待分配")

    center = open_page()
    log_in(center, "province_center")
    expect(center.locator('.nav-count[title="待办事项"]')).to_have_text(re.compile(r"^[1-9]\d*$"))
    # The filing's report to the ministry's center (备案报部) waits there too: pick the request.
    item = worklist_row(center, ORGANIZATION).filter(has_text="号段申请")
    expect(item).to_have_count(1)
    item.locator("[data-work-action=grant]").click()
    expect(center).to_have_url(re.compile(r"/review/segments#request-\d+$"))
    request = center.locator("li.request-item", has_text=ORGANIZATION)
    expect(request).to_contain_text(f"{LEVEL} 100 个")
    expect(request.get_by_label("起始流水号")).to_have_value("1")
    expect(request.get_by_label("结束流水号")).to_have_value("100")
    shot(center, "09-center-segment-request")
    request.locator("[data-action=grant]").click()
    expect(center.locator("main .message")).to_contain_text("已分配号段")
    expect(center.locator("main .message")).to_contain_text("000001-000100")
    expect(worklist_row(center, ORGANIZATION).filter(has_text="号段申请")).to_have_count(0)

    org.goto(f"/org/batches/{batch_id}")
    expect(org.locator("main")).not_to_contain_text("不足")
    no_photos = org.get_by_label("确认无照片的人员先生成证书编号")
    if no_photos.count():
        no_photos.check()
    org.locator("main [data-action=issue]").click()
    expect(org.locator("main .message")).to_contain_text("已生成 3 个证书编号")
    expect(org.locator(".status-line")).to_contain_text("证书已编号")
    numbers = {}
    for name in PASSED:
        cells = org.locator("table.candidate-table tbody tr", has_text=name).inner_text()
        numbers[name] = re.search(r"S\d{21}", cells).group(0)
        assert numbers[name].startswith(filing_number + "264"), numbers[name]

    org.get_by_role("button", name="打印本批证书").click()
    expect(org).to_have_url(re.compile(rf"/batches/{batch_id}/print/[0-9a-f]{{32}}$"))
    expect(org.get_by_role("heading", level=1)).to_have_text("打印本批证书")
    expect(org.locator("[data-print-percent]")).to_have_text("100%", timeout=60_000)
    expect(org.locator("[data-print-status]")).to_have_text("已生成全部证书，可以下载。")
    shot(org, "10-print")
    with org.expect_download() as download:
        org.get_by_role("link", name="下载 PDF").click()
    printed = tmp_path / "certificates.pdf"
    download.value.save_as(printed)
    assert printed.read_bytes()[:5] == b"%PDF-"

    org.get_by_role("link", name="返回批次").click()
    expect(org).to_have_url(re.compile(rf"/org/batches/{batch_id}$"))
    org.locator("main [data-action=file-results]").click()
    expect(org.locator("main .message")).to_contain_text("已报备结果")
    expect(org.locator(".status-line")).to_contain_text("结果已报备")
    expect(org.locator("main [data-action]")).to_have_count(0)
    shot(org, "11-results-filed")

    # === 7. the public scans a printed certificate's QR code ===================================
    address = e2e.read_qr(printed, qr_tools)
    number = address.rsplit("/", 1)[1]
    assert address == f"{chain_instance.base_url}/verify/{number}", address
    holder = next(name for name, value in numbers.items() if value == number)
    public = open_page()
    public.set_viewport_size(PHONE)
    public.goto(address)
    expect(public.get_by_label("证书编号")).to_have_value(number)
    public.get_by_label("姓名").fill(holder)
    public.get_by_role("button", name="查询").click()
    answer = public.locator("section.verify-answer")
    expect(answer.get_by_role("heading", level=2)).to_have_text("证书有效")
    expect(answer).to_contain_text(holder)
    expect(answer).to_contain_text(ORGANIZATION)
    expect(answer).to_contain_text(filing_number)
    expect(answer).to_contain_text("在备案有效期内")
    expect(answer.locator("[data-id-masked]")).to_contain_text("*")
    e2e.save_screenshot(public, "chain-12-verify-phone")
    public.set_viewport_size(DESKTOP)
    shot(public, "12-verify")
    assert chain_instance.days == ["2026-09-18", FILING_DAY, ASSESSMENT_DAY, CLOSED_DAY]
