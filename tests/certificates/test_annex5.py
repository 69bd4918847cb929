"""附件5 职业技能等级认定合格人员证书信息表: exactly the header and one text row per certificate."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from skillcert.assessment.models import Batch
from skillcert.certificates.annex5 import (
    HEADER,
    annex5,
    annex5_for_certificates,
    annex5_rows,
    write_annex5,
)
from skillcert.certificates.models import Certificate, CertificateStatus
from tests.assessment.test_annex4 import ISSUE_DAY, PEOPLE, issued_batch

EXPECTED_HEADER = [
    "姓名",
    "证件类型",
    "证件号码",
    "所在单位",
    "职业名称",
    "工种名称",
    "职业技能等级",
    "证书编号",
    "发证日期",
    "评价机构",
    "发证机构",
    "考生所在地市",
]
ORG = "合肥测试培训学校"
BY_NAME = {p.name: p for p in PEOPLE}


@pytest.fixture
def batch(org_user, province_center, today, occupation_catalog) -> Batch:
    return issued_batch(org_user, province_center, today)


def read(data: bytes):
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["附件5"]
    return workbook.active


def values(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_header_is_exactly_the_twelve_columns(batch):
    assert list(HEADER) == EXPECTED_HEADER
    rows = values(read(annex5(batch)))
    assert rows[0] == EXPECTED_HEADER


def test_one_row_per_certificate_in_number_order(batch):
    sheet = read(annex5(batch))
    rows = values(sheet)[1:]
    numbers = list(batch.certificates.order_by("number").values_list("number", flat=True))
    assert len(numbers) == 5
    assert [row[7] for row in rows] == numbers
    assert sheet.max_row == 1 + len(numbers)  # no title, no notes rows
    assert sheet.max_column == 12
    assert numbers == [
        "S000034010001263000001",  # 赵六, level 3
        "S000034010001264000001",  # 孙七, level 4
        "S000034010001265000001",  # 张三, level 5, in plan order
        "S000034010001265000002",  # 李四
        "S000034010001265000003",  # 吴九
    ]
    assert [row[0] for row in rows] == ["赵六", "孙七", "张三", "李四", "吴九"]


def test_values_as_specified(batch):
    rows = {row[0]: row for row in values(read(annex5(batch)))[1:]}
    issued = ISSUE_DAY.isoformat()
    assert rows["赵六"] == [
        "赵六",
        "201",
        BY_NAME["赵六"].id_number,
        "蚌埠机械厂",
        "焊工",
        "——",
        "三级/高级工",
        "S000034010001263000001",
        issued,
        ORG,
        ORG,
        "蚌埠市",
    ]
    sun = rows["孙七"]
    assert sun[1:3] == ["227", "E12345678"]
    assert sun[3] in (None, "")  # no work unit: an empty cell
    assert sun[5:7] == ["电焊工", "四级/中级工"]
    assert sun[11] == "芜湖市"
    assert rows["张三"][6] == "五级/初级工"
    assert rows["张三"][11] == "合肥市"
    assert rows["吴九"][1:3] == ["210", "H12345678"]
    # Texts that look like a formula or like XlsxWriter's raw rich-text XML stay plain text.
    assert rows["李四"][3] == '=HYPERLINK("x")'
    assert rows["吴九"][3] == "<r><t>x</t></r>"
    assert "王五" not in rows and "周八" not in rows  # failed, absent


def test_every_cell_is_a_string(batch):
    data = annex5(batch)
    sheet = read(data)
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is not None:
                assert cell.data_type == "s", cell
                assert isinstance(cell.value, str), cell
    # The raw file holds no formula element at all.
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_calamine_reads_the_same(batch):
    """The national system's importer is unknown: a second reader sees the same table."""
    data = annex5(batch)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("附件5")
    rows = sheet.to_python()
    assert rows[0] == EXPECTED_HEADER
    assert len(rows) == 6
    assert all(isinstance(v, str) for row in rows for v in row)


def test_rows_from_instances_match_the_fast_path(batch):
    certificates = list(batch.certificates.order_by("number"))
    from_instances = list(annex5_rows(certificates))
    rows = values(read(annex5(batch)))[1:]
    assert [[v or "" for v in row] for row in rows] == from_instances
    buffer = io.BytesIO()
    write_annex5(from_instances, buffer)
    assert values(read(buffer.getvalue()))[1:] == rows


def test_for_certificates_and_only_valid_ones_for_a_batch(batch):
    one = Certificate.objects.filter(name="张三")
    assert [row[0] for row in values(read(annex5_for_certificates(one)))[1:]] == ["张三"]
    Certificate.objects.filter(name="李四").update(status=CertificateStatus.REVOKED)
    names = [row[0] for row in values(read(annex5(batch)))[1:]]
    assert names == ["赵六", "孙七", "张三", "吴九"]


def test_empty_batch_has_only_the_header(batch):
    empty = annex5_for_certificates(Certificate.objects.none())
    assert values(read(empty)) == [EXPECTED_HEADER]


# What XlsxWriter copies raw into the XML when a text starts with <r> and ends with </r>.
INJECTION = (
    '<r><t>a</t></r></is></c><c r="M2"><f>HYPERLINK("http://x","y")</f></c>'
    '<c r="N2" t="inlineStr"><is><r><t>b</t></r>'
)


def test_raw_rich_text_cannot_inject_a_formula():
    buffer = io.BytesIO()
    write_annex5([[INJECTION] * 12], buffer)
    import zipfile

    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    rows = values(read(buffer.getvalue()))
    assert rows[1] == [INJECTION] * 12
