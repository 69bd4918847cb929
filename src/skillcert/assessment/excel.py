"""Excel (.xlsx) parts of assessment batches: the candidate roster and the score sheet.

- ``candidates_template`` / ``import_candidates``: the roster of ``POST /api/v1/batches/{id}/
  candidates.xlsx``. The first sheet's header row names the columns (any order); every row is
  checked by ``RowCheck``, the same check as the JSON candidates, and one bad row refuses the
  whole file (400 with every bad row, and an error report to download).
- ``results_template`` / ``import_results``: scores per subject, entered through the results
  service; its field errors are mapped back to sheet rows and columns.
- ``candidate_error_report`` / ``save_report`` / ``report_path``: a copy of the upload with
  each bad cell marked, stored under ``DATA_DIR/reports`` behind an unguessable token.

Files are read with python-calamine, which reads the values a spreadsheet program cached:
formulas are never evaluated and a formula's text is never read. Files are written with
XlsxWriter, every text through ``documents.xlsx.write_text``, so nothing written becomes a
formula or markup.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import secrets
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any

import python_calamine
import xlsxwriter
from django.conf import settings
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.assessment.models import Batch
from skillcert.assessment.services.plans import RowsInvalid, plan_index, replace_candidates
from skillcert.assessment.services.results import check_results, enter_results
from skillcert.documents.xlsx import write_text
from skillcert.rules import clock
from skillcert.rules.assessment import (
    CANDIDATE_COLUMNS,
    MAX_CANDIDATES,
    REQUIRED_COLUMNS,
    CandidateRow,
    PlanIndex,
    RowCheck,
    RowError,
)
from skillcert.rules.errors import InvalidInput, TooLarge
from skillcert.rules.idtypes import ID_TYPES, normalize_id_number
from skillcert.rules.levels import Level, level_name
from skillcert.rules.regions import ANHUI

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CANDIDATE_SHEET = "考生名单"
RESULTS_SHEET = "成绩"
GUIDE_SHEET = "填写说明"
SUMMARY_SHEET = "错误汇总"
ERROR_COLUMN = "错误说明"  # the report's last column; ignored when a corrected report comes back
NAME_COLUMN = "姓名"
ID_COLUMN = "证件号码"
NUMERIC_ID_MESSAGE = (
    "证件号码应以文本格式填写：该单元格是数字，超过 15 位的号码已丢失精度，"
    "请将该列设为文本格式后重新输入"
)

# A workbook whose parts unpack to more than this is refused before it is parsed (zip bomb).
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
REPORT_MAX_AGE = dt.timedelta(days=7)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected workbooks
_RESULT_FIELD = re.compile(r"results\[(\d+)\](?:\.(id_number|scores)(?:\.(.+))?)?")

_WRITE_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
_TEMPLATE_WIDTHS = {
    "姓名": 12,
    "证件类型": 26,
    "证件号码": 24,
    "所在单位": 30,
    "考生所在地市": 14,
    "职业编码": 14,
    "工种": 18,
    "申报等级": 16,
    "考生来源": 16,
}
_COLUMN_GUIDE = {
    "姓名": "考生姓名，不超过 50 个字符。",
    "证件类型": "从下拉列表选择证件类型名称，或填写证件类型代码（如 201），见下方对照表。",
    "证件号码": (
        "以文本格式填写（本列已设为文本，请勿改为数字，否则 18 位号码会丢失精度）；"
        "居民身份证和居住证号码按 GB 11643 校验出生日期和校验位，末位 X 请大写。"
    ),
    "所在单位": "考生所在工作单位，不超过 100 个字符，可不填。",
    "考生所在地市": "从下拉列表选择安徽省的地市名称（如 合肥市，也可写 合肥）。",
    "职业编码": "须是本批次计划中的职业编码，如 6-18-02-04（本列为文本格式）。",
    "工种": "须与本批次计划中的工种一致；计划中没有工种的职业请留空。",
    "申报等级": (
        "从下拉列表选择等级名称（如 三级/高级工），也可填写 1-5 的等级代码或 三级、高级工；"
        "须是本批次计划中该职业（工种）的等级。"
    ),
    "考生来源": "如 企业职工、院校学生、社会人员，不超过 50 个字符。",
}


@dataclass(frozen=True)
class SheetData:
    """The first sheet of an upload: its header cells (from column A, blank for a column
    without a name), the header's row number, and each non-empty row after it."""

    header: list[str]
    header_row: int
    rows: list[tuple[int, dict[str, object]]]


