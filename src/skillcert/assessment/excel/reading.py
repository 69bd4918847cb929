"""Reading an uploaded .xlsx: the first sheet, its header checked, its rows as cached values.

Files are read with python-calamine, which reads the values a spreadsheet program cached:
formulas are never evaluated and a formula's text is never read. The sheet and column names
shared by the roster, the score sheet and the reports are declared here.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter

import python_calamine

from skillcert.rules.assessment import CANDIDATE_COLUMNS, MAX_CANDIDATES, REQUIRED_COLUMNS
from skillcert.rules.errors import InvalidInput, TooLarge

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
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected workbooks


@dataclass(frozen=True)
class SheetData:
    """The first sheet of an upload: its header cells (from column A, blank for a column
    without a name), the header's row number, and each non-empty row after it."""

    header: list[str]
    header_row: int
    rows: list[tuple[int, dict[str, object]]]


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


def _picker(indexes: list[int]) -> Callable[[Sequence[object]], tuple[object, ...]]:
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
        raise WrongHeaders(
            "第一个工作表的表头不正确，"
            + "；".join(problems)
            + f"。表头应为：{'、'.join(allowed)}（列的顺序不限），请使用导入模板，勿修改表头",
            missing=missing,
            unknown=unknown,
            duplicate=duplicates,
        )
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


class WrongHeaders(InvalidInput):
    """A header row that is not the template's (400 ``wrong_headers``, as a file error), with
    the columns missing, unknown and repeated in ``extra``."""

    def __init__(
        self, message: str, *, missing: list[str], unknown: list[str], duplicate: list[str]
    ) -> None:
        super().__init__(message, code="wrong_headers", fields={"file": [message]})
        self.extra = {"missing": missing, "unknown": unknown, "duplicate": duplicate}


def _not_xlsx() -> InvalidInput:
    return _file_error(
        "invalid_file",
        "文件不是有效的 Excel 工作簿（.xlsx），或已损坏：请用 Excel 或 WPS 另存为 .xlsx 后上传",
    )
