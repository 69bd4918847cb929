"""附件4 职业技能等级认定结果汇总表, built from a batch walked through the services.

``issued_batch`` (also used by the 附件5 tests) files an organization of 合肥 for 焊工, drafts
a batch with seven candidates, files the plan, records one absence and the scores, publishes
the results, waits out the publicity and numbers the certificates.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

import pytest
import xlsxwriter
from openpyxl import load_workbook

from skillcert.accounts.models import Authority
from skillcert.assessment.annex4 import BUREAU_BOX, CENTER_BOX, annex4
from skillcert.assessment.models import Batch
from skillcert.assessment.services.implementation import record_attendance
from skillcert.assessment.services.plans import create_batch, submit_plan
from skillcert.assessment.services.results import enter_results, publicize_results
from skillcert.certificates.services.issuing import issue_batch
from skillcert.certificates.services.segments import allocate_segment
from skillcert.documents.xlsx import write_text
from skillcert.registry.models import Organization, ScopeItem, ServiceArea
from skillcert.rules.idtypes import id_check_char

PLAN_DAY = "2026-09-01"
START = dt.date(2026, 10, 19)
END = dt.date(2026, 10, 20)
RESULTS_DAY = "2026-10-20"
ISSUE_DAY = dt.date(2026, 10, 27)  # the publicity runs 10-20 … 10-26
WELDER = "6-18-02-04"


def resident_id(division: str, born: str, sequence: str) -> str:
    first17 = f"{division}{born}{sequence}"
    return first17 + id_check_char(first17)


@dataclass(frozen=True)
class Person:
    name: str
    id_type: str
    id_number: str
    work_unit: str
    city: str  # the name, as typed
    work_type: str
    level: int
    source: str
    score: int | None  # None: absent


PEOPLE = (
    Person(
        "张三", "201", resident_id("340104", "19900101", "123"), "合肥钢铁公司", "合肥市",
        "", 5, "企业职工", 80,
    ),
    Person(
        "李四", "201", resident_id("340202", "19920315", "234"), "=HYPERLINK(\"x\")", "芜湖市",
        "", 5, "企业职工", 75,
    ),
    Person(
        "王五", "201", resident_id("340104", "19881120", "345"), "个体", "合肥市",
        "", 4, "社会人员", 50,
    ),
    Person(
        "赵六", "201", resident_id("340302", "19850607", "456"), "蚌埠机械厂", "蚌埠市",
        "", 3, "企业职工", 90,
    ),
    Person(
        "孙七", "227", "E12345678", "", "芜湖市", "电焊工", 4, "社会人员", 66,
    ),
    Person(
        "周八", "201", resident_id("340104", "20000202", "567"), "合肥技师学院", "合肥市",
        "", 3, "院校学生", None,
    ),
    Person(
        "吴九", "210", "H12345678", "<r><t>x</t></r>", "蚌埠市", "", 5, "企业职工", 61,
    ),
)  # fmt: skip


def file_organization(organization: Organization) -> Organization:
    """A filed 合肥 organization for 焊工 levels 3-5, written with the ORM."""
    hefei = Authority.objects.get(code="01")
    Organization.objects.filter(pk=organization.pk).update(
        status="active",
        filing_number="S000034010001",
        filing_authority=hefei,
        channel="city",
        category="S",
        filed_on=dt.date(2026, 1, 5),
        valid_until=dt.date(2029, 1, 4),
    )
    ScopeItem.objects.create(
        organization=organization,
        occupation_name="焊工",
        occupation_code=WELDER,
        work_type="",
        levels=[3, 4, 5],
        levels_key=",3,4,5,",
    )
    ServiceArea.objects.create(organization=organization, city=hefei, since=dt.date(2026, 1, 5))
    organization.refresh_from_db()
    return organization


def plan_body() -> dict:
    return {
        "title": "2026年第四期焊工认定",
        "start_date": START.isoformat(),
        "end_date": END.isoformat(),
        "site_city": "01",
        "site_address": "合肥市蜀山区测试路1号",
        "subjects": ["理论知识", "操作技能"],
        "items": [
            {"occupation_code": WELDER, "occupation_name": "焊工", "level": level}
            for level in (3, 4, 5)
        ]
        + [
            {
                "occupation_code": WELDER,
                "occupation_name": "焊工",
                "work_type": "电焊工",
                "level": 4,
            }
        ],
        "staff": [
            {
                "role": role,
                "name": name,
                "id_type": "201",
                "id_number": resident_id("340104", "19800101", sequence),
            }
            for role, name, sequence in (
                ("proctor", "监考甲", "901"),
                ("examiner", "考评乙", "902"),
                ("quality_supervisor", "督导丙", "903"),
            )
        ],
        "candidates": [
            {
                "name": p.name,
                "id_type": p.id_type,
                "id_number": p.id_number,
                "work_unit": p.work_unit,
                "city": p.city,
                "occupation_code": WELDER,
                "work_type": p.work_type,
                "level": p.level,
                "source": p.source,
            }
            for p in PEOPLE
        ],
    }


def issued_batch(org_user, province_center, today) -> Batch:
    """Walk a batch from draft to certificates issued, through the services."""
    organization = file_organization(org_user.membership.organization)
    today(PLAN_DAY)
    batch = create_batch(organization, plan_body(), actor=org_user)
    batch = submit_plan(batch, actor=org_user)
    today(RESULTS_DAY)
    absent = [p.id_number for p in PEOPLE if p.score is None]
    record_attendance(batch, {"absent": absent}, actor=org_user)
    results = [
        {"id_number": p.id_number, "scores": {"理论知识": p.score, "操作技能": p.score}}
        for p in PEOPLE
        if p.score is not None
    ]
    batch = enter_results(batch, {"results": results}, actor=org_user)
    batch = publicize_results(batch, actor=org_user)
    assert batch.publicity_end < ISSUE_DAY
    today(ISSUE_DAY.isoformat())
    for level in (3, 4, 5):
        allocate_segment(
            {
                "organization": organization.pk,
                "year": ISSUE_DAY.year,
                "level": level,
                "first": 1,
                "last": 100,
            },
            actor=province_center,
        )
    issued = issue_batch(batch, actor=org_user)
    assert issued == sum(1 for p in PEOPLE if p.score is not None and p.score >= 60)
    batch.refresh_from_db()
    return batch


@pytest.fixture
def batch(org_user, province_center, today, occupation_catalog) -> Batch:
    return issued_batch(org_user, province_center, today)


def read_sheet(data: bytes):
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["附件4"]
    return workbook.active


def cell_texts(sheet) -> list[str]:
    return [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]


def find(sheet, text: str):
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell
    raise AssertionError(f"{text!r} not in the sheet")


def right_of(sheet, text: str):
    cell = find(sheet, text)
    return sheet.cell(row=cell.row, column=cell.column + 1).value


def test_header_and_batch_figures(batch):
    sheet = read_sheet(annex4(batch, filled_on=dt.date(2026, 11, 2)))
    texts = cell_texts(sheet)
    assert sheet["A1"].value == "职业技能等级认定结果汇总表"
    assert "A1:G1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A1"].font.sz == 18 and sheet["A1"].font.b
    assert "填报单位（章）：合肥测试培训学校" in texts
    assert "填报日期：2026-11-02" in texts
    assert right_of(sheet, "认定时间") == "2026-10-19 至 2026-10-20"
    assert right_of(sheet, "备案人数") == 7
    assert right_of(sheet, "认定人数") == 6  # 周八 was absent
    assert right_of(sheet, "合格人数") == 5  # 王五 failed, 周八 absent
    assert right_of(sheet, "考生来源") == "企业职工 4、社会人员 2、院校学生 1"


def filled_on_text(sheet) -> str:
    return next(text for text in cell_texts(sheet) if text.startswith("填报日期："))


def test_filled_on_is_blank_before_the_results_are_filed(batch, today):
    today("2026-11-05")
    text = filled_on_text(read_sheet(annex4(batch)))
    assert text.removeprefix("填报日期：").strip("　 ") == ""  # room to write it by hand


def test_filled_on_is_the_result_filing_date_whenever_downloaded(
    batch, org_user, client_for, today
):
    """附件4 is the form filed with the results: downloaded later, it keeps that date."""
    today("2026-11-03")
    client = client_for(org_user)
    filed = client.post(f"/api/v1/batches/{batch.pk}/file-results")
    assert filed.status_code == 200, filed.content
    batch.refresh_from_db()
    assert batch.results_filed_on == dt.date(2026, 11, 3)
    today("2026-12-15")
    assert filled_on_text(read_sheet(annex4(batch))) == "填报日期：2026-11-03"
    download = client.get(f"/api/v1/batches/{batch.pk}/annex4.xlsx")
    assert download.status_code == 200
    assert filled_on_text(read_sheet(download.content)) == "填报日期：2026-11-03"


def test_counts_per_occupation_and_level(batch):
    sheet = read_sheet(annex4(batch))
    header = find(sheet, "初级")
    titles = [sheet.cell(row=header.row, column=header.column + i).value for i in range(6)]
    assert titles == ["初级", "中级", "高级", "技师", "高级技师", "小计"]
    assert find(sheet, "认定工种").column == 1
    assert find(sheet, "等级及合格人数").row == header.row - 1

    def counts(label: str) -> list:
        cell = find(sheet, label)
        assert cell.row > header.row
        return [sheet.cell(row=cell.row, column=c).value for c in range(2, 8)]

    # 初级 (level 5): 张三, 李四, 吴九; 高级 (3): 赵六; 王五 (4) failed; 周八 (3) absent.
    assert counts("焊工") == [3, 0, 1, 0, 0, 4]
    assert counts("焊工（电焊工）") == [0, 1, 0, 0, 0, 1]
    assert counts("合计") == [3, 1, 1, 0, 0, 5]
    assert find(sheet, "合计").row == find(sheet, "焊工（电焊工）").row + 1
    # Numbers, never formulas.
    for row in sheet.iter_rows():
        for cell in row:
            assert not (isinstance(cell.value, str) and cell.value.startswith("=")), cell
            assert cell.data_type in ("s", "n"), cell


def test_sign_off_boxes_side_by_side(batch):
    sheet = read_sheet(annex4(batch))
    center = find(sheet, CENTER_BOX)
    bureau = find(sheet, BUREAU_BOX)
    assert center.row == bureau.row > find(sheet, "合计").row
    assert center.column < bureau.column
    below = [
        sheet.cell(row=center.row + offset, column=column).value
        for offset in (2, 3)
        for column in (center.column, bureau.column)
    ]
    assert sum("（盖章）" in (text or "") for text in below) == 2
    assert sum("年　月　日" in (text or "") for text in below) == 2
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert f"A{center.row}:C{center.row}" in merged
    assert f"D{center.row}:G{center.row}" in merged
    assert sheet.cell(row=center.row, column=1).border.top.style == "thin"


def test_print_setup(batch):
    sheet = read_sheet(annex4(batch))
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == "9"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (1, "1", None)
    assert str(sheet.page_setup.fitToHeight) == "0"


def test_batch_before_results(org_user, today, occupation_catalog):
    """Right after plan filing: the counts are there, all zero."""
    organization = file_organization(org_user.membership.organization)
    today(PLAN_DAY)
    batch = create_batch(organization, plan_body(), actor=org_user)
    sheet = read_sheet(annex4(batch))
    assert right_of(sheet, "备案人数") == 7
    assert right_of(sheet, "合格人数") == 0
    assert [sheet.cell(row=find(sheet, "合计").row, column=c).value for c in range(2, 8)] == [0] * 6


@pytest.mark.parametrize("constant_memory", [False, True])
def test_write_text_keeps_raw_rich_text_plain(constant_memory):
    """XlsxWriter copies a text that starts with <r> and ends with </r> into the XML unescaped."""
    injection = (
        '<r><t>a</t></r></is></c><c r="B1"><f>HYPERLINK("http://x","y")</f></c>'
        '<c r="C1" t="inlineStr"><is><r><t>b</t></r>'
    )
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": constant_memory})
    sheet = workbook.add_worksheet()
    write_text(sheet, 0, 0, injection)
    write_text(sheet, 1, 0, "<r>plain</r>", workbook.add_format({"bold": True}))
    write_text(sheet, 2, 0, "=1+1")
    workbook.close()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        xml = "".join(archive.read(name).decode() for name in archive.namelist())
    assert "<f>" not in xml
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert [sheet.cell(row=r, column=1).value for r in (1, 2, 3)] == [
        injection,
        "<r>plain</r>",
        "=1+1",
    ]
    assert sheet["C1"].value is None and sheet["B1"].value is None