# --- reading -----------------------------------------------------------------------------


def read_candidate_sheet(data: bytes) -> list[tuple[int, dict[str, object]]]:
    """(sheet row number, {column name: cached value}) for each non-empty row of the roster.

    Refused with InvalidInput: ``invalid_file``, ``macro_file``, ``empty_file``,
    ``wrong_headers``, ``too_many_rows`` (see ``read_sheet``).
    """
    return _read_candidates(data).rows


def read_sheet(data: bytes, *, required: Sequence[str], allowed: Sequence[str]) -> SheetData:
    """The first sheet of an .xlsx upload, with the header checked.

    ``required`` columns must all be in the header row (the first non-empty row), which may
    name nothing outside ``allowed`` (the report's 错误说明 column is accepted and ignored).
    More than MAX_CANDIDATES non-empty rows after the header are refused before any is
    looked at. Values are the cached values python-calamine reads: strings, floats, bools,
    dates; an empty cell is "".
    """
    sheet = _first_sheet(_open_workbook(data))
    start, end = sheet.start, sheet.end
    if start is None or end is None:
        raise _file_error(
            "empty_file", "文件的第一个工作表是空的：请在第一行填写表头，从第二行起填写数据"
        )
    if end[0] - start[0] > MAX_CANDIDATES:
        _refuse_too_many(sheet)
    table = sheet.to_python(skip_empty_area=False)
    header_index = next((i for i, row in enumerate(table) if not _blank_row(row)), None)
    if header_index is None:
        raise _file_error(
            "empty_file", "文件的第一个工作表是空的：请在第一行填写表头，从第二行起填写数据"
        )
    header = [_header_text(value) for value in table[header_index]]
    columns = _check_header(header, required, allowed)
    indexes = [index for index, _ in columns]
    names = [name for _, name in columns]
    unnamed = [index for index, name in enumerate(header) if not name]
    pick = _picker(indexes)
    rows: list[tuple[int, dict[str, object]]] = []
    append = rows.append
    for number, row in enumerate(table[header_index + 1 :], start=header_index + 2):
        # The hot loop. Most rows start with a name: one look at the first cell.
        first = row[0]
        if type(first) is str and (not first or first.isspace()) and _blank_row(row):
            continue
        for index in unnamed:
            if not _blank(row[index]):
                raise _file_error(
                    "wrong_headers",
                    f"第 {number} 行第 {_column_letter(index)} 列有内容，但该列没有列名："
                    "请删除该列内容，或在表头填写正确的列名",
                )
        append((number, dict(zip(names, pick(row), strict=False))))
    if len(rows) > MAX_CANDIDATES:  # not reached: the span was checked above
        raise _too_many()
    if not rows:
        raise _file_error("empty_file", "文件只有表头，没有数据：请从表头下一行起逐行填写")
    return SheetData(header=header, header_row=header_index + 1, rows=rows)


def _picker(indexes: list[int]) -> Callable[[list[object]], tuple[object, ...]]:
    """A function giving a row's values at ``indexes``, always as a tuple."""
    if len(indexes) == 1:
        only = indexes[0]
        return lambda row: (row[only],)
    return itemgetter(*indexes)


def _read_candidates(data: bytes) -> SheetData:
    return read_sheet(data, required=REQUIRED_COLUMNS, allowed=CANDIDATE_COLUMNS)


