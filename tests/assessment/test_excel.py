"""The Excel parts of batches: the roster template and import, error reports, score sheets."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from django.core.files.storage import default_storage

from skillcert.accounts.models import Authority
from skillcert.assessment import excel
from skillcert.assessment.models import Batch, Candidate
from skillcert.assessment.services.plan_input import RowsInvalid
from skillcert.assessment.services.plans import create_batch
from skillcert.registry.models import Organization, ScopeItem, ServiceArea, levels_key
from skillcert.rules.assessment import CANDIDATE_COLUMNS, MAX_CANDIDATES, RowCheck, RowError
from skillcert.rules.errors import Conflict, Forbidden, InvalidInput, TooLarge
from skillcert.rules.idtypes import id_check_char

RED = "FFC7CE"


def ident(seq: int, birth: str = "19900101", division: str = "340104") -> str:
    first17 = f"{division}{birth}{seq:03d}"
    return first17 + id_check_char(first17)


def row(seq: int, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "姓名": f"考生{seq}",
        "证件类型": "居民身份证",
        "证件号码": ident(seq),
        "所在单位": "合肥某机械厂",
        "考生所在地市": "合肥市",
        "职业编码": "6-18-02-04",
        "工种": None,
        "申报等级": "三级/高级工",
        "考生来源": "企业职工",
    }
    values.update(changes)
    return values


def workbook_bytes(
    rows: list[dict[str, object]], header: tuple[str, ...] | list[str] = CANDIDATE_COLUMNS
) -> bytes:
    """An .xlsx written with openpyxl; strings stay strings (even when they start with =)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "考生名单"
    sheet.append(list(header))
    for number, values in enumerate(rows, start=2):
        for column, name in enumerate(header, start=1):
            value = values.get(name)
            if value is None:
                continue
            cell = sheet.cell(row=number, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_with(base: bytes, extra: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            if item.filename not in extra:
                dst.writestr(item, src.read(item))
        for name, content in extra.items():
            dst.writestr(name, content)
    return out.getvalue()


@pytest.fixture
def filed_organization(organization):
    """The 合肥 organization, filed in 合肥 for 焊工 (6-18-02-04) levels 3-5."""
    hefei = Authority.objects.get(code="01")
    Organization.objects.filter(pk=organization.pk).update(
        status="in_pilot",
        category="S",
        filing_number="S000034010001",
        filing_authority=hefei,
        channel="city",
        scope="city",
        filed_on=dt.date(2026, 10, 9),
        valid_until=dt.date(2029, 10, 8),
        pilot_until=dt.date(2027, 10, 8),
    )
    ServiceArea.objects.create(organization=organization, city=hefei, since=dt.date(2026, 10, 9))
    ScopeItem.objects.create(
        organization=organization,
        occupation_name="焊工",
        occupation_code="6-18-02-04",
        levels=[3, 4, 5],
        levels_key=levels_key([3, 4, 5]),
    )
    organization.refresh_from_db()
    return organization


@pytest.fixture
def batch(filed_organization, org_user, occupation_catalog, today):
    today("2026-11-02")
    body = {
        "title": "2026 年 12 月焊工认定",
        "start_date": "2026-12-01",
        "end_date": "2026-12-02",
        "site_city": "01",
        "site_address": "合肥市蜀山区长江西路 100 号",
        "subjects": ["理论知识", "操作技能"],
        "pass_mark": 60,
        "items": [
            {
                "occupation_code": "6-18-02-04",
                "occupation_name": "焊工",
                "work_type": "",
                "level": level,
            }
            for level in (3, 4, 5)
        ],
        "staff": [
            {"role": role, "name": name, "id_type": "201", "id_number": ident(900 + n)}
            for n, (role, name) in enumerate(
                [("proctor", "监考甲"), ("examiner", "考评乙"), ("quality_supervisor", "督导丙")]
            )
        ],
        "candidates": [
            {
                "name": "原有考生",
                "id_type": "201",
                "id_number": ident(800),
                "work_unit": "",
                "city": "合肥市",
                "occupation_code": "6-18-02-04",
                "work_type": "",
                "level": 4,
                "source": "社会人员",
            }
        ],
    }
    return create_batch(filed_organization, body, actor=org_user)


def column_format(sheet, index: int) -> str | None:
    """The number format of a whole column (openpyxl groups equal adjacent columns)."""
    for dimension in sheet.column_dimensions.values():
        if dimension.min <= index <= dimension.max:
            return dimension.number_format
    return None


def stored(batch: Batch) -> list[tuple[str, str]]:
    return list(batch.candidates.order_by("position").values_list("name", "id_number"))


def refused(batch: Batch, data: bytes, user) -> InvalidInput:
    before = stored(batch)
    with pytest.raises(InvalidInput) as caught:
        excel.import_candidates(batch, data, actor=user)
    assert caught.value.status == 400
    assert stored(batch) == before == [("原有考生", ident(800))]
    return caught.value


# --- the template ------------------------------------------------------------------------


def test_template_has_the_header_text_columns_dropdowns_and_a_guide():
    book = openpyxl.load_workbook(io.BytesIO(excel.candidates_template()))
    assert book.sheetnames == ["考生名单", "填写说明"]
    sheet = book["考生名单"]
    assert [cell.value for cell in sheet[1]] == list(CANDIDATE_COLUMNS)
    assert sheet.freeze_panes == "A2"
    assert column_format(sheet, 3) == "@"  # 证件号码
    assert column_format(sheet, 6) == "@"  # 职业编码
    lists = {
        str(v.sqref).split(":")[0]: v.formula1
        for v in sheet.data_validations.dataValidation
        if v.type == "list"
    }
    assert set(lists) == {"B2", "E2", "H2"}
    assert "居民身份证" in lists["B2"] and "外国人工作许可证（C类）" in lists["B2"]
    assert lists["B2"].count(",") == 11
    assert lists["E2"].count(",") == 15 and "亳州市" in lists["E2"]
    assert "三级/高级工" in lists["H2"] and lists["H2"].count(",") == 4
    guide = " ".join(
        str(c.value) for r in book["填写说明"].iter_rows() for c in r if c.value is not None
    )
    for text in ("201", "居民身份证", "299", "五级/初级工", "表头", "不可修改"):
        assert text in guide


def test_template_filled_in_with_openpyxl_imports(batch, org_user):
    book = openpyxl.load_workbook(io.BytesIO(excel.candidates_template()))
    sheet = book["考生名单"]
    sheet.append(
        [
            "张三",
            "居民身份证",
            ident(1),
            "合肥某厂",
            "合肥市",
            "6-18-02-04",
            None,
            "三级/高级工",
            "企业职工",
        ]
    )
    sheet.append(["李四", "201", ident(2), None, "芜湖", "6-18-02-04", None, "4", "社会人员"])
    sheet.append(
        [
            "王五",
            "201",
            ident(3, birth="20000229"),
            None,
            "亳州市",
            "6-18-02-04",
            None,
            "初级工",
            "院校学生",
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)

    assert excel.import_candidates(batch, buffer.getvalue(), actor=org_user) == 3

    rows = list(
        batch.candidates.order_by("position").values_list(
            "name", "id_type", "id_number", "city", "occupation_name", "level", "source"
        )
    )
    assert rows == [
        ("张三", "201", ident(1), "01", "焊工", 3, "企业职工"),
        ("李四", "201", ident(2), "02", "焊工", 4, "社会人员"),
        ("王五", "201", ident(3, birth="20000229"), "30", "焊工", 5, "院校学生"),
    ]


def test_columns_in_another_order_and_optional_ones_left_out(batch, org_user):
    header = list(reversed([c for c in CANDIDATE_COLUMNS if c not in ("所在单位", "工种")]))
    data = workbook_bytes([row(1), row(2, 申报等级=5)], header)
    assert excel.import_candidates(batch, data, actor=org_user) == 2
    assert stored(batch) == [("考生1", ident(1)), ("考生2", ident(2))]


def test_a_corrected_report_can_be_uploaded_again(batch, org_user):
    header = [*CANDIDATE_COLUMNS, "错误说明"]
    data = workbook_bytes([row(1, 错误说明="考生所在地市：未知的地市")], header)
    assert excel.import_candidates(batch, data, actor=org_user) == 1


# --- files that are not a roster --------------------------------------------------------


def _valid() -> bytes:
    return workbook_bytes([row(1)])


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("text renamed .xlsx", lambda: "姓名,证件号码\n张三,340104\n".encode()),
        ("empty upload", lambda: b""),
        ("xls (OLE)", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
        ("truncated xlsx", lambda: _valid()[:900]),
        ("a zip that is not a workbook", lambda: _plain_zip()),
        (
            "damaged sheet",
            lambda: zip_with(_valid(), {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row"}),
        ),
        ("pdf", lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
    ],
)
def test_not_an_xlsx_is_invalid_file(batch, org_user, name, make):
    error = refused(batch, make(), org_user)
    assert error.code == "invalid_file", name
    assert "xlsx" in error.message


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return out.getvalue()


def test_macro_enabled_workbook_is_refused(batch, org_user):
    xlsm = zip_with(_valid(), {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})
    error = refused(batch, xlsm, org_user)
    assert error.code == "macro_file"
    assert "宏" in error.message


def test_macro_content_type_alone_is_refused(batch, org_user):
    with zipfile.ZipFile(io.BytesIO(_valid())) as archive:
        types = archive.read("[Content_Types].xml")
    types = types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    error = refused(batch, zip_with(_valid(), {"[Content_Types].xml": types}), org_user)
    assert error.code == "macro_file"


def test_a_workbook_that_unpacks_too_large_is_refused(batch, org_user, monkeypatch):
    monkeypatch.setattr(excel.reading, "MAX_UNPACKED_BYTES", 2000)
    before = stored(batch)
    with pytest.raises(TooLarge) as caught:
        excel.import_candidates(batch, _valid(), actor=org_user)
    assert caught.value.status == 413
    assert stored(batch) == before


def test_empty_sheet_and_header_only(batch, org_user):
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    assert refused(batch, buffer.getvalue(), org_user).code == "empty_file"
    error = refused(batch, workbook_bytes([]), org_user)
    assert error.code == "empty_file"
    assert "只有表头" in error.message


def test_only_the_first_sheet_is_read(batch, org_user):
    book = openpyxl.Workbook()
    book.active.title = "空白"
    other = book.create_sheet("考生名单")
    other.append(list(CANDIDATE_COLUMNS))
    buffer = io.BytesIO()
    book.save(buffer)
    assert refused(batch, buffer.getvalue(), org_user).code == "empty_file"


def test_wrong_headers_name_missing_and_unknown_columns(batch, org_user):
    header = [c for c in CANDIDATE_COLUMNS if c != "证件号码"] + ["手机号"]
    error = refused(batch, workbook_bytes([row(1)], header), org_user)
    assert error.code == "wrong_headers"
    assert "证件号码" in error.message and "手机号" in error.message
    assert error.extra == {"missing": ["证件号码"], "unknown": ["手机号"], "duplicate": []}
    assert error.fields == {"file": [error.message]}


def test_duplicate_header_is_wrong(batch, org_user):
    error = refused(batch, workbook_bytes([row(1)], [*CANDIDATE_COLUMNS, "姓名"]), org_user)
    assert error.code == "wrong_headers"
    assert error.extra["duplicate"] == ["姓名"]


def test_data_under_a_column_without_name_is_wrong(batch, org_user):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(CANDIDATE_COLUMNS))
    sheet.append([*row(1).values(), None, "备注"])
    buffer = io.BytesIO()
    book.save(buffer)
    error = refused(batch, buffer.getvalue(), org_user)
    assert error.code == "wrong_headers"
    assert "第 2 行第 K 列" in error.message


def _names_only(count: int) -> bytes:
    """A roster of ``count`` rows that only have a name: enough to count rows, fast to write."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet()
    for column, name in enumerate(CANDIDATE_COLUMNS):
        sheet.write_string(0, column, name)
    for number in range(1, count + 1):
        sheet.write_string(number, 0, f"考生{number}")
    book.close()
    return buffer.getvalue()


def test_100000_rows_are_refused_without_checking_a_row(batch, org_user, monkeypatch):
    def no_row_check(self, *args, **kwargs):
        raise AssertionError("a row was checked")

    monkeypatch.setattr(RowCheck, "check", no_row_check)
    error = refused(batch, _names_only(100_000), org_user)
    assert error.code == "too_many_rows"
    assert str(MAX_CANDIDATES) in error.message


def test_the_row_limit_counts_rows_with_content():
    assert len(excel.read_candidate_sheet(_names_only(MAX_CANDIDATES))) == MAX_CANDIDATES
    with pytest.raises(InvalidInput) as caught:
        excel.read_candidate_sheet(_names_only(MAX_CANDIDATES + 1))
    assert caught.value.code == "too_many_rows"


def test_blank_rows_are_skipped_and_row_numbers_kept():
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for column, name in enumerate(CANDIDATE_COLUMNS):
        sheet.write_string(0, column, name)
    sheet.write_string(3, 0, "第四行")
    sheet.write_string(5, 2, "   ")  # spaces only: a blank row
    sheet.write_string(MAX_CANDIDATES + 5, 0, "很远的一行")  # spans past the limit, 2 rows
    book.close()
    rows = excel.read_candidate_sheet(buffer.getvalue())
    assert [(number, values["姓名"]) for number, values in rows] == [
        (4, "第四行"),
        (MAX_CANDIDATES + 6, "很远的一行"),
    ]


# --- row errors --------------------------------------------------------------------------


def _bad_check_digit() -> str:
    good = ident(5)
    return good[:17] + ("0" if good[17] != "0" else "1")


@pytest.mark.parametrize(
    ("rows", "bad_row", "column", "message"),
    [
        ([row(1), row(5, 证件号码=_bad_check_digit())], 3, "证件号码", "校验位错误"),
        ([row(1), row(2), row(7, 证件号码=ident(1))], 4, "证件号码", "与第 2 行是同一考生"),
        ([row(1, 考生所在地市="上海市")], 2, "考生所在地市", "未知的地市「上海市」"),
        ([row(1, 申报等级="二级/技师")], 2, "申报等级", "不在本批次计划中"),
        ([row(1, 申报等级=2)], 2, "申报等级", "不在本批次计划中"),
        ([row(1), row(2, 考生来源=None)], 3, "考生来源", "考生来源不能为空"),
        ([row(1, 姓名="  ")], 2, "姓名", "姓名不能为空"),
        ([row(1, 职业编码="6-31-01-03")], 2, "职业编码", "不在本批次计划中"),
        ([row(1, 证件类型="身份证")], 2, "证件类型", "未知的证件类型"),
        ([row(1, 证件号码=int(ident(1)[:17] + "0"))], 2, "证件号码", "应以文本格式填写"),
        ([row(1, 证件号码=12345678.0, 证件类型="213")], 2, "证件号码", "应以文本格式填写"),
    ],
    ids=[
        "check digit",
        "duplicate",
        "unknown city",
        "level outside the plan",
        "level as a number",
        "missing source",
        "name of spaces",
        "occupation outside the plan",
        "unknown id type",
        "numeric 18-digit id",
        "numeric 8-digit permit",
    ],
)
def test_bad_rows_refuse_the_file(batch, org_user, rows, bad_row, column, message):
    error = refused(batch, workbook_bytes(rows), org_user)
    assert isinstance(error, RowsInvalid)
    assert error.code == "invalid_rows"
    listed = error.extra["rows"]
    assert [(e["row"], e["column"]) for e in listed] == [(bad_row, column)]
    assert message in listed[0]["message"]
    token = error.extra["report"].removeprefix(f"/api/v1/batches/{batch.pk}/candidates-report/")
    assert token.endswith(".xlsx")
    assert excel.report_name(batch, token.removesuffix(".xlsx")) is not None


def test_numeric_id_is_one_error_with_the_rows_other_errors(batch, org_user):
    data = workbook_bytes([row(1, 证件号码=3.401041990010113e17, 考生所在地市="杭州")])
    listed = refused(batch, data, org_user).extra["rows"]
    assert [(e["column"], e["message"]) for e in listed] == [
        ("证件号码", excel.NUMERIC_ID_MESSAGE),
        ("考生所在地市", listed[1]["message"]),
    ]
    assert "杭州" in listed[1]["message"]


def test_every_bad_row_is_listed(batch, org_user):
    rows = [row(n, 考生所在地市="上海") if n % 2 else row(n) for n in range(1, 41)]
    listed = refused(batch, workbook_bytes(rows), org_user).extra["rows"]
    assert [e["row"] for e in listed] == [n + 1 for n in range(1, 41, 2)]


def test_a_formula_is_never_read_as_text(batch, org_user):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(CANDIDATE_COLUMNS))
    sheet.append(list(row(1).values()))
    sheet["A2"] = '=HYPERLINK("http://example.invalid","点我")'  # a formula, no cached value
    buffer = io.BytesIO()
    book.save(buffer)
    assert sheet["A2"].data_type == "f"
    [(_, values)] = excel.read_candidate_sheet(buffer.getvalue())
    assert values["姓名"] == ""
    listed = refused(batch, buffer.getvalue(), org_user).extra["rows"]
    assert [(e["row"], e["column"], e["message"]) for e in listed] == [(2, "姓名", "姓名不能为空")]


def test_a_formula_gives_its_cached_value():
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for column, name in enumerate(CANDIDATE_COLUMNS):
        sheet.write_string(0, column, name)
    sheet.write_formula(1, 0, '="张"&"三"', None, "张三")
    book.close()
    [(_, values)] = excel.read_candidate_sheet(buffer.getvalue())
    assert values["姓名"] == "张三"


def test_refused_before_reading_when_not_allowed(batch, other_org_user, org_user):
    with pytest.raises(Forbidden):
        excel.import_candidates(batch, b"not even a file", actor=other_org_user)
    Batch.objects.filter(pk=batch.pk).update(state="plan_filed")
    batch.refresh_from_db()
    with pytest.raises(Conflict):
        excel.import_candidates(batch, b"not even a file", actor=org_user)


# --- the error report --------------------------------------------------------------------


def _report(batch: Batch, error: InvalidInput) -> openpyxl.Workbook:
    token = error.extra["report"].rsplit("/", 1)[1].removesuffix(".xlsx")
    name = excel.report_name(batch, token)
    assert name is not None
    return openpyxl.load_workbook(default_storage.open(name, "rb"))


def _red(cell) -> bool:
    return (cell.fill.fgColor.rgb or "").endswith(RED)


def test_report_marks_exactly_the_bad_cells_and_keeps_the_good_rows(batch, org_user):
    rows = [
        row(1),
        row(2, 考生所在地市="上海", 申报等级="二级/技师"),
        row(3),
        row(4, 考生来源=None),
    ]
    book = _report(batch, refused(batch, workbook_bytes(rows), org_user))
    sheet = book["考生名单"]
    header = [*CANDIDATE_COLUMNS, "错误说明"]
    assert [c.value for c in sheet[1]] == header
    marked = {
        (cell.row, header[cell.column - 1])
        for line in sheet.iter_rows(min_row=2)
        for cell in line
        if _red(cell)
    }
    assert marked == {(3, "考生所在地市"), (3, "申报等级"), (5, "考生来源")}
    commented = {
        (cell.row, header[cell.column - 1]): cell.comment.text
        for line in sheet.iter_rows(min_row=2)
        for cell in line
        if cell.comment
    }
    assert set(commented) == marked
    assert "未知的地市「上海」" in commented[(3, "考生所在地市")]
    for number, values in ((2, rows[0]), (4, rows[2])):
        got = [c.value for c in sheet[number]]
        assert got[:9] == [values[c] for c in CANDIDATE_COLUMNS]
        assert got[9] is None
    assert "未知的地市" in sheet["J3"].value and "不在本批次计划中" in sheet["J3"].value
    assert sheet["J5"].value == "考生来源不能为空"
    summary = book["错误汇总"]
    assert [c.value for c in summary[1]] == ["行号", "列名", "错误说明"]
    assert summary.max_row == 4


def test_report_writes_formula_looking_text_as_text(batch, org_user):
    injections = ['=HYPERLINK("http://evil.invalid","x")', "+SUM(1,2)", "-2+3", "@cmd", "=1+1"]
    rows = [row(n, 姓名=text) for n, text in enumerate(injections, start=1)]
    rows.append(row(9, 所在单位="=cmd|' /C calc'!A0", 考生所在地市="火星"))
    book = _report(batch, refused(batch, workbook_bytes(rows), org_user))
    sheet = book["考生名单"]
    for number, text in enumerate(injections, start=2):
        assert sheet.cell(number, 1).data_type == "s"
        assert sheet.cell(number, 1).value == text
    assert sheet["D7"].data_type == "s"
    assert sheet["D7"].value == "=cmd|' /C calc'!A0"


def test_report_keeps_a_numeric_id_as_the_number_it_was(batch, org_user):
    data = workbook_bytes([row(1, 证件号码=123456789012345)])
    sheet = _report(batch, refused(batch, data, org_user))["考生名单"]
    assert sheet["C2"].value == 123456789012345
    assert _red(sheet["C2"])
    assert "文本格式" in sheet["C2"].comment.text


def test_report_direct_call_keeps_row_numbers():
    content = excel.candidate_error_report(
        ["姓名", "", "证件号码"],
        [(3, {"姓名": "甲", "证件号码": "1"}), (7, {"姓名": "乙", "证件号码": "2"})],
        [RowError(7, "证件号码", "错误")],
        header_row=2,
    )
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[2]] == ["姓名", None, "证件号码", "错误说明"]
    assert sheet["A3"].value == "甲" and sheet["A7"].value == "乙"
    assert _red(sheet["C7"]) and not _red(sheet["C3"])
    assert sheet["D7"].value == "证件号码：错误"


def test_report_tokens_are_checked(batch, filed_organization, settings):
    token = excel.save_report(batch, b"report")
    assert len(token) >= 40
    name = excel.report_name(batch, token)
    assert name == f"reports/batch-{batch.pk}/{token}.xlsx"
    assert default_storage.open(name, "rb").read() == b"report"
    assert Path(default_storage.path(name)).is_relative_to(settings.MEDIA_ROOT / "reports")
    other = Batch.objects.get(pk=batch.pk)
    other.pk = batch.pk + 1000
    assert excel.report_name(other, token) is None
    for bad in ("../" + token, token + "/..", "a" * 10, "", token[:-1] + ".", "..%2f" * 10):
        assert excel.report_name(batch, bad) is None
    assert excel.save_report(batch, b"x") != token


# --- results -----------------------------------------------------------------------------


@pytest.fixture
def scored_batch(batch, org_user, today):
    """The batch with three candidates, its plan filed, the assessment under way."""
    data = workbook_bytes([row(1), row(2, 申报等级=4), row(3, 申报等级=5)])
    excel.import_candidates(batch, data, actor=org_user)
    Batch.objects.filter(pk=batch.pk).update(state="plan_filed", plan_filed_on="2026-11-10")
    today("2026-12-02")
    batch.refresh_from_db()
    return batch


def _scores_file(batch: Batch, scores: dict[str, tuple[object, object]], **names: str) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(excel.results_template(batch)))
    sheet = book.active
    for line in sheet.iter_rows(min_row=2):
        number = line[1].value
        if number in names:
            line[0].value = names[number]
        if number in scores:
            line[2].value, line[3].value = scores[number]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _scores(batch: Batch) -> list[tuple[str, dict, bool | None]]:
    return list(
        Candidate.objects.filter(batch=batch)
        .order_by("position")
        .values_list("id_number", "scores", "passed")
    )


def test_results_template_lists_the_candidates(scored_batch):
    sheet = openpyxl.load_workbook(io.BytesIO(excel.results_template(scored_batch)))["成绩"]
    assert [c.value for c in sheet[1]] == ["姓名", "证件号码", "理论知识", "操作技能"]
    assert [(r[0].value, r[1].value, r[2].value) for r in sheet.iter_rows(min_row=2)] == [
        ("考生1", ident(1), None),
        ("考生2", ident(2), None),
        ("考生3", ident(3), None),
    ]
    assert column_format(sheet, 2) == "@"


def test_results_file_stores_scores_and_passed(scored_batch, org_user):
    data = _scores_file(
        scored_batch, {ident(1): (85, 72.5), ident(2): (59.5, 90), ident(3): ("60", "100")}
    )
    assert excel.import_results(scored_batch, data, actor=org_user) == 3
    assert _scores(scored_batch) == [
        (ident(1), {"理论知识": "85", "操作技能": "72.5"}, True),
        (ident(2), {"理论知识": "59.5", "操作技能": "90"}, False),
        (ident(3), {"理论知识": "60", "操作技能": "100"}, True),
    ]
    scored_batch.refresh_from_db()
    assert scored_batch.state == "results_entered"


def test_results_columns_may_come_in_any_order(scored_batch, org_user):
    header = ["操作技能", "证件号码", "理论知识", "姓名"]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    sheet.append([70, ident(2), 80, "考生2"])
    for cell in sheet[2]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    assert excel.import_results(scored_batch, buffer.getvalue(), actor=org_user) == 1
    assert _scores(scored_batch)[1] == (ident(2), {"理论知识": "80", "操作技能": "70"}, True)


def _results_refused(batch: Batch, data: bytes, user) -> RowsInvalid:
    before = _scores(batch)
    with pytest.raises(RowsInvalid) as caught:
        excel.import_results(batch, data, actor=user)
    assert _scores(batch) == before
    batch.refresh_from_db()
    assert batch.state == "plan_filed"
    assert caught.value.code == "invalid_rows"
    assert caught.value.extra["report"].startswith(f"/api/v1/batches/{batch.pk}/results-report/")
    return caught.value


def test_results_errors_are_mapped_to_rows_and_columns(scored_batch, org_user):
    data = _scores_file(
        scored_batch,
        {ident(1): (85, 120), ident(2): (None, 90), ident(3): (70, 80.125)},
        **{ident(3): "别人"},
    )
    error = _results_refused(scored_batch, data, org_user)
    listed = [(e["row"], e["column"], e["message"]) for e in error.extra["rows"]]
    assert listed == [
        (2, "操作技能", "成绩 120 超出 0-100 的范围"),
        (3, "理论知识", "请填写成绩（0-100）"),
        (4, "姓名", "姓名「别人」与考生名单不符：该证件号码的考生是「考生3」"),
        (4, "操作技能", "成绩最多保留两位小数"),
    ]
    sheet = _report(scored_batch, error)["成绩"]
    assert _red(sheet["D2"]) and _red(sheet["C3"]) and _red(sheet["A4"])
    assert not _red(sheet["C2"]) and not _red(sheet["B2"])


def test_results_for_a_person_not_in_the_batch(scored_batch, org_user):
    book = openpyxl.load_workbook(io.BytesIO(excel.results_template(scored_batch)))
    sheet = book.active
    for line in sheet.iter_rows(min_row=2):
        line[2].value, line[3].value = 80, 80
    sheet.append(["陌生人", ident(444), 90, 90])
    sheet["B5"].data_type = "s"
    sheet.append(["考生1", ident(1), 70, 70])
    sheet["B6"].data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    error = _results_refused(scored_batch, buffer.getvalue(), org_user)
    listed = [(e["row"], e["column"], e["message"]) for e in error.extra["rows"]]
    assert listed == [
        (5, "证件号码", f"证件号码 {ident(444)} 不在本批次考生中"),
        (6, "证件号码", f"证件号码 {ident(1)} 重复"),
    ]


def test_results_with_a_subject_missing_from_the_header(scored_batch, org_user):
    book = openpyxl.Workbook()
    book.active.append(["姓名", "证件号码", "理论知识"])
    book.active.append(["考生1", ident(1), 80])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(InvalidInput) as caught:
        excel.import_results(scored_batch, buffer.getvalue(), actor=org_user)
    assert caught.value.code == "wrong_headers"
    assert "操作技能" in caught.value.message
    assert all(scores == {} for _, scores, _ in _scores(scored_batch))


def test_results_numeric_id(scored_batch, org_user):
    book = openpyxl.Workbook()
    book.active.append(["姓名", "证件号码", "理论知识", "操作技能"])
    book.active.append(["考生1", int(ident(1)[:17] + "0"), 80, 80])
    buffer = io.BytesIO()
    book.save(buffer)
    error = _results_refused(scored_batch, buffer.getvalue(), org_user)
    assert [(e["row"], e["column"]) for e in error.extra["rows"]] == [(2, "证件号码")]


def test_results_refused_before_reading_when_not_allowed(scored_batch, other_org_user):
    with pytest.raises(Forbidden):
        excel.import_results(scored_batch, b"junk", actor=other_org_user)
