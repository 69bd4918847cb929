"""The batch pages: who sees which, the plan wizard and the Excel upload, the buttons of each
state, results, publicity and objections, certificate numbers, inspections and segments.

Each refused request is checked for what did not change.
"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from skillcert.accounts.services import add_user
from skillcert.assessment import excel
from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.assessment.models import Batch, Inspection
from skillcert.assessment.services import plans, results
from skillcert.assessment.workflow import BUTTON_ACTIONS, RECEIPT_ACTIONS
from skillcert.audit.service import SYSTEM
from skillcert.certificates.models import Certificate, Segment
from skillcert.certificates.services.issuing import issue_batch
from skillcert.ops.samples import sample_batch, sample_id_number
from skillcert.registry.models import Objection
from tests.assessment.factories import (
    PLAN_DAY,
    START,
    batch_in,
    filed_organization,
    scores_for,
    segments_for,
)
from tests.conftest import PASSWORD
from tests.support.pages import buttons, client_of, html

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization(occupation_catalog, org_user, city_bureau, today):
    return filed_organization(org_user, city_bureau, today)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html(response)))


def walk(state: str, organization, org_user, province_center, today) -> Batch:
    """A batch in any state, the last two through issuing and result filing."""
    if state in {"certificates_issued", "results_filed"}:
        batch = batch_in("publicity_closed", organization, org_user, today)
        segments_for(organization, province_center)
        issue_batch(batch, actor=org_user)
        if state == "results_filed":
            today("2026-11-12")
            results.file_results(Batch.objects.get(pk=batch.pk), actor=org_user)
        return Batch.objects.select_related("organization", "site_city").get(pk=batch.pk)
    return batch_in(state, organization, org_user, today)


def roster(rows: list[list[object]]) -> bytes:
    """The candidates template filled in with openpyxl, as a person would."""
    workbook = openpyxl.load_workbook(io.BytesIO(excel.candidates_template()))
    sheet = workbook.worksheets[0]
    for index, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=index, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def person(index: int, level: object = "三级/高级工", **changes: object) -> list[object]:
    values = {
        "姓名": f"考生{index}",
        "证件类型": "居民身份证",
        "证件号码": sample_id_number(index),
        "所在单位": "合肥示例制造有限公司",
        "考生所在地市": "合肥市",
        "职业编码": "6-18-02-04",
        "工种": "",
        "申报等级": level,
        "考生来源": "企业职工",
        **changes,
    }
    header = [
        c.value
        for c in openpyxl.load_workbook(io.BytesIO(excel.candidates_template())).worksheets[0][1]
    ]
    return [values.get(name, "") for name in header]


def xlsx(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=excel.XLSX_CONTENT_TYPE)


def plan_post(**changes: str) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "2026年第11期焊工认定",
        "start_date": START,
        "end_date": "2026-11-03",
        "site_city": "01",
        "site_address": "合肥市蜀山区长江西路 100 号",
        "overview": "理论知识机考，操作技能现场考核。",
        "items": ["6-18-02-04||3", "6-18-02-04||4"],
        "subj-TOTAL_FORMS": "3",
        "subj-INITIAL_FORMS": "0",
        "subj-0-name": "理论知识",
        "subj-0-pass_mark": "60",
        "subj-1-name": "操作技能",
        "subj-1-pass_mark": "",
        "subj-2-name": "",
        "subj-2-pass_mark": "",
        "staff-TOTAL_FORMS": "4",
        "staff-INITIAL_FORMS": "0",
        "go": "next",
    }
    staff = [
        ("proctor", "钱监考", sample_id_number(900_001)),
        ("examiner", "孙考评", sample_id_number(900_002)),
        ("quality_supervisor", "周督导", sample_id_number(900_003)),
        ("proctor", "", ""),
    ]
    for index, (role, name, number) in enumerate(staff):
        data[f"staff-{index}-role"] = role
        data[f"staff-{index}-name"] = name
        data[f"staff-{index}-id_type"] = "201"
        data[f"staff-{index}-id_number"] = number
    data.update(changes)
    return data


# --- who sees what ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/org/batches",
        "/org/batches/new",
        "/org/batches/1",
        "/org/batches/1/edit?step=candidates",
        "/org/batches/candidates-template.xlsx",
        "/org/batches/1/results-template.xlsx",
        "/batches/1/annex4.xlsx",
        "/review/batches",
        "/review/batches/1",
        "/review/segments",
    ],
)
def test_anonymous_visitors_are_sent_to_login(client: Client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login?next=")


def test_each_page_renders_for_its_role_and_refuses_the_others(
    organization, org_user, city_center, inspector, province_center, today
):
    batch = batch_in("plan_filed", organization, org_user, today)
    owner, center = client_of(org_user), client_of(city_center)
    for path in ("/org/batches", f"/org/batches/{batch.pk}", "/org/batches/new"):
        assert owner.get(path).status_code == 200, path
    for path in ("/review/batches", f"/review/batches/{batch.pk}"):
        assert center.get(path).status_code == 200, path
        assert client_of(inspector).get(path).status_code == 200, path
        assert owner.get(path).status_code == 403, path
    assert center.get("/org/batches").status_code == 403
    assert center.get(f"/org/batches/{batch.pk}").status_code == 403
    assert client_of(province_center).get("/review/segments").status_code == 200
    assert center.get("/review/segments").status_code == 403
    assert client_of(inspector).get("/review/segments").status_code == 403


def test_batches_of_others_are_404(
    organization, org_user, other_org_user, other_city_bureau, today, authorities
):
    batch = batch_in("plan_filed", organization, org_user, today)
    other = client_of(other_org_user)
    for path in (
        f"/org/batches/{batch.pk}",
        f"/org/batches/{batch.pk}/edit?step=plan",
        f"/org/batches/{batch.pk}/results-template.xlsx",
        f"/batches/{batch.pk}/annex4.xlsx",
    ):
        response = other.get(path)
        assert response.status_code == 404, path
        assert "页面不存在" in html(response)
    response = other.post(f"/org/batches/{batch.pk}/act", {"action": "publicize"})
    assert response.status_code == 404
    wuhu = client_of(other_city_bureau)
    assert wuhu.get(f"/review/batches/{batch.pk}").status_code == 404
    wuhu_inspector = add_user(
        "wh_inspector", password=PASSWORD, role="inspector", authority="02", actor=SYSTEM
    )
    response = client_of(wuhu_inspector).post(
        f"/review/batches/{batch.pk}/inspections", {"stage": "理论", "findings": "正常"}
    )
    assert response.status_code == 404
    assert wuhu.get("/review/batches").status_code == 200
    assert batch.title not in html(wuhu.get("/review/batches"))
    batch.refresh_from_db()
    assert batch.state == "plan_filed" and not Inspection.objects.exists()


def test_drafts_stay_with_the_organization(organization, org_user, city_center, today):
    batch = batch_in("draft", organization, org_user, today)
    center = client_of(city_center)
    assert center.get(f"/review/batches/{batch.pk}").status_code == 404
    assert batch.title not in html(center.get("/review/batches"))


# --- the organization's list and wizard ---------------------------------------------------------


def test_list_shows_state_and_next_deadline(organization, org_user, today):
    batch = batch_in("draft", organization, org_user, today)
    page = text(client_of(org_user).get("/org/batches"))
    assert batch.title in page and "草稿" in page
    assert "计划报备截止 2026-10-19（还剩 5 个工作日）" in page
    detail = text(client_of(org_user).get(f"/org/batches/{batch.pk}"))
    assert "计划报备截止 2026-10-19（还剩 5 个工作日）" in detail


def test_publicity_and_result_filing_deadlines(organization, org_user, province_center, today):
    batch = batch_in("in_publicity", organization, org_user, today)
    owner = client_of(org_user)
    assert "结果公示截止 2026-11-10（还剩 6 天）" in text(owner.get(f"/org/batches/{batch.pk}"))
    today("2026-11-11")  # over: reading the batch closes it, result filing runs
    assert "结果报备期限 2026-11-24" in text(owner.get("/org/batches"))
    assert Batch.objects.get(pk=batch.pk).state == "publicity_closed"
    segments_for(organization, province_center)
    issue_batch(Batch.objects.get(pk=batch.pk), actor=org_user)
    today("2026-11-25")
    page = text(owner.get(f"/org/batches/{batch.pk}"))
    assert "结果报备期限 2026-11-24（已超期" in page and "逾期" in page
    response = owner.post(f"/org/batches/{batch.pk}/act", {"action": "file-results"}, follow=True)
    assert "已记为逾期报备" in text(response)
    assert "逾期报备" in text(owner.get("/org/batches"))
    assert Batch.objects.get(pk=batch.pk).late is True


def test_plan_form_offers_only_the_filed_scope(organization, org_user, today):
    today(PLAN_DAY)
    page = html(client_of(org_user).get("/org/batches/new"))
    values = set(re.findall(r'name="items" value="([^"]+)"', page))
    scope = {
        f"{s.occupation_code}|{s.work_type}|{level}"
        for s in organization.scope_items.all()
        for level in s.levels
    }
    assert values == scope and "6-18-02-04||3" in values
    cities = re.findall(
        r'<option value="(\d\d)"', page.split('name="site_city"')[1].split("</select>")[0]
    )
    assert cities == ["01"]


def test_wizard_creates_a_draft_and_saves_the_plan(organization, org_user, today):
    today(PLAN_DAY)
    owner = client_of(org_user)
    response = owner.post("/org/batches/new", plan_post())
    batch = Batch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/org/batches/{batch.pk}/edit?step=candidates"
    assert batch.subjects == ["理论知识", "操作技能"]
    assert [(i.occupation_code, i.level) for i in batch.items.all()] == [
        ("6-18-02-04", 3),
        ("6-18-02-04", 4),
    ]
    assert sorted(batch.staff.values_list("role", flat=True)) == [
        "examiner",
        "proctor",
        "quality_supervisor",
    ]
    page = html(owner.get(f"/org/batches/{batch.pk}/edit?step=plan"))
    assert 'value="2026年第11期焊工认定"' in page and 'value="钱监考"' in page


def test_wizard_errors_are_shown_next_to_the_fields_and_nothing_is_saved(
    organization, org_user, today
):
    today(PLAN_DAY)
    owner = client_of(org_user)
    bad_staff = plan_post(end_date="2026-10-01", **{"staff-1-id_number": "340104199001011230"})
    response = owner.post("/org/batches/new", bad_staff)
    assert response.status_code == 400
    page = html(response)
    end_field = page.split('name="end_date"')[1].split("</label>")[0]
    assert "结束日期不能早于开始日期" in end_field
    assert not Batch.objects.exists()
    # An occupation outside the filed scope cannot be chosen, even by a crafted request.
    response = owner.post("/org/batches/new", plan_post(items=["6-18-01-01||3"]))
    assert response.status_code == 400 and not Batch.objects.exists()


def test_staff_error_is_shown_on_its_row(organization, org_user, today):
    batch = batch_in("draft", organization, org_user, today)
    before = list(batch.staff.values_list("name", "id_number"))
    wrong = sample_id_number(900_002)[:-1] + ("0" if sample_id_number(900_002)[-1] != "0" else "1")
    response = client_of(org_user).post(
        f"/org/batches/{batch.pk}/edit?step=plan", plan_post(**{"staff-1-id_number": wrong})
    )
    assert response.status_code == 400
    rows = html(response).split("data-staff-row")
    assert "field-error" in rows[2] and "field-error" not in rows[1]
    assert list(batch.staff.values_list("name", "id_number")) == before


def test_bad_excel_upload_lists_every_bad_row_and_changes_nothing(
    organization, org_user, other_org_user, today
):
    batch = batch_in("draft", organization, org_user, today)
    before = list(batch.candidates.values_list("id_number", flat=True))
    bad_number = sample_id_number(11)[:-1] + ("0" if sample_id_number(11)[-1] != "0" else "1")
    content = roster(
        [
            person(10),
            person(11, **{"证件号码": bad_number}),
            person(12, level="一级/高级技师"),
            person(13, **{"考生所在地市": "南京市"}),
        ]
    )
    owner = client_of(org_user)
    response = owner.post(
        f"/org/batches/{batch.pk}/candidates", {"file": xlsx("名单.xlsx", content)}
    )
    assert response.status_code == 400
    page = text(response)
    assert "整批未导入" in page and "共 3 处" in page
    for row, column in ((3, "证件号码"), (4, "申报等级"), (5, "考生所在地市")):
        assert f"第 {row} 行{column}" in page
    assert list(batch.candidates.values_list("id_number", flat=True)) == before
    link = re.search(r'href="([^"]+)" data-report', html(response)).group(1)
    assert link.startswith(f"/org/batches/{batch.pk}/reports/candidates/")
    report = owner.get(link)
    assert report.status_code == 200 and report["Content-Type"] == excel.XLSX_CONTENT_TYPE
    assert client_of(other_org_user).get(link).status_code == 404
    assert (
        owner.get(link.replace("/reports/candidates/", "/reports/candidates/x")).status_code == 404
    )


def test_not_an_excel_file_is_explained(organization, org_user, today):
    batch = batch_in("draft", organization, org_user, today)
    response = client_of(org_user).post(
        f"/org/batches/{batch.pk}/candidates", {"file": xlsx("名单.xlsx", b"not a workbook")}
    )
    assert response.status_code == 400
    assert "不是有效的 Excel 工作簿" in text(response)
    assert batch.candidates.count() == 6


HREF = re.compile(r'href="([^"]*)"')
POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>")


def relative_links(response) -> list[str]:
    """Links that resolve against the page's own URL: after a failed POST, the upload URL."""
    return [
        href
        for href in HREF.findall(html(response))
        if not href.startswith(("/", "http://", "https://", "#", "mailto:"))
    ]