def _open_workbook(data: bytes) -> python_calamine.CalamineWorkbook:
    if not isinstance(data, bytes | bytearray | memoryview) or not data:
        raise _file_error("invalid_file", "文件为空或无法读取：请上传 Excel 工作簿（.xlsx）")
    data = bytes(data)
    if data.startswith(_OLE_MAGIC):
        raise _file_error(
            "invalid_file",
            "文件是 Excel 97-2003 格式（.xls）或设置了打开密码的工作簿：请取消密码，"
            "另存为“Excel 工作簿（.xlsx）”后上传",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise _not_xlsx() from None
    names = {part.filename.lower() for part in parts}
    if any(name.endswith("vbaproject.bin") for name in names) or _declares_macros(archive):
        raise _file_error(
            "macro_file",
            "文件是启用宏的工作簿（含 VBA 宏），出于安全原因不予接收："
            "请另存为“Excel 工作簿（.xlsx）”后上传",
        )
    if "xl/workbook.xml" not in names:
        raise _not_xlsx()
    if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
        raise TooLarge.for_field(
            "file", "文件解压后超过 256 MB，不像是考生名单：请检查后重新上传", code="file_too_large"
        )
    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # calamine's errors and panics on a damaged file
        raise _not_xlsx() from None


def _declares_macros(archive: zipfile.ZipFile) -> bool:
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return False
    if info.file_size > 1024 * 1024:
        return False
    try:
        return b"macroenabled" in archive.read(info).lower()
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
        return False


def _first_sheet(workbook: python_calamine.CalamineWorkbook) -> python_calamine.CalamineSheet:
    try:
        metadata = workbook.sheets_metadata
        if not metadata:
            raise _file_error("empty_file", "文件中没有工作表")
        if metadata[0].typ != python_calamine.SheetTypeEnum.WorkSheet:
            raise _file_error("invalid_file", "文件的第一个工作表不是数据表（可能是图表或宏表）")
        return workbook.get_sheet_by_index(0)
    except InvalidInput:
        raise
    except Exception:
        raise _not_xlsx() from None


def _refuse_too_many(sheet: python_calamine.CalamineSheet) -> None:
    """The sheet spans more rows than allowed: count its non-empty rows, stopping early."""
    seen = -1  # the header row
    for row in sheet.iter_rows():
        if not _blank_row(row):
            seen += 1
            if seen > MAX_CANDIDATES:
                raise _too_many()


def _too_many() -> InvalidInput:
    return _file_error(
        "too_many_rows",
        f"一个批次最多 {MAX_CANDIDATES} 名考生，文件中的数据超过 {MAX_CANDIDATES} 行：请分批导入",
    )


def _check_header(
    header: list[str], required: Sequence[str], allowed: Sequence[str]
) -> list[tuple[int, str]]:
    present = [name for name in header if name]
    duplicates = sorted({name for name in present if present.count(name) > 1})
    missing = [name for name in required if name not in present]
    allowed_set = {*allowed, ERROR_COLUMN}
    unknown = [name for name in present if name not in allowed_set]
    problems = []
    if missing:
        problems.append(f"缺少必填列：{'、'.join(missing)}")
    if unknown:
        problems.append(f"有无法识别的列：{'、'.join(unknown)}")
    if duplicates:
        problems.append(f"有重复的列：{'、'.join(duplicates)}")
    if problems:
        error = _file_error(
            "wrong_headers",
            "第一个工作表的表头不正确，"
            + "；".join(problems)
            + f"。表头应为：{'、'.join(allowed)}（列的顺序不限），请使用导入模板，勿修改表头",
        )
        error.extra = {"missing": missing, "unknown": unknown, "duplicate": duplicates}
        raise error
    return [(index, name) for index, name in enumerate(header) if name and name != ERROR_COLUMN]


def _header_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "".join(str(value).split()) if value is not None else ""


def _blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, str) and value.isspace())


def _blank_row(row: Iterable[object]) -> bool:
    return all(_blank(value) for value in row)


