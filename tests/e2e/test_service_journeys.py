"""The government-service steps through the served pages (issue 14), as the people involved
use them, on an instance of its own whose worker sends e-mail to an SMTP server of the test's.

1. 一次性告知 and 补正: org_binhu (合肥市滨湖职业技能培训中心, submitted six days before the
   demo's date and awaiting acceptance) chooses e-mail copies; hefei_bureau opens the case from
   its worklist and asks for 补正 of a field and a material at once (a 补正告知书 is issued);
   the applicant reads the message (and its e-mail copy arrives), sees both items highlighted in
   the wizard, corrects them and resubmits; the bureau accepts, and the 受理通知书's QR code,
   read from its PDF, opens the public page that says it is genuine.
2. The center's receipt: org_hefei's plan filed yesterday waits for hefei_center, which
   returns it with two reasons; org_hefei sees both, corrects the plan and files it anew;
   the center receives it.
3. An objection followed by its reference: an anonymous visitor objects to 芜湖's filing
   publicity, keeps the reference and code shown once, looks the objection up (处理中);
   wuhu_bureau dismisses it on the case page; the lookup shows the outcome and the reason.

The three parts run in this order on the module's instance; each party's inbox is checked
where it should have received something.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Page, expect

from skillcert.ops.demo import DEMO_PASSWORD
from skillcert.ops.samples import MINIMAL_PDF
from tests.e2e import conftest as e2e
from tests.e2e.test_registry_journeys import both_screenshots, log_in
from tests.support.smtp import Catcher, free_port

BINHU = "合肥市滨湖职业技能培训中心"
BINHU_EMAIL = "binhu-office@example.org.cn"
JIANGCHENG = "芜湖市江城职业培训学校"
PHONE_ITEM = "基本信息：联系电话"
EXPERTS_ITEM = "材料《专家等专业人员技能水平证明》"
MAIL_WAIT = 30.0  # seconds for the worker to send an e-mail copy


@pytest.fixture(scope="module")
def smtp_catcher() -> Iterator[Catcher]:
    """A real SMTP server on loopback (aiosmtpd, no login) keeping every message it accepts."""
    catcher = Catcher()
    port = free_port()
    controller = Controller(catcher, hostname="127.0.0.1", port=port)
    controller.start()
    catcher.port = port  # type: ignore[attr-defined]
    try:
        yield catcher
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def service_instance(smtp_catcher) -> Iterator[str]:
    """The demo on an instance of its own; its worker sends e-mail copies to the catcher."""
    url = f"smtp://127.0.0.1:{smtp_catcher.port}?timeout=5"
    with e2e.demo_instance("service", env={"SKILLCERT_EMAIL_URL": url}) as base_url:
        yield base_url


@pytest.fixture
def open_page(browser, service_instance):
    """``open_page()``: a desktop page in a fresh context (own cookies) on the instance."""
    yield from e2e.page_opener(browser, service_instance)


def _mails(catcher: Catcher) -> list[tuple[list[str], EmailMessage]]:
    """(recipients, message) of every e-mail caught so far (the server appends from its thread)."""
    count = min(len(catcher.envelopes), len(catcher.received))
    return [(catcher.envelopes[i].rcpt_tos, catcher.received[i]) for i in range(count)]


def wait_for_mail(catcher: Catcher, address: str, subject_part: str) -> EmailMessage:
    """The first e-mail to ``address`` whose subject holds ``subject_part``, waited for."""
    deadline = time.monotonic() + MAIL_WAIT
    while time.monotonic() < deadline:
        for recipients, message in _mails(catcher):
            if address in recipients and subject_part in str(message["subject"]):
                return message
        time.sleep(0.5)
    seen = [(recipients, str(message["subject"])) for recipients, message in _mails(catcher)]
    pytest.fail(f"no e-mail to {address} about {subject_part!r} within {MAIL_WAIT:.0f}s: {seen}")


def found(pattern: str, text: str) -> str:
    """The first group of ``pattern`` in ``text`` (the whole match without a group)."""
    match = re.search(pattern, text)
    assert match is not None, f"{pattern!r} not in {text!r}"
    return match.group(match.lastindex or 0)


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="主导航").get_by_role("link", name=name, exact=True).click()


def open_inbox(page: Page) -> None:
    page.get_by_role("navigation", name="主导航").get_by_role(
        "link", name=re.compile(r"^消息")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("消息")


def inbox_item(page: Page, text: str):
    return page.locator("ul.message-list li.message-item", has_text=text)


# --- 1. 补正, correction, acceptance, the 受理通知书's QR -------------------------------------


def test_correction_resubmission_and_acceptance_notice(open_page, smtp_catcher, qr_tools, tmp_path):
    # --- the applicant asks for e-mail copies -------------------------------------------------
    org = open_page()
    log_in(org, "org_binhu")
    open_inbox(org)
    org.locator(".inbox-head").get_by_role("link", name="消息接收设置").click()
    expect(org.get_by_role("heading", level=1)).to_have_text("消息接收设置")
    org.get_by_label("站内消息和电子邮件").check()
    org.get_by_label("电子邮箱").fill(BINHU_EMAIL)
    org.get_by_label("当前登录密码").fill(DEMO_PASSWORD)  # the reset address: asked again
    both_screenshots(org, "service-message-settings")
    org.get_by_role("button", name="保存").click()
    expect(org.locator("main .message")).to_contain_text("消息接收设置已保存")
    expect(org.locator(".inbox-head")).to_contain_text("接收方式：站内消息和电子邮件")

    # --- the bureau asks for 补正 of a field and a material, all at once -------------------------
    officer = open_page()
    log_in(officer, "hefei_bureau")
    officer.get_by_role("link", name="进入办理列表").click()
    row = officer.locator("table.worklist tbody tr", has_text=BINHU)
    expect(row).to_contain_text("已提交")
    case_number = found(r"BA-\d{4}-\d{4}-\d{6}", row.inner_text())
    row.get_by_role("link", name=BINHU).click()
    expect(officer).to_have_url(re.compile(r"/review/filings/\d+$"))
    case_id = found(r"/review/filings/(\d+)$", officer.url)
    expect(officer.locator("[data-case-number]").first).to_have_text(case_number)
    officer.get_by_text("一次性告知补正…").click()
    form = officer.locator("form[data-correction-form]")
    form.get_by_label(PHONE_ITEM, exact=True).check()
    form.get_by_label(f"补正要求（{PHONE_ITEM}）").fill(
        "联系电话无法接通，请填写经办人可接通的固定电话或手机号码。"
    )
    form.get_by_label(EXPERTS_ITEM, exact=True).check()
    form.get_by_label(f"补正要求（{EXPERTS_ITEM}）").fill(
        "考评人员名单缺少职业技能等级证书编号，请补充后重新上传。"
    )
    both_screenshots(officer, "service-correction-form")
    form.get_by_role("button", name="一次性告知补正").click()
    expect(officer.locator("main .message")).to_contain_text("已一次性告知需要补正的全部内容")
    expect(officer.locator(".status-line")).to_contain_text("待补正")
    items = officer.locator("[data-correction-items] li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text(PHONE_ITEM)
    expect(items.nth(1)).to_contain_text(EXPERTS_ITEM)
    documents = officer.locator("section.formal-documents")
    notice = documents.locator("tbody tr", has_text="补正告知书")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("有效")
    # No second 补正 on the same submission: the form is gone.
    expect(officer.locator("form[data-correction-form]")).to_have_count(0)

    # --- the applicant: the message, its e-mail copy, the highlighted items -----------------------
    org.goto("/dashboard")
    unread = org.locator("nav [data-unread-messages]")
    expect(unread).to_have_text("1")
    open_inbox(org)
    message = inbox_item(org, f"备案申请 {case_number} 需要补正")
    expect(message).to_contain_text("一次性告知需要补正的内容共 2 项")
    expect(message.locator(".badge", has_text="未读")).to_be_visible()
    both_screenshots(org, "service-inbox-applicant")
    mail = wait_for_mail(smtp_catcher, BINHU_EMAIL, f"备案申请 {case_number} 需要补正")
    body = mail.get_content()
    assert "一次性告知需要补正的内容共 2 项" in body, body
    assert f"/org/filings/{case_id}" in body, body
    message.get_by_role("button", name="前往办理").click()

    expect(org).to_have_url(re.compile(rf"/org/filings/{case_id}$"))
    expect(org.locator("nav [data-unread-messages]")).to_have_count(0)  # read once opened
    banner = org.locator("[data-correction-banner]")
    expect(banner).to_contain_text("共 2 项")
    expect(banner.locator("li")).to_have_count(2)
    banner.locator("li", has_text=PHONE_ITEM).get_by_role("link").click()
    expect(org).to_have_url(re.compile(r"step=basic$"))
    phone = org.locator("label.needs-correction", has_text="联系电话")
    expect(phone).to_contain_text("需补正：联系电话无法接通")
    both_screenshots(org, "service-wizard-highlight")
    org.get_by_label("联系电话").fill("0551-62628888")
    org.get_by_role("button", name="保存并继续").click()
    expect(org.locator("main .message")).to_contain_text("已保存草稿")

    org.goto(f"/org/filings/{case_id}/edit?step=materials")
    experts = org.locator("li[data-material=experts]")
    expect(experts).to_have_class(re.compile(r"\bneeds-correction\b"))
    expect(experts.locator(".correction-note")).to_contain_text("缺少职业技能等级证书编号")
    both_screenshots(org, "service-wizard-materials-highlight")
    pdf = tmp_path / "experts-with-certificates.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    experts.locator("input[type=file]").set_input_files(str(pdf))
    experts.get_by_role("button", name="重新上传").click()
    expect(org.locator("li[data-material=experts] .file-line")).to_contain_text(pdf.name)
    org.get_by_role("link", name="下一步：核对提交").click()
    expect(org).to_have_url(re.compile(r"step=review$"))
    org.get_by_role("button", name="提交申请").click()
    expect(org).to_have_url(re.compile(rf"/org/filings/{case_id}$"))
    expect(org.locator("main .message")).to_contain_text("申请已提交")
    expect(org.locator(".status-line")).to_contain_text("已提交")
    expect(org.locator("[data-correction-banner]")).to_have_count(0)

    # --- the bureau accepts: the 受理通知书 with its 文号 ----------------------------------------
    officer.goto("/dashboard")
    open_inbox(officer)
    resubmitted = inbox_item(officer, f"收到备案申请 {case_number}").filter(
        has_text="补正后重新提交"
    )
    expect(resubmitted).to_have_count(1)
    officer.goto("/review/filings")
    officer.locator("table.worklist tbody tr", has_text=BINHU).get_by_role(
        "link", name=BINHU
    ).click()
    expect(officer.locator(".status-line")).to_contain_text("已提交")
    expect(officer.locator("main")).to_contain_text("0551-62628888")
    officer.get_by_role("button", name="受理", exact=True).click()
    expect(officer.locator("main .message")).to_contain_text("已受理，并出具受理通知书")
    acceptance = officer.locator("section.formal-documents tbody tr", has_text="受理通知书")
    expect(acceptance).to_have_count(1)
    number = acceptance.locator("td[data-label=文号]").inner_text().strip()
    assert number, "the 受理通知书 has no 文号"
    with officer.expect_download() as download:
        acceptance.get_by_role("link", name="PDF").click()
    notice_pdf = tmp_path / "受理通知书.pdf"
    download.value.save_as(notice_pdf)
    assert notice_pdf.read_bytes().startswith(b"%PDF")

    # --- its QR code opens the public page: genuine and current ------------------------------
    address = e2e.read_qr(notice_pdf, qr_tools)
    path = urlsplit(address).path
    assert re.fullmatch(r"/documents/[\w-]+", path), address
    public = open_page()
    public.goto(path)
    expect(public.get_by_role("heading", level=1)).to_have_text("文书核验")
    expect(public.locator("#verdict-title")).to_have_text("文书有效")
    expect(public.locator("[data-field=title]")).to_have_text("受理通知书")
    expect(public.locator("[data-field=number]")).to_have_text(number)
    expect(public.locator("[data-field=status]")).to_contain_text("有效")
    expect(public.locator("[data-field=recipient]")).to_contain_text(BINHU)
    both_screenshots(public, "service-document-public")
    # A code that does not exist answers like a forged one.
    public.goto("/documents/NOSUCHCODE0000")
    expect(public.locator("#verdict-title")).to_have_text("无法核验")

    # --- what reached the applicant --------------------------------------------------------------
    org.goto("/dashboard")
    open_inbox(org)
    expect(inbox_item(org, f"备案申请 {case_number} 需要补正")).to_have_count(1)
    accepted = inbox_item(org, f"备案申请 {case_number} 已受理")
    expect(accepted).to_contain_text("受理通知书已出具")
    org.goto(f"/org/filings/{case_id}")
    expect(org.locator("section.formal-documents")).to_contain_text("受理通知书")
    expect(org.locator("section.formal-documents")).to_contain_text(number)


# --- 2. the center returns a plan, the organization refiles it, the center receives it -------


def test_plan_returned_with_reasons_refiled_and_received(open_page):
    center = open_page()
    log_in(center, "hefei_center")
    nav(center, "认定批次")
    waiting = center.locator("table.batch-worklist tbody tr", has_text="计划签收期限")
    expect(waiting).to_have_count(1)  # the demo's plan filed yesterday
    plan_number = waiting.locator(".case-numbers").inner_text().strip()
    waiting.get_by_role("link").first.click()
    expect(center).to_have_url(re.compile(r"/review/batches/\d+$"))
    batch_id = found(r"/review/batches/(\d+)$", center.url)
    receipt = center.locator("#receipt")
    expect(receipt).to_contain_text("待合肥市职业技能鉴定中心签收")
    reasons = receipt.get_by_label("退回理由（请一次列出全部问题，每行一条）")
    reasons.fill(
        "认定地点与备案的考核场所不一致，请核实后填写。\n考评人员配比不足 1:15，请补充考评人员。"
    )
    both_screenshots(center, "service-plan-return-form")
    receipt.get_by_role("button", name="退回").click()
    expect(center.locator("main .message")).to_contain_text("已退回认定计划")
    expect(center.locator("table.batch-worklist tbody tr", has_text="计划签收期限")).to_have_count(
        0
    )

    # --- the organization: the message, both reasons, a corrected plan filed anew ---------------
    org = open_page()
    log_in(org, "org_hefei")
    open_inbox(org)
    returned = inbox_item(org, "认定计划被退回：").filter(has_text=plan_number)
    expect(returned).to_have_count(1)
    returned.get_by_role("button", name="前往办理").click()
    expect(org).to_have_url(re.compile(rf"/org/batches/{batch_id}$"))
    listed = org.locator("#receipt ol.return-reasons li")
    expect(listed).to_have_count(2)
    expect(listed.nth(0)).to_contain_text("认定地点与备案的考核场所不一致")
    expect(listed.nth(1)).to_contain_text("考评人员配比不足 1:15")
    expect(org.locator(".status-line")).to_contain_text("草稿")
    both_screenshots(org, "service-plan-returned-reasons")
    org.get_by_role("link", name="修改计划").click()
    expect(org).to_have_url(re.compile(r"step=plan$"))
    org.get_by_label("认定地点（详细地址）").fill("合肥市包河区徽州大道 1 号备案考核场所")
    org.get_by_label("第 4 行 角色").select_option(label="考评人员")
    org.get_by_label("第 4 行 姓名").fill("吴考评")
    org.get_by_label("第 4 行 证件号码").fill("340104197401090897")
    org.get_by_role("button", name="保存并导入考生").click()
    expect(org.locator("main .message")).to_contain_text("已保存批次计划")
    org.get_by_role("link", name="下一步：核对报备").click()
    expect(org).to_have_url(re.compile(r"step=review$"))
    org.get_by_role("button", name="报备计划").click()
    expect(org).to_have_url(re.compile(rf"/org/batches/{batch_id}$"))
    expect(org.locator("main .message")).to_contain_text("计划已报备合肥市职业技能鉴定中心")
    expect(org.get_by_role("heading", level=1)).to_contain_text(plan_number)

    # --- the center receives it ------------------------------------------------------------
    center.goto(f"/review/batches/{batch_id}")
    expect(center.locator("main")).to_contain_text("合肥市包河区徽州大道 1 号备案考核场所")
    center.locator("#receipt").get_by_role("button", name="签收", exact=True).click()
    expect(center.locator("main .message")).to_contain_text("已签收认定计划")
    expect(center.locator("#receipt")).to_contain_text("已于 2026-09-18 由合肥市职业技能鉴定中心")
    expect(center.locator("#receipt form")).to_have_count(0)

    org.goto("/dashboard")
    open_inbox(org)
    expect(inbox_item(org, "认定计划被退回：").filter(has_text=plan_number)).to_have_count(1)
    expect(inbox_item(org, "认定计划已签收：").filter(has_text=plan_number)).to_have_count(1)
    both_screenshots(org, "service-inbox-organization")


# --- 3. an objection followed by its reference ----------------------------------------------


def test_objection_lodged_followed_and_resolved(open_page):
    public = open_page()
    public.goto("/")
    nav(public, "公示公告")
    public.get_by_role("link", name=f"{JIANGCHENG}首次备案公示").click()
    expect(public).to_have_url(re.compile(r"/notices/\d+$"))
    public.get_by_text("对此公示提出异议").click()
    public.get_by_label("异议内容（请写明事实和理由）").fill(
        "该校申报的考评人员中有两人已于今年离职，实际不在岗。"
    )
    public.get_by_label("联系方式（姓名和电话，仅供处理机关核实）").fill("陈女士 13905530000")
    public.get_by_role("button", name="提交异议").click()

    expect(public.get_by_role("heading", level=1)).to_have_text("异议已提交")
    reference = public.locator("[data-reference]").inner_text().strip()
    code = public.locator("[data-code]").inner_text().strip()
    assert re.fullmatch(r"YY-\d{4}-\d{4}-\d{6}", reference), reference
    assert code, "no lookup code shown"
    both_screenshots(public, "service-objection-reference")
    public.get_by_role("link", name="查询异议办理情况").click()
    expect(public).to_have_url(re.compile(r"/objections/lookup"))
    public.get_by_label("办件编号").fill(reference)
    public.get_by_label("查询码").fill(code)
    public.get_by_role("button", name="查询").click()
    answer = public.locator("[data-objection-state]")
    expect(answer.locator("[data-reference]")).to_have_text(reference)
    expect(answer).to_contain_text("处理中")
    # A wrong code shows nothing of the objection.
    public.get_by_label("办件编号").fill(reference)
    public.get_by_label("查询码").fill("WRONG-CODE")
    public.get_by_role("button", name="查询").click()
    expect(public.locator("[data-objection-state]")).to_have_count(0)

    # --- the bureau: its message, the case page, the resolution ---------------------------------
    officer = open_page()
    log_in(officer, "wuhu_bureau")
    expect(officer.locator("nav [data-unread-messages]")).to_be_visible()
    open_inbox(officer)
    lodged = inbox_item(officer, f"收到公示期异议 {reference}")
    expect(lodged).to_contain_text(JIANGCHENG)
    officer.goto("/review/filings")
    officer.locator("table.worklist tbody tr", has_text=JIANGCHENG).get_by_role(
        "link", name=JIANGCHENG
    ).first.click()
    expect(officer).to_have_url(re.compile(r"/review/filings/\d+$"))
    objection = officer.locator("ul.objections li", has_text=reference)
    expect(objection).to_contain_text("考评人员中有两人已于今年离职")
    expect(objection).to_contain_text("陈女士 13905530000")
    objection.get_by_label("异议不成立").check()
    objection.get_by_label("处理意见").fill(
        "经核查社保缴纳记录，所列两名考评人员仍在该校任职，异议不成立。"
    )
    objection.get_by_role("button", name="提交处理意见").click()
    expect(officer.locator("main .message")).to_contain_text("已处理异议")
    expect(officer.locator("ul.objections li", has_text=reference)).to_contain_text(
        "经核查社保缴纳记录"
    )

    # --- the objector follows it up by reference ----------------------------------------------
    public.goto("/objections/lookup")
    public.get_by_label("办件编号").fill(reference)
    public.get_by_label("查询码").fill(code)
    public.get_by_role("button", name="查询").click()
    answer = public.locator("[data-objection-state]")
    expect(answer).to_contain_text("已办结")
    expect(answer.locator("[data-outcome]")).to_have_text("异议不成立")
    expect(answer).to_contain_text("经核查社保缴纳记录，所列两名考评人员仍在该校任职")
    both_screenshots(public, "service-objection-lookup")


# --- 4. an inspection ended by the withdrawal of its plan ------------------------------------


def test_an_inspection_ends_with_its_withdrawn_plan(open_page):
    """The demo's plan 合肥 drew for an on-site check, then withdrawn by org_hefei two days ago:
    the inspector finds the task 已终止 with the reason, the bureau under 已终止 and in its
    messages; the organization sees its plan withdrawn and never the inspection."""
    checker = open_page()
    log_in(checker, "inspector_hefei")
    nav(checker, "检查任务")
    done = checker.locator("section.past")
    row = done.locator("tbody tr", has_text="已终止")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("认定计划撤回，检查终止")
    row.get_by_role("link", name=re.compile(r"^检查 #")).click()
    expect(checker).to_have_url(re.compile(r"/inspector/inspections/\d+$"))
    inspection_id = found(r"/inspections/(\d+)$", checker.url)
    ended = checker.locator(".notice.ended")
    expect(ended).to_contain_text("检查已终止")
    expect(ended).to_contain_text("撤回认定计划")
    expect(checker.locator(".finding-form")).to_have_count(0)
    both_screenshots(checker, "service-inspection-ended")

    bureau = open_page()
    log_in(bureau, "hefei_bureau")
    open_inbox(bureau)
    expect(inbox_item(bureau, "监督检查已终止")).to_have_count(1)
    bureau.goto("/review/supervision/inspections?show=ended")
    listed = bureau.locator("main table tbody tr", has_text=f"#{inspection_id}")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("已终止")

    org = open_page()
    log_in(org, "org_hefei")
    org.goto("/org/inspections")
    expect(org.locator("main")).not_to_contain_text(f"检查 #{inspection_id}")
    expect(org.locator("main")).not_to_contain_text("已终止")


# --- 5. 好差评: a finished case rated, the bureau reads and exports the ratings ----------------


def test_a_finished_case_is_rated_and_the_bureau_exports_the_ratings(open_page, tmp_path):
    import openpyxl

    comment = "撤回申请的手续简便，页面提示清楚。"
    org = open_page()
    log_in(org, "org_feixi")  # its application, withdrawn in the demo: a finished case
    nav(org, "我的申请")
    withdrawn = org.locator("main table tbody tr", has_text="已撤回")
    expect(withdrawn).to_have_count(1)
    withdrawn.get_by_role("link", name="查看").click()
    expect(org).to_have_url(re.compile(r"/org/filings/\d+$"))
    case_number = found(r"BA-\d{4}-\d{4}-\d{6}", org.locator("main").inner_text())
    card = org.locator("section.rating-card")
    expect(card).to_contain_text("本事项已办结")
    card.get_by_label("4 分 满意").check()
    card.get_by_label("评价内容（选填）").fill(comment)
    both_screenshots(org, "service-rating-form")
    card.get_by_role("button", name="提交评价").click()
    expect(org.locator("main .message")).to_contain_text("感谢您的评价")
    expect(org.locator("section.rating-card [data-rated]")).to_contain_text("4 分（满意）")
    expect(org.locator("section.rating-card form")).to_have_count(0)  # once only

    bureau = open_page()
    log_in(bureau, "hefei_bureau")
    bureau.goto("/review/ratings")
    expect(bureau.get_by_role("heading", level=1)).to_have_text("好差评统计")
    mine = bureau.locator(".rating-comment-item", has_text=comment)
    expect(mine).to_contain_text(f"备案申请 {case_number}")  # named by its case number
    both_screenshots(bureau, "service-ratings")
    with bureau.expect_download() as waiting:
        bureau.get_by_role("link", name=re.compile("导出 Excel")).click()
    saved = tmp_path / "ratings.xlsx"
    waiting.value.save_as(saved)
    book = openpyxl.load_workbook(saved)
    rows = [list(row) for row in book["评价明细"].iter_rows(values_only=True)]
    exported = [row for row in rows if row[6] == comment]
    assert len(exported) == 1, rows
    assert exported[0][1:6] == ["合肥市", "备案申请", case_number, 4, "满意"]
    assert exported[0][7] == "肥西县职业技能培训中心"
    assert book["评价汇总"]["A2"].value == "合肥市"