def test_after_a_failed_upload_the_step_links_lead_to_the_wizard(organization, org_user, today):
    """The page of a refused roster answers the upload's POST URL: 上一步, 下一步 and the
    step list must still open the wizard's steps (a relative ?step= link gave a 405)."""
    batch = batch_in("draft", organization, org_user, today)
    owner = client_of(org_user)
    response = owner.post(
        f"/org/batches/{batch.pk}/candidates", {"file": xlsx("名单.xlsx", b"not a workbook")}
    )
    assert response.status_code == 400
    assert relative_links(response) == []
    wizard = f"/org/batches/{batch.pk}/edit"
    steps = {href.replace("&amp;", "&") for href in HREF.findall(html(response)) if "step=" in href}
    assert steps == {f"{wizard}?step=plan", f"{wizard}?step=candidates", f"{wizard}?step=review"}
    for link in steps:
        assert owner.get(link).status_code == 200, link
    page = html(response)
    assert f'href="{wizard}?step=plan">上一步：批次计划' in page
    assert f'href="{wizard}?step=review">下一步：核对报备' in page
    review = owner.get(f"{wizard}?step=review")
    assert f'href="{wizard}?step=candidates">上一步：考生名单' in html(review)


def test_after_a_failed_results_upload_no_link_or_form_points_at_the_upload(
    organization, org_user, today
):
    batch = batch_in("plan_filed", organization, org_user, today)
    today("2026-11-03")
    response = client_of(org_user).post(
        f"/org/batches/{batch.pk}/results", {"file": xlsx("成绩.xlsx", b"not a workbook")}
    )
    assert response.status_code == 400
    assert relative_links(response) == []
    forms = POST_FORM.findall(html(response))
    assert forms and all('action="/' in form for form in forms)