def _is_number(value: object) -> bool:
    return type(value) is float or type(value) is int


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _file_error(code: str, message: str) -> InvalidInput:
    return InvalidInput(message, code=code, fields={"file": [message]})


def _not_xlsx() -> InvalidInput:
    return _file_error(
        "invalid_file",
        "文件不是有效的 Excel 工作簿（.xlsx），或已损坏：请用 Excel 或 WPS 另存为 .xlsx 后上传",
    )


# --- candidates --------------------------------------------------------------------------


def check_candidate_rows(
    rows: Iterable[tuple[int, dict[str, object]]], plan: PlanIndex, *, today: dt.date
) -> tuple[list[CandidateRow], list[RowError]]:
    """Every row through RowCheck; a 证件号码 stored as a number is a row error of its own.

    A number cannot be trusted (a spreadsheet keeps 15 significant digits), so the row is
    checked without it and the check's "证件号码不能为空" becomes NUMERIC_ID_MESSAGE.
    """
    check = RowCheck(plan, today=today)
    checked: list[CandidateRow] = []
    errors = check.errors
    for number, values in rows:
        if _is_number(values.get(ID_COLUMN)):
            before = len(errors)
            check.check(number, {**values, ID_COLUMN: None})
            own = [e for e in errors[before:] if e.column != ID_COLUMN]
            errors[before:] = [RowError(number, ID_COLUMN, NUMERIC_ID_MESSAGE), *own]
            continue
        row = check.check(number, values)
        if row is not None:
            checked.append(row)
    return checked, list(errors)


def import_candidates(batch: Batch, data: bytes, *, actor: Any) -> int:
    """Replace the candidates of a draft batch from a roster file; the number imported.

    Any bad row refuses the whole file: RowsInvalid with every error and ``extra["report"]``,
    the URL of the marked copy. Nothing is changed then.
    """
    BATCH_MACHINE.check(batch, "edit", actor)
    sheet = _read_candidates(data)
    rows, errors = check_candidate_rows(sheet.rows, plan_index(batch), today=clock.today())
    if errors:
        report = candidate_error_report(
            sheet.header, sheet.rows, errors, header_row=sheet.header_row
        )
        token = save_report(batch, report)
        error = RowsInvalid(errors)
        error.extra["report"] = report_url(batch, token, kind="candidates")
        raise error
    replace_candidates(batch, rows, actor=actor, source="excel")
    return len(rows)


