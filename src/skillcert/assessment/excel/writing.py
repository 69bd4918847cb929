"""What every workbook written here shares: XlsxWriter options that keep text text, the
column widths, the header style, and writing a cached value back as it was read.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from skillcert.documents.xlsx import write_text

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


def _header_format(workbook: Workbook) -> Format:
    return workbook.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center", "valign": "vcenter"}
    )


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