def test_good_upload_replaces_the_candidates(organization, org_user, today):
    batch = batch_in("draft", organization, org_user, today)
    owner = client_of(org_user)
    response = owner.post(
        f"/org/batches/{batch.pk}/candidates",
        {"file": xlsx("名单.xlsx", roster([person(20), person(21, level="4")]))},
    )
    assert response.status_code == 302
    assert sorted(batch.candidates.values_list("name", flat=True)) == ["考生20", "考生21"]
    page = text(owner.get(f"/org/batches/{batch.pk}/edit?step=candidates"))
    assert "考生名单（共 2 名）" in page and "考生21" in page
    template = owner.get("/org/batches/candidates-template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"


def test_review_checklist_comes_before_filing(organization, org_user, city_center, today):
    batch = batch_in("draft", organization, org_user, today)
    batch.staff.filter(role="quality_supervisor").delete()
    owner = client_of(org_user)
    page = html(owner.get(f"/org/batches/{batch.pk}/edit?step=review"))
    assert page.count('class="failed"') == 1 and "计划中没有安排内部质量督导员" in page
    assert re.search(r'data-action="submit"\s+disabled', page)
    response = owner.post(f"/org/batches/{batch.pk}/submit")
    assert response.status_code == 409 and "计划报备未通过" in text(response)
    assert Batch.objects.get(pk=batch.pk).state == "draft"

    plans.update_batch(batch, {"staff": sample_batch(START)["staff"]}, actor=org_user)
    page = html(owner.get(f"/org/batches/{batch.pk}/edit?step=review"))
    assert 'class="failed"' not in page and page.count('class="passed"') == 6
    response = owner.post(f"/org/batches/{batch.pk}/submit", follow=True)
    assert "计划已报备合肥市职业技能鉴定中心" in text(response)
    assert Batch.objects.get(pk=batch.pk).state == "plan_filed"
    assert batch.title in html(client_of(city_center).get("/review/batches"))
    # Filed: the wizard is closed.
    assert owner.get(f"/org/batches/{batch.pk}/edit?step=plan").status_code == 302


def test_late_plan_is_refused_in_the_checklist(organization, org_user, today):
    batch = batch_in("draft", organization, org_user, today)
    today("2026-10-20")
    page = text(client_of(org_user).get(f"/org/batches/{batch.pk}/edit?step=review"))
    assert "最迟 2026-10-19" in page and "报备前还需处理 1 项" in page


# --- the buttons of each state ------------------------------------------------------------------


STATES = [
    "draft",
    "plan_filed",
    "results_entered",
    "in_publicity",
    "publicity_closed",
    "certificates_issued",
    "results_filed",
]


@pytest.mark.parametrize("state", STATES)
def test_buttons_equal_allowed_actions(
    state, organization, org_user, city_center, inspector, province_center, today
):
    """The action bar shows exactly the button actions the workflow offers the reader now."""
    batch = walk(state, organization, org_user, province_center, today)
    assert batch.state == state
    owner_page = client_of(org_user).get(f"/org/batches/{batch.pk}")
    assert owner_page.status_code == 200
    expected = offered_buttons(batch, org_user)
    assert buttons(owner_page) == expected
    if state not in {"in_publicity", "results_filed"}:
        assert expected  # the organization's next step is a button
    if state == "in_publicity":
        assert "issue" not in expected  # time closes the publicity first
    if state == "plan_filed":  # filed today, before its start: it may still be withdrawn
        assert "withdraw" in expected
    if state != "draft":
        # Officers have no step of the batch's own; the city's appraisal center receives or
        # returns a plan or result filing it is still within 3 working days of (issue 14).
        receipts = {
            "plan_filed": {"receive", "return"},
            "results_filed": {"receive-results", "return-results"},
        }
        for officer in (city_center, inspector, province_center):
            page = client_of(officer).get(f"/review/batches/{batch.pk}")
            mine = receipts.get(state, set()) if officer == city_center else set()
            assert buttons(page) == offered_buttons(batch, officer) == mine, officer.role


# The page's buttons: the action bar's, the center's receipt and return, the withdrawal.
PAGE_BUTTONS = (*BUTTON_ACTIONS, *RECEIPT_ACTIONS, "withdraw")


def offered_buttons(batch: Batch, user) -> set[str]:
    return {t.action for t in BATCH_MACHINE.available(batch, user) if t.action in PAGE_BUTTONS}


def test_wrong_role_posts_change_nothing(organization, org_user, city_center, inspector, today):
    batch = batch_in("results_entered", organization, org_user, today)
    center = client_of(city_center)
    assert center.post(f"/org/batches/{batch.pk}/act", {"action": "publicize"}).status_code == 403
    owner = client_of(org_user)
    response = owner.post(
        f"/review/batches/{batch.pk}/inspections", {"stage": "阅卷", "findings": "正常"}
    )
    assert response.status_code == 403
    # A workflow step the state does not allow is refused with the reason.
    response = owner.post(f"/org/batches/{batch.pk}/act", {"action": "file-results"})
    assert response.status_code == 409 and "不能执行「结果报备」" in text(response)
    batch.refresh_from_db()
    assert batch.state == "results_entered" and not Inspection.objects.exists()
    assert owner.post(f"/org/batches/{batch.pk}/act", {"action": "nonsense"}).status_code == 404


# --- results, publicity, objections -------------------------------------------------------------


def test_scores_typed_on_the_page(organization, org_user, today):
    batch = batch_in("plan_filed", organization, org_user, today)
    today("2026-11-03")
    owner = client_of(org_user)
    candidates = list(batch.candidates.order_by("position"))
    response = owner.post(f"/org/batches/{batch.pk}/act", {"action": "results"})
    assert response.status_code == 400 and "请至少填写一名考生的成绩" in text(response)
    data = {"action": "results"}
    for index, c in enumerate(candidates):
        data[f"score-{c.pk}-0"] = "75"
        data[f"score-{c.pk}-1"] = "45" if index == 0 else "82.5"
    data[f"score-{candidates[1].pk}-1"] = "120"
    response = owner.post(f"/org/batches/{batch.pk}/act", data)
    assert response.status_code == 400
    row = html(response).split(f'name="score-{candidates[1].pk}-1"')[1].split("</td>")[0]
    assert "超出 0-100 的范围" in row and 'value="120"' in html(response)
    assert Batch.objects.get(pk=batch.pk).state == "plan_filed"
    assert not any(c.scores for c in batch.candidates.all())

    data[f"score-{candidates[1].pk}-1"] = "82.5"
    response = owner.post(f"/org/batches/{batch.pk}/act", data, follow=True)
    assert "已录入 6 名考生的成绩" in text(response)
    assert [c.passed for c in batch.candidates.order_by("position")] == [False] + [True] * 5
    page = text(response)
    assert "合格 5" in page and "不合格 1" in page


def test_attendance_marks_absent(organization, org_user, today):
    batch = batch_in("plan_filed", organization, org_user, today)
    today(START)
    absent = batch.candidates.order_by("position").first()
    response = client_of(org_user).post(
        f"/org/batches/{batch.pk}/act",
        {"action": "attendance", "absent": [absent.id_number]},
        follow=True,
    )
    assert "缺考 1 人" in text(response)
    absent.refresh_from_db()
    assert absent.attended is False and absent.passed is False


def test_results_template_and_bad_results_file(organization, org_user, today):
    batch = batch_in("plan_filed", organization, org_user, today)
    today("2026-11-03")
    owner = client_of(org_user)
    template = owner.get(f"/org/batches/{batch.pk}/results-template.xlsx")
    assert template.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(template.content))
    sheet = workbook.worksheets[0]
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=3, value=80)
        sheet.cell(row=row, column=4, value=150 if row == 3 else 70)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = owner.post(
        f"/org/batches/{batch.pk}/results", {"file": xlsx("成绩.xlsx", buffer.getvalue())}
    )
    assert response.status_code == 400
    assert "第 3 行操作技能成绩 150 超出 0-100 的范围" in text(response)
    link = re.search(r'href="([^"]+)" data-report', html(response)).group(1)
    assert owner.get(link).status_code == 200
    assert Batch.objects.get(pk=batch.pk).state == "plan_filed"