def candidates_template() -> bytes:
    """The empty roster: header, text columns, dropdowns, frozen header; and a guide sheet."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, _WRITE_OPTIONS)
    header_format = _header_format(workbook)
    text = workbook.add_format({"num_format": "@"})
    sheet = workbook.add_worksheet(CANDIDATE_SHEET)
    last_row = MAX_CANDIDATES  # rows 2 … MAX_CANDIDATES + 1
    lists = {
        "证件类型": [t.name for t in ID_TYPES.values()],
        "考生所在地市": [city.name for city in ANHUI.cities],
        "申报等级": [level_name(level) for level in Level],
    }
    hints = {
        "证件类型": "请从列表中选择，也可填写证件类型代码（如 201）",
        "考生所在地市": f"请从列表中选择{ANHUI.province_name}的地市",
        "申报等级": "请从列表中选择，也可填写 1-5 的等级代码",
    }
    for index, column in enumerate(CANDIDATE_COLUMNS):
        sheet.set_column(index, index, _TEMPLATE_WIDTHS[column], text)
        write_text(sheet, 0, index, column, header_format)
        if column in lists:
            sheet.data_validation(
                1,
                index,
                last_row,
                index,
                {
                    "validate": "list",
                    "source": lists[column],
                    "error_type": "warning",
                    "error_title": f"{column}不在列表中",
                    "error_message": f"{hints[column]}。确实要保留输入的内容吗？",
                    "input_title": column,
                    "input_message": hints[column],
                },
            )
    sheet.data_validation(
        1,
        CANDIDATE_COLUMNS.index(ID_COLUMN),
        last_row,
        CANDIDATE_COLUMNS.index(ID_COLUMN),
        {
            "validate": "any",
            "input_title": ID_COLUMN,
            "input_message": "本列为文本格式，请直接输入完整号码，末位 X 大写",
        },
    )
    sheet.freeze_panes(1, 0)
    sheet.set_row(0, 22)
    _candidate_guide(workbook, header_format)
    workbook.close()
    return buffer.getvalue()


def _candidate_guide(workbook: Workbook, header_format: Format) -> None:
    guide = workbook.add_worksheet(GUIDE_SHEET)
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    title = workbook.add_format({"bold": True, "font_size": 14})
    bold = workbook.add_format({"bold": True})
    guide.set_column(0, 0, 16)
    guide.set_column(1, 1, 12)
    guide.set_column(2, 2, 90, wrap)
    row = 0
    write_text(guide, row, 0, "考生名单填写说明", title)
    row += 2
    for line in (
        f"1. 在第一个工作表“{CANDIDATE_SHEET}”中填写，每行一名考生，从第 2 行起填写；"
        f"一个批次最多 {MAX_CANDIDATES} 名考生。",
        "2. 第一个工作表的表头（第 1 行）不可修改、删除或增加列名；列的顺序可以调整，"
        "所在单位、工种两列可以删除。",
        "3. 请勿使用公式、合并单元格；证件号码、职业编码必须为文本格式。",
        "4. 导入将替换本批次已有的全部考生。任何一行有错误时整个文件不导入，"
        "系统会给出标注了错误单元格的文件（最后一列“错误说明”），改正后可直接重新上传。",
        "5. 只能上传 Excel 工作簿（.xlsx），不接收启用宏的工作簿（.xlsm）和旧版 .xls 文件。",
    ):
        guide.merge_range(row, 0, row, 2, line, wrap)
        guide.set_row(row, 32)
        row += 1
    row += 1
    for index, heading in enumerate(("列名", "是否必填", "填写要求")):
        write_text(guide, row, index, heading, header_format)
    row += 1
    for column in CANDIDATE_COLUMNS:
        write_text(guide, row, 0, column, bold)
        write_text(guide, row, 1, "必填" if column in REQUIRED_COLUMNS else "选填")
        write_text(guide, row, 2, _COLUMN_GUIDE[column], wrap)
        row += 1
    row += 1
    write_text(guide, row, 0, "证件类型代码", bold)
    row += 1
    for index, heading in enumerate(("代码", "证件类型")):
        write_text(guide, row, index, heading, header_format)
    row += 1
    for id_type in ID_TYPES.values():
        write_text(guide, row, 0, id_type.code)
        write_text(guide, row, 1, id_type.name)
        row += 1
    row += 1
    write_text(guide, row, 0, "申报等级", bold)
    row += 1
    for index, heading in enumerate(("等级代码", "等级名称")):
        write_text(guide, row, index, heading, header_format)
    row += 1
    for level in Level:
        write_text(guide, row, 0, str(int(level)))
        write_text(guide, row, 1, level_name(level))
        row += 1
    row += 1
    write_text(guide, row, 0, "考生所在地市", bold)
    row += 1
    write_text(guide, row, 0, "、".join(city.name for city in ANHUI.cities), None)


def _header_format(workbook: Workbook) -> Format:
    return workbook.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center", "valign": "vcenter"}
    )


# --- error reports -----------------------------------------------------------------------


def candidate_error_report(
    header: list[str],
    rows: list[tuple[int, dict[str, object]]],
    errors: list[RowError],
    *,
    header_row: int = 1,
    sheet_name: str = CANDIDATE_SHEET,
    text_columns: Sequence[str] = CANDIDATE_COLUMNS,
) -> bytes:
    """A copy of the upload with each bad cell filled light red and commented, and a last
    column 错误说明 listing each bad row's messages; good rows are kept as they were.

    ``header`` as read (blank for a column without a name); rows stay at their row numbers.
    Texts are written with ``write_text``, numbers with ``write_number``: nothing written
    becomes a formula, whatever it starts with. A second sheet lists every error.
    """
    columns = [name for name in header if name != ERROR_COLUMN]
    position = {name: index for index, name in enumerate(columns) if name}
    by_row: dict[int, list[RowError]] = {}
    by_cell: dict[tuple[int, str], list[str]] = {}
    for error in errors:
        by_row.setdefault(error.row, []).append(error)
        by_cell.setdefault((error.row, error.column), []).append(error.message)

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, _WRITE_OPTIONS)
    header_format = _header_format(workbook)
    text = workbook.add_format({"num_format": "@"})
    bad = workbook.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
    bad_text = workbook.add_format(
        {"bg_color": "#FFC7CE", "font_color": "#9C0006", "num_format": "@"}
    )
    note = workbook.add_format({"font_color": "#9C0006", "text_wrap": True, "valign": "top"})
    sheet = workbook.add_worksheet(sheet_name)
    text_set = set(text_columns)
    for index, name in enumerate(columns):
        width = _TEMPLATE_WIDTHS.get(name, 14)
        sheet.set_column(index, index, width, text if name in text_set else None)
        if name:
            write_text(sheet, header_row - 1, index, name, header_format)
    note_column = len(columns)
    sheet.set_column(note_column, note_column, 60)
    write_text(sheet, header_row - 1, note_column, ERROR_COLUMN, header_format)

    for number, values in rows:
        at = number - 1
        for name, value in values.items():
            index = position.get(name)
            if index is None:
                continue
            messages = by_cell.get((number, name))
            if messages:
                style = bad_text if name in text_set else bad
                _write_value(sheet, at, index, value, style)
                sheet.write_comment(
                    at, index, "\n".join(messages), {"x_scale": 2.5, "y_scale": 1.5}
                )
            else:
                _write_value(sheet, at, index, value, None)
        for name, index in position.items():
            if name not in values and (number, name) in by_cell:
                sheet.write_blank(at, index, None, bad)
                sheet.write_comment(
                    at, index, "\n".join(by_cell[(number, name)]), {"x_scale": 2.5, "y_scale": 1.5}
                )
        row_errors = by_row.get(number)
        if row_errors:
            write_text(sheet, at, note_column, _row_note(row_errors), note)
    sheet.freeze_panes(header_row, 0)

    summary = workbook.add_worksheet(SUMMARY_SHEET)
    summary.set_column(0, 0, 8)
    summary.set_column(1, 1, 14)
    summary.set_column(2, 2, 90)
    for index, heading in enumerate(("行号", "列名", ERROR_COLUMN)):
        write_text(summary, 0, index, heading, header_format)
    for at, error in enumerate(errors, start=1):
        summary.write_number(at, 0, error.row)
        write_text(summary, at, 1, error.column)
        write_text(summary, at, 2, error.message)
    summary.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def _row_note(errors: list[RowError]) -> str:
    parts = [
        e.message if e.message.startswith(e.column) else f"{e.column}：{e.message}" for e in errors
    ]
    return "；".join(parts)


def _write_value(
    sheet: Worksheet, row: int, column: int, value: object, style: Format | None
) -> None:
    if value is None or value == "":
        if style is not None:
            sheet.write_blank(row, column, None, style)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value, style)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, column, value, style)
    elif isinstance(value, str):
        write_text(sheet, row, column, value, style)
    elif isinstance(value, dt.datetime | dt.date | dt.time):
        write_text(sheet, row, column, value.isoformat(), style)
    else:
        write_text(sheet, row, column, str(value), style)


def _reports_root() -> Path:
    return Path(settings.DATA_DIR) / "reports"


def _report_dir(batch: Batch) -> Path:
    return _reports_root() / f"batch-{int(batch.pk)}"


def save_report(batch: Batch, content: bytes) -> str:
    """Store an error report of the batch; the token that finds it (kept for 7 days)."""
    directory = _report_dir(batch)
    directory.mkdir(parents=True, exist_ok=True)
    _prune(directory)
    token = secrets.token_urlsafe(32)
    path = directory / f"{token}.xlsx"
    partial = directory / f"{token}.partial"
    partial.write_bytes(content)
    os.replace(partial, path)
    return token


def report_path(batch: Batch, token: str) -> Path | None:
    """The stored report of this batch with this token; None when malformed, absent or old."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    path = _report_dir(batch) / f"{token}.xlsx"
    try:
        modified = path.stat().st_mtime
    except OSError:
        return None
    if time.time() - modified > REPORT_MAX_AGE.total_seconds() or not path.is_file():
        return None
    return path


