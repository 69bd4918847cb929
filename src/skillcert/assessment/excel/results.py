"""Importing a score sheet: scores per subject, entered through the results service; its
field errors are mapped back to sheet rows and columns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from skillcert.assessment.excel.reading import (
    ID_COLUMN,
    NAME_COLUMN,
    NUMERIC_ID_MESSAGE,
    RESULTS_SHEET,
    SheetData,
    _is_number,
    _text,
    read_sheet,
)
from skillcert.assessment.excel.reports import error_report_url
from skillcert.assessment.excel.templates import _result_columns
from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.assessment.models import Batch
from skillcert.assessment.services.plan_input import RowsInvalid
from skillcert.assessment.services.results import check_results, enter_results
from skillcert.audit.service import Actor
from skillcert.rules.assessment import RowError
from skillcert.rules.errors import InvalidInput
from skillcert.rules.idtypes import normalize_id_number

_RESULT_FIELD = re.compile(r"results\[(\d+)\](?:\.(id_number|scores)(?:\.(.+))?)?")


def import_results(batch: Batch, data: bytes, *, actor: Actor) -> int:
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
        raise _results_invalid(batch, sheet, errors, columns, actor)
    try:
        enter_results(batch, {"results": entries}, actor=actor)
    except RowsInvalid:
        raise
    except InvalidInput as exc:
        if not exc.fields:
            raise
        raise _results_invalid(
            batch, sheet, _result_errors(exc, entry_rows, subjects), columns, actor
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
    batch: Batch, sheet: SheetData, errors: list[RowError], columns: Sequence[str], actor: Actor
) -> RowsInvalid:
    order = {name: index for index, name in enumerate(columns)}
    errors = sorted(errors, key=lambda e: (e.row, order.get(e.column, len(order))))
    error = RowsInvalid(
        errors, message=f"成绩表有 {len(errors)} 处错误，未录入任何成绩，请修改后重新提交"
    )
    error.extra["report"] = error_report_url(
        batch,
        sheet.header,
        sheet.rows,
        errors,
        kind="results",
        actor=actor,
        header_row=sheet.header_row,
        sheet_name=RESULTS_SHEET,
        text_columns=(NAME_COLUMN, ID_COLUMN),
    )
    return error