def test_publicity_notice_objection_and_resolution(
    organization, org_user, city_center, inspector, today
):
    batch = batch_in("in_publicity", organization, org_user, today)
    public = Client()
    listed = html(public.get("/notices"))
    own = re.search(r'href="(/notices/\d+)"', listed).group(1)
    page = html(public.get(own))
    assert '<div class="notice-table' in page
    passed = batch.candidates.filter(passed=True).first()
    assert f"<td>{passed.name}</td>" in page and passed.id_number not in page
    notice = re.search(r'action="/notices/(\d+)/objection"', page).group(1)
    response = public.post(f"/notices/{notice}/objection", {"content": "", "contact": ""})
    assert response.status_code == 400 and not Objection.objects.exists()
    response = public.post(
        f"/notices/{notice}/objection",
        {"content": "第二名考生未参加操作技能考试。", "contact": "王先生 13800000000"},
        follow=True,
    )
    assert "异议处理完毕前不予发证" in text(response)
    objection = Objection.objects.get(batch__isnull=False)

    # The inspector reads it but has no form; the organization does not see the contact.
    assert "提交处理意见" not in html(client_of(inspector).get(f"/review/batches/{batch.pk}"))
    owner_page = html(client_of(org_user).get(f"/org/batches/{batch.pk}"))
    assert "第二名考生" in owner_page and "13800000000" not in owner_page
    response = client_of(org_user).post(
        f"/review/batches/objections/{objection.pk}/resolve", {"upheld": "1", "reason": "x"}
    )
    assert response.status_code == 403

    center = client_of(city_center)
    page = html(center.get(f"/review/batches/{batch.pk}"))
    assert "13800000000" in page and "提交处理意见" in page
    response = center.post(
        f"/review/batches/objections/{objection.pk}/resolve", {"upheld": "1", "reason": ""}
    )
    assert response.status_code == 400 and "请填写处理意见" in text(response)
    objection.refresh_from_db()
    assert objection.state == "open"
    response = center.post(
        f"/review/batches/objections/{objection.pk}/resolve",
        {"upheld": "1", "reason": "经核实，该考生缺考，成绩录入有误。"},
        follow=True,
    )
    assert "异议成立" in text(response)
    assert Batch.objects.get(pk=batch.pk).state == "results_entered"


