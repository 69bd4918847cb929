"""Error reports: a copy of the upload with each bad cell marked, stored in the file storage
as ``reports/batch-<id>/<token>.xlsx`` behind an unguessable token and kept for seven days.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets
from collections.abc import Sequence

import xlsxwriter
from django.utils import timezone

from skillcert.assessment.excel.reading import CANDIDATE_SHEET, ERROR_COLUMN, SUMMARY_SHEET
from skillcert.assessment.excel.writing import (
    _TEMPLATE_WIDTHS,
    _WRITE_OPTIONS,
    _header_format,
    _write_value,
)
from skillcert.assessment.models import Batch
from skillcert.documents import files
from skillcert.documents.xlsx import write_text
from skillcert.rules.assessment import CANDIDATE_COLUMNS, RowError

REPORT_MAX_AGE = dt.timedelta(days=7)
REPORTS = "reports"  # the folder in the file storage
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


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
            column = position.get(name)
            if column is None:
                continue
            messages = by_cell.get((number, name))
            if messages:
                style = bad_text if name in text_set else bad
                _write_value(sheet, at, column, value, style)
                sheet.write_comment(
                    at, column, "\n".join(messages), {"x_scale": 2.5, "y_scale": 1.5}
                )
            else:
                _write_value(sheet, at, column, value, None)
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


def _report_folder(batch: Batch) -> str:
    return f"{REPORTS}/batch-{int(batch.pk)}"


def save_report(batch: Batch, content: bytes) -> str:
    """Store an error report of the batch; the token that finds it (kept for 7 days)."""
    folder = _report_folder(batch)
    files.prune(folder, REPORT_MAX_AGE)
    token = secrets.token_urlsafe(32)
    files.save(f"{folder}/{token}.xlsx", content)
    return token


def report_name(batch: Batch, token: str) -> str | None:
    """The stored name of this batch's report with this token; None when the token is
    malformed (never a path from the request), or the report is absent or older than 7 days."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    name = f"{_report_folder(batch)}/{token}.xlsx"
    stored_at = files.modified(name)
    if stored_at is None or timezone.now() - stored_at > REPORT_MAX_AGE:
        return None
    return name


def report_url(batch: Batch, token: str, *, kind: str) -> str:
    """Where the API serves a report: ``kind`` is ``candidates`` or ``results``."""
    return f"/api/v1/batches/{batch.pk}/{kind}-report/{token}.xlsx"
