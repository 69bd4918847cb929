"""Error reports: a copy of the upload with each bad cell marked, stored in the file storage
as ``reports/batch-<id>/<token>.xlsx`` behind an unguessable token and kept for seven days.

A refused upload of at most ``REPORT_JOB_ROWS`` rows has its report rendered in the request
(``candidate_error_report``, ``save_report``). A larger one (up to 20,000 rows, seconds of
rendering) has it rendered by a background job (``skillcert.jobs``, kind ``error_report``,
subject ``report:<batch>:<token>``): the request reserves the token at once, so the URL in
the error's ``extra["report"]`` is the same either way, stores what the renderer needs as
``reports/batch-<id>/<token>.input.json.gz`` (JSON with a tagged encoding of numbers, dates
and times, never pickle) and queues ``render_report_job``, which renders the report under the
token's name, exactly as the request would have, and removes the input.

``report_status`` tells a download what the token finds: the report (``ready``), a job still
queued or running (``pending``: the API answers 409 ``report_pending``), a failed job
(``failed``: 404 ``report_failed``, upload again), or nothing (``missing``: 404 as ever).
Reports, inputs and finished jobs older than seven days are removed when the batch's next
report is made.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import xlsxwriter
from django.utils import timezone

from skillcert.accounts.models import User
from skillcert.assessment.excel.reading import CANDIDATE_SHEET, ERROR_COLUMN, SUMMARY_SHEET
from skillcert.assessment.excel.writing import (
    _TEMPLATE_WIDTHS,
    _WRITE_OPTIONS,
    _header_format,
    _write_value,
)
from skillcert.assessment.models import Batch
from skillcert.audit.service import Actor
from skillcert.documents import files
from skillcert.documents.xlsx import write_text
from skillcert.jobs import service as jobs
from skillcert.jobs.models import Job, JobPhase
from skillcert.rules.assessment import CANDIDATE_COLUMNS, RowError
from skillcert.rules.errors import Conflict, DomainError, NotFound

REPORT_MAX_AGE = dt.timedelta(days=7)
REPORTS = "reports"  # the folder in the file storage
# An upload with more rows than this has its report rendered by a background job.
REPORT_JOB_ROWS = 2000
REPORT_JOB_KIND = "error_report"
REPORT_PENDING = "错误标注文件正在生成，请稍后再下载"
REPORT_FAILED = "错误标注文件生成失败，请重新上传该文件，系统将重新标注错误"
INPUT_GONE = "错误标注文件的原始数据已被清理，无法生成，请重新上传该文件"
_INPUT_SUFFIX = ".input.json.gz"
_INPUT_FORMAT = "skillcert-error-report-input"
_INPUT_VERSION = 1
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")
_SUBJECT = re.compile(r"report:(\d+):([A-Za-z0-9_-]{32,64})")
_KIND_TITLES = {"candidates": "考生名单", "results": "成绩表"}
_PLAIN = frozenset({str, bool, type(None)})  # JSON's own values (exact types: not subclasses)


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


def _report_folder(batch: Batch | int) -> str:
    batch_id = batch if isinstance(batch, int) else batch.pk
    return f"{REPORTS}/batch-{int(batch_id)}"


def _input_name(batch_id: int, token: str) -> str:
    return f"{_report_folder(batch_id)}/{token}{_INPUT_SUFFIX}"


def _subject(batch_id: int, token: str) -> str:
    return f"report:{int(batch_id)}:{token}"


def _reserve_token(batch: Batch) -> str:
    """A new token for a report of the batch, after removing the batch's reports, report
    inputs and finished report jobs older than REPORT_MAX_AGE."""
    folder = _report_folder(batch)
    files.prune(folder, REPORT_MAX_AGE)
    Job.objects.filter(
        kind=REPORT_JOB_KIND,
        subject__startswith=f"report:{int(batch.pk)}:",
        phase__in=(JobPhase.DONE, JobPhase.FAILED),
        updated__lt=timezone.now() - REPORT_MAX_AGE,
    ).delete()
    return secrets.token_urlsafe(32)


def save_report(batch: Batch, content: bytes) -> str:
    """Store an error report of the batch; the token that finds it (kept for 7 days)."""
    token = _reserve_token(batch)
    files.save(f"{_report_folder(batch)}/{token}.xlsx", content)
    return token


def error_report_url(
    batch: Batch,
    header: list[str],
    rows: list[tuple[int, dict[str, object]]],
    errors: list[RowError],
    *,
    kind: Literal["candidates", "results"],
    actor: Actor,
    header_row: int = 1,
    sheet_name: str = CANDIDATE_SHEET,
    text_columns: Sequence[str] = CANDIDATE_COLUMNS,
) -> str:
    """The URL of the refused upload's error report (for ``extra["report"]``).

    Up to REPORT_JOB_ROWS rows it is rendered and stored now; above, its token is reserved,
    the renderer's input stored and a job queued to render it under the same name: the URL
    is the same, and answers "pending" until the job is done.
    """
    arguments: dict[str, Any] = {
        "header_row": header_row,
        "sheet_name": sheet_name,
        "text_columns": list(text_columns),
    }
    if len(rows) <= REPORT_JOB_ROWS:
        token = save_report(batch, candidate_error_report(header, rows, errors, **arguments))
        return report_url(batch, token, kind=kind)
    token = _reserve_token(batch)
    files.save(_input_name(batch.pk, token), encode_input(header, rows, errors, **arguments))
    jobs.start(
        kind=REPORT_JOB_KIND,
        subject=_subject(batch.pk, token),
        title=f"{batch.title}：{_KIND_TITLES[kind]}错误标注文件",
        owner_id=actor.pk if isinstance(actor, User) else None,
        job=render_report_job,
        total=len(rows),
    )
    return report_url(batch, token, kind=kind)


@jobs.job_task
def render_report_job(job: Job) -> None:
    """Render a large upload's error report from its stored input, under the token's name."""
    match = _SUBJECT.fullmatch(job.subject)
    if match is None:
        raise NotFound(INPUT_GONE, code="report_input_missing")
    batch_id, token = int(match.group(1)), match.group(2)
    source = _input_name(batch_id, token)
    data = files.read(source)
    if data is None:
        raise NotFound(INPUT_GONE, code="report_input_missing")
    header, rows, errors, arguments = decode_input(data)
    jobs.report(job, 0, len(rows))
    content = candidate_error_report(header, rows, errors, **arguments)
    name = f"{_report_folder(batch_id)}/{token}.xlsx"
    files.replace(name, content)  # an earlier attempt of a worker that died may have left it
    files.delete(source)
    jobs.complete(job, output=name, size=len(content))


# --- the job's input: JSON with tagged values -----------------------------------------------
# Strings, booleans and empty cells are JSON's own; every other value the readers give (floats
# from python-calamine, dates, datetimes, times, durations) is a one-key object naming its
# type, so the job writes exactly what the request would have written.


def encode_input(
    header: list[str],
    rows: list[tuple[int, dict[str, object]]],
    errors: list[RowError],
    *,
    header_row: int,
    sheet_name: str,
    text_columns: Sequence[str],
) -> bytes:
    """What ``candidate_error_report`` needs, as gzipped JSON (see ``decode_input``)."""
    document = {
        "format": _INPUT_FORMAT,
        "version": _INPUT_VERSION,
        "header": [str(name) for name in header],
        "header_row": int(header_row),
        "sheet_name": str(sheet_name),
        "text_columns": [str(name) for name in text_columns],
        "rows": [
            [
                int(number),
                {
                    str(name): value if type(value) in _PLAIN else _encode_value(value)
                    for name, value in values.items()
                },
            ]
            for number, values in rows
        ],
        "errors": [[int(e.row), str(e.column), str(e.message)] for e in errors],
    }
    text = json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), compresslevel=5)


def decode_input(
    data: bytes,
) -> tuple[list[str], list[tuple[int, dict[str, object]]], list[RowError], dict[str, Any]]:
    """The header, rows, errors and keyword arguments of ``candidate_error_report`` stored by
    ``encode_input``; ValueError when it is not such a document."""
    document = json.loads(gzip.decompress(data).decode("utf-8"))
    if (
        not isinstance(document, dict)
        or document.get("format") != _INPUT_FORMAT
        or document.get("version") != _INPUT_VERSION
    ):
        raise ValueError("not an error report input")
    rows: list[tuple[int, dict[str, object]]] = [
        (
            int(number),
            {
                name: value if type(value) in _PLAIN else _decode_value(value)
                for name, value in values.items()
            },
        )
        for number, values in document["rows"]
    ]
    errors = [RowError(int(row), column, message) for row, column, message in document["errors"]]
    arguments = {
        "header_row": int(document["header_row"]),
        "sheet_name": document["sheet_name"],
        "text_columns": list(document["text_columns"]),
    }
    return list(document["header"]), rows, errors, arguments


def _encode_value(value: object) -> object:
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int):
        return {"int": str(value)}
    if isinstance(value, float):
        return {"float": repr(value)}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, dt.datetime):  # before date: a datetime is a date
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"time": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"timedelta": [value.days, value.seconds, value.microseconds]}
    return {"text": str(value)}  # written as its text, as ``_write_value`` does


def _decode_value(value: object) -> object:
    if value is None or isinstance(value, str | bool):
        return value
    if not isinstance(value, dict) or len(value) != 1:
        raise ValueError(f"untagged value in an error report input: {value!r}")
    [(tag, raw)] = value.items()
    if tag == "int":
        return int(raw)
    if tag == "float":
        return float(raw)
    if tag == "decimal":
        return Decimal(raw)
    if tag == "datetime":
        return dt.datetime.fromisoformat(raw)
    if tag == "date":
        return dt.date.fromisoformat(raw)
    if tag == "time":
        return dt.time.fromisoformat(raw)
    if tag == "timedelta":
        days, seconds, microseconds = raw
        return dt.timedelta(days=days, seconds=seconds, microseconds=microseconds)
    if tag == "text":
        return str(raw)
    raise ValueError(f"unknown tag in an error report input: {tag!r}")


# --- finding a report ------------------------------------------------------------------------


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


@dataclass(frozen=True)
class ReportStatus:
    """What a report's token finds: ``ready`` (``name`` is the stored report), ``pending``
    (its job is queued or running), ``failed`` (its job failed) or ``missing``."""

    state: Literal["ready", "pending", "failed", "missing"]
    name: str | None = None
    job: Job | None = None

    @property
    def pending(self) -> bool:
        """Its job is still making it (the page says so and offers the link again)."""
        return self.state == "pending"


def report_status(batch: Batch, token: str) -> ReportStatus:
    """The state of this batch's report with this token (see ``ReportStatus``)."""
    name = report_name(batch, token)
    if name is not None:
        return ReportStatus("ready", name=name)
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return ReportStatus("missing")
    job = (
        Job.objects.filter(
            kind=REPORT_JOB_KIND,
            subject=_subject(batch.pk, token),
            created__gte=timezone.now() - REPORT_MAX_AGE,
        )
        .order_by("-created")
        .first()
    )
    if job is None or job.phase == JobPhase.DONE:  # done, and its report since removed
        return ReportStatus("missing", job=job)
    if job.phase == JobPhase.FAILED:
        return ReportStatus("failed", job=job)
    return ReportStatus("pending", job=job)


def report_refusal(status: ReportStatus) -> DomainError | None:
    """Why a report that is not ready cannot be downloaded now: 409 ``report_pending`` while
    its job runs, 404 ``report_failed`` when the job failed; None when it is simply absent."""
    if status.state == "pending":
        return Conflict(REPORT_PENDING, code="report_pending")
    if status.state == "failed":
        return NotFound(REPORT_FAILED, code="report_failed")
    return None


def report_url(batch: Batch, token: str, *, kind: str) -> str:
    """Where the API serves a report: ``kind`` is ``candidates`` or ``results``."""
    return f"/api/v1/batches/{batch.pk}/{kind}-report/{token}.xlsx"