def test_issue_without_segments_explains_the_shortage(
    organization, org_user, province_center, today
):
    batch = batch_in("publicity_closed", organization, org_user, today)
    owner = client_of(org_user)
    page = text(owner.get(f"/org/batches/{batch.pk}"))
    assert "证书号段（2026 年）" in page and "不足" in page
    # Nobody has a photo: the page asks for confirmation first (tested below), given here.
    confirmed = {"action": "issue", "confirm_no_photos": "1"}
    response = owner.post(f"/org/batches/{batch.pk}/act", confirmed)
    assert response.status_code == 409
    page = text(response)
    assert "证书号段不足，未生成任何证书编号" in page and "号段剩余 0 个" in page
    assert not Certificate.objects.exists()
    assert Batch.objects.get(pk=batch.pk).state == "publicity_closed"

    segments_for(organization, province_center)
    response = owner.post(f"/org/batches/{batch.pk}/act", confirmed, follow=True)
    assert "已生成 5 个证书编号" in text(response)
    numbers = set(Certificate.objects.values_list("number", flat=True))
    page = html(response)
    assert numbers and all(number in page for number in numbers)
    assert owner.get(f"/batches/{batch.pk}/annex5.xlsx").status_code == 200


def test_annexes_for_the_center_not_for_inspectors(
    organization, org_user, city_center, inspector, today
):
    batch = batch_in("results_entered", organization, org_user, today)
    assert client_of(city_center).get(f"/batches/{batch.pk}/annex4.xlsx").status_code == 200
    assert client_of(city_center).get(f"/batches/{batch.pk}/annex5.xlsx").status_code == 404
    assert client_of(inspector).get(f"/batches/{batch.pk}/annex4.xlsx").status_code == 404
    assert "data-annex" not in html(client_of(inspector).get(f"/review/batches/{batch.pk}"))