def report_url(batch: Batch, token: str, *, kind: str) -> str:
    """Where the API serves a report: ``kind`` is ``candidates`` or ``results``."""
    return f"/api/v1/batches/{batch.pk}/{kind}-report/{token}.xlsx"


def _prune(directory: Path) -> None:
    cutoff = time.time() - REPORT_MAX_AGE.total_seconds()
    for path in directory.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue


# --- results -----------------------------------------------------------------------------


def _result_columns(batch: Batch) -> tuple[str, ...]:
    return (NAME_COLUMN, ID_COLUMN, *batch.subjects)


def results_template(batch: Batch) -> bytes:
    """The score sheet: 姓名, 证件号码 (text), one column per subject, the candidates in
    position order (scores already entered are filled in)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, _WRITE_OPTIONS)
    header_format = _header_format(workbook)
    text = workbook.add_format({"num_format": "@"})
    score = workbook.add_format({"num_format": "0.##"})
    sheet = workbook.add_worksheet(RESULTS_SHEET)
    columns = _result_columns(batch)
    sheet.set_column(0, 0, 12, text)
    sheet.set_column(1, 1, 24, text)
    for index, column in enumerate(columns):
        if index >= 2:
            sheet.set_column(index, index, max(12, 2 * len(column) + 4), score)
        write_text(sheet, 0, index, column, header_format)
    candidates = list(
        batch.candidates.order_by("position", "pk").values_list("name", "id_number", "scores")
    )
    for at, (name, id_number, scores) in enumerate(candidates, start=1):
        write_text(sheet, at, 0, name)
        write_text(sheet, at, 1, id_number)
        for index, subject in enumerate(batch.subjects, start=2):
            value = (scores or {}).get(subject)
            if value not in (None, ""):
                sheet.write_number(at, index, float(Decimal(str(value))))
    if batch.subjects:
        sheet.data_validation(
            1,
            2,
            max(len(candidates), 1),
            len(columns) - 1,
            {
                "validate": "decimal",
                "criteria": "between",
                "minimum": 0,
                "maximum": 100,
                "error_title": "成绩超出范围",
                "error_message": "成绩应为 0-100 的数字，最多两位小数",
            },
        )
    sheet.freeze_panes(1, 2)
    guide = workbook.add_worksheet(GUIDE_SHEET)
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    guide.set_column(0, 0, 100, wrap)
    marks = "、".join(f"{s} {batch.pass_marks.get(s, 60)} 分" for s in batch.subjects)
    for at, line in enumerate(
        (
            f"成绩录入说明（{batch.title}）",
            f"1. 在第一个工作表“{RESULTS_SHEET}”中填写每名考生每个科目的成绩"
            "（0-100，最多两位小数），每个科目都必须填写。",
            "2. 表头（第 1 行）不可修改；姓名、证件号码须与本批次考生名单一致，"
            "证件号码为文本格式。",
            f"3. 合格线：{marks}；各科目均达到合格线为合格，由系统计算。",
            "4. 任何一行有错误时整个文件不录入，系统会给出标注了错误单元格的文件，"
            "改正后可直接重新上传。",
        )
    ):
        write_text(guide, at, 0, line, wrap)
    workbook.close()
    return buffer.getvalue()


def import_results(batch: Batch, data: bytes, *, actor: Any) -> int:
    """Enter scores from a score sheet; the number of candidates scored.

    The header must be 姓名, 证件号码 and exactly the batch's subjects (any order). Empty
    scores, a person not in the batch, a name that does not match the ID number, or a score
    outside 0-100 refuse the whole file (RowsInvalid with a report); nothing is changed then.
    """
    BATCH_MACHINE.check(batch, "results", actor)
    subjects = list(batch.subjects)
    columns = _result_columns(batch)
    sheet = read_sheet(data, required=columns, allowed=columns)
    names = dict(batch.candidates.values_list("id_number", "name"))
    errors: list[RowError] = []
    entries: list[dict[str, Any]] = []
    entry_rows: list[int] = []
    for number, values in sheet.rows:
        raw_id = values.get(ID_COLUMN)
        if _is_number(raw_id):
            errors.append(RowError(number, ID_COLUMN, NUMERIC_ID_MESSAGE))
            continue
        id_number = normalize_id_number(_text(raw_id))
        if not id_number:
            errors.append(RowError(number, ID_COLUMN, "证件号码不能为空"))
            continue
        name = _text(values.get(NAME_COLUMN))
        known = names.get(id_number)
        if known is not None and name != known:
            errors.append(
                RowError(
                    number,
                    NAME_COLUMN,
                    f"姓名「{name or '（空）'}」与考生名单不符：该证件号码的考生是「{known}」",
                )
            )
        entries.append(
            {"id_number": id_number, "scores": {s: _score(values.get(s)) for s in subjects}}
        )
        entry_rows.append(number)
    if entries:
        try:
            check_results(batch, entries)
        except InvalidInput as exc:
            errors.extend(_result_errors(exc, entry_rows, subjects))
    if errors:
        raise _results_invalid(batch, sheet, errors, columns)
    try:
        enter_results(batch, {"results": entries}, actor=actor)
    except RowsInvalid:
        raise
    except InvalidInput as exc:
        if not exc.fields:
            raise
        raise _results_invalid(
            batch, sheet, _result_errors(exc, entry_rows, subjects), columns
        ) from None
    return len(entries)


def _score(value: object) -> object:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _result_errors(exc: InvalidInput, entry_rows: list[int], subjects: list[str]) -> list[RowError]:
    """The results service's field errors (``results[i].scores.<subject>``) as row errors."""
    mapped: list[RowError] = []
    for field, messages in exc.fields.items():
        match = _RESULT_FIELD.fullmatch(field)
        if match is None or int(match.group(1)) >= len(entry_rows):
            raise exc
        row = entry_rows[int(match.group(1))]
        part, subject = match.group(2), match.group(3)
        if part == "scores" and subject in subjects:
            column = subject
        elif part == "scores" and subjects:
            column = subjects[0]
        else:
            column = ID_COLUMN
        mapped.extend(RowError(row, column, message) for message in messages)
    return mapped


def _results_invalid(
    batch: Batch, sheet: SheetData, errors: list[RowError], columns: Sequence[str]
) -> RowsInvalid:
    order = {name: index for index, name in enumerate(columns)}
    errors = sorted(errors, key=lambda e: (e.row, order.get(e.column, len(order))))
    report = candidate_error_report(
        sheet.header,
        sheet.rows,
        errors,
        header_row=sheet.header_row,
        sheet_name=RESULTS_SHEET,
        text_columns=(NAME_COLUMN, ID_COLUMN),
    )
    token = save_report(batch, report)
    error = RowsInvalid(
        errors, message=f"成绩表有 {len(errors)} 处错误，未录入任何成绩，请修改后重新提交"
    )
    error.extra["report"] = report_url(batch, token, kind="results")
    return error
