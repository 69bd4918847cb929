"""Importing the roster of ``POST /api/v1/batches/{id}/candidates.xlsx``: every row is
checked by ``RowCheck``, the same check as the JSON candidates, and one bad row refuses
the whole file (400 with every bad row, and an error report to download).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from skillcert.assessment.excel.reading import (
    ID_COLUMN,
    NUMERIC_ID_MESSAGE,
    _is_number,
    _read_candidates,
)
from skillcert.assessment.excel.reports import error_report_url
from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.assessment.models import Batch
from skillcert.assessment.services.plan_input import RowsInvalid
from skillcert.assessment.services.plans import plan_index, replace_candidates
from skillcert.audit.service import Actor
from skillcert.rules import clock
from skillcert.rules.assessment import CandidateRow, PlanIndex, RowCheck, RowError


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


def import_candidates(batch: Batch, data: bytes, *, actor: Actor) -> int:
    """Replace the candidates of a draft batch from a roster file; the number imported.

    Any bad row refuses the whole file: RowsInvalid with every error and ``extra["report"]``,
    the URL of the marked copy (rendered by a background job for a large file, see
    ``reports``). Nothing is changed then.
    """
    BATCH_MACHINE.check(batch, "edit", actor)
    sheet = _read_candidates(data)
    rows, errors = check_candidate_rows(sheet.rows, plan_index(batch), today=clock.today())
    if errors:
        error = RowsInvalid(errors)
        error.extra["report"] = error_report_url(
            batch,
            sheet.header,
            sheet.rows,
            errors,
            kind="candidates",
            actor=actor,
            header_row=sheet.header_row,
        )
        raise error
    replace_candidates(batch, rows, actor=actor, source="excel")
    return len(rows)