# --- officers and inspectors --------------------------------------------------------------------


def test_inspector_lists_and_records_a_spot_check(organization, org_user, inspector, today):
    batch = batch_in("plan_filed", organization, org_user, today)
    client = client_of(inspector)
    page = text(client.get("/review/batches"))
    assert "我的检查批次" in page and batch.title in page
    response = client.post(
        f"/review/batches/{batch.pk}/inspections", {"stage": "理论知识考试", "findings": "正常"}
    )
    assert response.status_code == 409 and "开始后方可记录抽查" in text(response)
    today(START)
    response = client.post(f"/review/batches/{batch.pk}/inspections", {"stage": "", "findings": ""})
    assert response.status_code == 400 and "请填写抽查环节" in text(response)
    assert not Inspection.objects.exists()
    response = client.post(
        f"/review/batches/{batch.pk}/inspections",
        {"stage": "理论知识考试", "findings": "考场秩序良好。"},
        follow=True,
    )
    assert "已记录抽查情况" in text(response) and "考场秩序良好" in text(response)
    assert Inspection.objects.get().inspector == inspector


def test_province_sees_plans_copied_to_it(
    organization, org_user, province_dept, city_center, today
):
    today(PLAN_DAY)
    body = sample_batch(START)
    body["items"].append(
        {"occupation_code": "6-18-02-04", "occupation_name": "焊工", "work_type": "", "level": 2}
    )
    senior = plans.create_batch(organization, body, actor=org_user)
    plans.submit_plan(senior, actor=org_user)
    plain = batch_in("plan_filed", organization, org_user, today)
    province = client_of(province_dept)
    page = html(province.get("/review/batches"))
    assert page.count("抄报省中心</span>") == 1
    page = html(province.get("/review/batches?copied=1"))
    assert f"/review/batches/{senior.pk}" in page and f"/review/batches/{plain.pk}" not in page
    assert "抄报省中心</span>" not in html(client_of(city_center).get("/review/batches"))


def test_segments_are_allocated_by_the_provincial_center(
    organization, org_user, province_center, province_dept, today
):
    client = client_of(province_center)
    page = html(client.get("/review/segments"))
    assert organization.filing_number in page and "分配号段" in page
    data = {
        "organization": "",
        "filing_number": organization.filing_number,
        "year": "2026",
        "level": "3",
        "first": "1",
        "last": "100",
    }
    response = client.post("/review/segments", data, follow=True)
    assert "已分配号段" in text(response)
    segment = Segment.objects.get()
    assert (segment.organization, segment.first, segment.last) == (organization, 1, 100)
    response = client.post("/review/segments", {**data, "first": "50", "last": "120"})
    assert response.status_code == 409 and "重叠" in text(response)
    response = client.post("/review/segments", {**data, "filing_number": "S000034019999"})
    assert response.status_code == 404 and "未找到备案号" in text(response)
    assert Segment.objects.count() == 1
    dept = client_of(province_dept)
    assert "分配号段</button>" not in html(dept.get("/review/segments"))
    assert dept.post("/review/segments", data).status_code == 403
    assert Segment.objects.count() == 1
    page = text(client.get("/review/segments"))
    assert "000001-000100" in page and "100" in page


def test_dashboard_counts_batches(organization, org_user, city_center, inspector, today):
    batch_in("draft", organization, org_user, today)
    batch_in("plan_filed", organization, org_user, today)
    page = html(client_of(org_user).get("/dashboard"))
    assert re.search(r"计划待报备</span>\s*<strong class=\"count\">1</strong>", page)
    assert "/org/batches?state=draft" in page
    page = html(client_of(city_center).get("/dashboard"))
    assert re.search(r"计划已报备</span>\s*<strong class=\"count\">1</strong>", page)
    assert "/review/batches?state=plan_filed" in page and "计划待报备" not in page
    page = html(client_of(inspector).get("/dashboard"))
    assert re.search(r"可抽查的认定批次</span>\s*<strong class=\"count\">1</strong>", page)


def test_scores_for_is_the_factory_default(organization, org_user, today):
    """The factory's walk and the pages agree on who passed (five of six)."""
    batch = batch_in("results_entered", organization, org_user, today)
    assert len(scores_for(batch)["results"]) == 6
    page = text(client_of(org_user).get(f"/org/batches/{batch.pk}"))
    assert "合格 5" in page


def test_issuing_for_passers_without_photos_asks_for_confirmation(
    organization, org_user, province_center, today
):
    segments_for(organization, province_center)
    batch = batch_in("publicity_closed", organization, org_user, today)
    owner = client_of(org_user)
    page = text(owner.get(f"/org/batches/{batch.pk}"))
    names = list(batch.candidates.filter(passed=True).values_list("name", flat=True))
    assert "名合格人员还没有照片" in page and all(name in page for name in names)
    refused = owner.post(f"/org/batches/{batch.pk}/act", {"action": "issue"})
    assert refused.status_code == 400
    assert "没有照片" in text(refused) and names[0] in text(refused)
    assert not Certificate.objects.exists()
    assert Batch.objects.get(pk=batch.pk).state == "publicity_closed"
    done = owner.post(
        f"/org/batches/{batch.pk}/act",
        {"action": "issue", "confirm_no_photos": "1"},
        follow=True,
    )
    assert "已生成" in text(done) and Certificate.objects.count() == len(names)
