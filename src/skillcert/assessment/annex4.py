"""附件4 职业技能等级认定结果汇总表: a batch's results as the paper form of the notice.

One sheet, A4 landscape, one page wide: the title, 填报单位 and 填报日期, the batch's figures
(认定时间, 备案人数, 考生来源, 认定人数, 合格人数), the passed count per 认定工种 and level with a
合计 row, and the two sign-off boxes of the accepting center and bureau side by side.

Every text goes through ``write_text`` (a string cell, never a formula); every count is a
number computed here, the 合计 included, so the file holds no formula at all.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from typing import Any

import xlsxwriter
from django.db.models import Count, Q
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from skillcert.assessment.models import Batch, Candidate
from skillcert.documents.xlsx import merge_text, write_text
from skillcert.rules.levels import ANNEX4_COLUMNS, level_short_name

TITLE = "职业技能等级认定结果汇总表"
# The column titles of the table, from the lowest level up (附件4: 初级 … 高级技师).
LEVEL_TITLES: tuple[str, ...] = tuple(
    level_short_name(level).removesuffix("工") for level in ANNEX4_COLUMNS
)
# The accepting authorities' boxes, worded as in the notice's form (the batch may be filed
# with a city's center or, for the province channel, the provincial center).
CENTER_BOX = "受理备案的人社部门所属职业技能鉴定（指导）中心意见"
BUREAU_BOX = "受理备案的人力资源社会保障行政部门意见"
NOTE = "备注：本表一式三份，评价机构、市人力资源社会保障部门、省职业技能鉴定中心分别留存。"
FONT = "宋体"
COLUMNS = 7  # 认定工种 + five levels + 小计
LAST = COLUMNS - 1


def occupation_label(name: str, work_type: str) -> str:
    """认定工种 as printed: the occupation, with its work type in brackets when it has one."""
    return f"{name}（{work_type}）" if work_type else name


def sources_summary(counts: Counter[str]) -> str:
    """考生来源, e.g. "企业职工 30、社会人员 12": the largest group first."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "、".join(f"{source or '未填写'} {count}" for source, count in ordered)


def annex4_figures(batch: Batch) -> dict[str, Any]:
    """What the form shows, computed from the batch (four queries)."""
    candidates = Candidate.objects.filter(batch=batch)
    totals = candidates.aggregate(
        total=Count("pk"),
        absent=Count("pk", filter=Q(attended=False)),
        passed=Count("pk", filter=Q(passed=True)),
    )
    sources: Counter[str] = Counter(
        dict(candidates.values_list("source").annotate(n=Count("pk")).values_list("source", "n"))
    )
    # One row per 认定工种: every occupation and work type of the plan (0 when nobody passed),
    # and any a candidate holds that the plan lacks.
    labels: dict[tuple[str, str], str] = {}
    for code, name, work_type in batch.items.values_list(
        "occupation_code", "occupation_name", "work_type"
    ).order_by("occupation_code", "work_type"):
        labels.setdefault((code, work_type), occupation_label(name, work_type))
    passed: dict[tuple[str, str], dict[int, int]] = {}
    for code, name, work_type, level, n in (
        candidates.filter(passed=True)
        .values_list("occupation_code", "occupation_name", "work_type", "level")
        .annotate(n=Count("pk"))
        .values_list("occupation_code", "occupation_name", "work_type", "level", "n")
    ):
        labels.setdefault((code, work_type), occupation_label(name, work_type))
        by_level = passed.setdefault((code, work_type), {})
        by_level[level] = by_level.get(level, 0) + n
    rows = []
    for key in sorted(labels):
        by_level = passed.get(key, {})
        counts = [by_level.get(int(level), 0) for level in ANNEX4_COLUMNS]
        rows.append((labels[key], counts))
    return {
        "total": totals["total"],
        "attended": totals["total"] - totals["absent"],
        "passed": totals["passed"],
        "sources": sources_summary(sources),
        "rows": rows,
        "column_totals": [sum(counts[i] for _, counts in rows) for i in range(len(ANNEX4_COLUMNS))],
    }


def annex4(batch: Batch, *, filled_on: dt.date | None = None) -> bytes:
    """附件4 for a batch as .xlsx bytes.

    填报日期 is the day the results were filed (``results_filed_on``), blank before that, so
    the form says the same whenever it is downloaded; ``filled_on`` overrides it.
    """
    batch = Batch.objects.select_related("organization").get(pk=batch.pk)
    figures = annex4_figures(batch)
    filled_on = filled_on or batch.results_filed_on
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    try:
        _write_sheet(workbook, batch, figures, filled_on)
    finally:
        workbook.close()
    return buffer.getvalue()


def _formats(workbook: xlsxwriter.Workbook) -> dict[str, Format]:
    base = {"font_name": FONT, "font_size": 11, "valign": "vcenter", "text_wrap": True}
    boxed = {**base, "border": 1}

    def add(**options: Any) -> Format:
        return workbook.add_format(options)

    return {
        "title": add(**{**base, "font_size": 18, "bold": True, "align": "center"}),
        "plain": add(**base),
        "plain_right": add(**{**base, "align": "right"}),
        "label": add(**{**boxed, "align": "center", "bold": True}),
        "cell": add(**{**boxed, "align": "left", "indent": 1}),
        "number": add(**{**boxed, "align": "center", "num_format": "0"}),
        "total": add(**{**boxed, "align": "center", "bold": True, "num_format": "0"}),
        "box_title": add(
            **{**base, "bold": True, "align": "left", "top": 1, "left": 1, "right": 1}
        ),
        "box_body": add(**{**base, "left": 1, "right": 1}),
        "box_line": add(**{**base, "align": "right", "left": 1, "right": 1}),
        "box_last": add(**{**base, "align": "right", "left": 1, "right": 1, "bottom": 1}),
        "note": add(**{**base, "font_size": 10}),
    }


def _write_sheet(
    workbook: xlsxwriter.Workbook,
    batch: Batch,
    figures: dict[str, Any],
    filled_on: dt.date | None,
) -> None:
    f = _formats(workbook)
    sheet = workbook.add_worksheet("附件4")
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, LAST, 13)
    sheet.hide_gridlines(2)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    sheet.center_horizontally()
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)

    row = 0
    sheet.set_row(row, 36)
    merge_text(sheet, row, 0, row, LAST, TITLE, f["title"])
    row += 1
    sheet.set_row(row, 24)
    merge_text(sheet, row, 0, row, 3, f"填报单位（章）：{batch.organization.name}", f["plain"])
    filled = filled_on.isoformat() if filled_on else "　" * 6  # room to write it in by hand
    merge_text(sheet, row, 4, row, LAST, f"填报日期：{filled}", f["plain_right"])

    row += 1
    sheet.set_row(row, 24)
    write_text(sheet, row, 0, "认定时间", f["label"])
    period = f"{batch.start_date.isoformat()} 至 {batch.end_date.isoformat()}"
    merge_text(sheet, row, 1, row, 3, period, f["cell"])
    write_text(sheet, row, 4, "备案人数", f["label"])
    sheet.merge_range(row, 5, row, LAST, figures["total"], f["number"])
    row += 1
    sheet.set_row(row, 36)
    write_text(sheet, row, 0, "考生来源", f["label"])
    merge_text(sheet, row, 1, row, LAST, figures["sources"], f["cell"])
    row += 1
    sheet.set_row(row, 24)
    write_text(sheet, row, 0, "认定人数", f["label"])
    sheet.merge_range(row, 1, row, 3, figures["attended"], f["number"])
    write_text(sheet, row, 4, "合格人数", f["label"])
    sheet.merge_range(row, 5, row, LAST, figures["passed"], f["number"])

    row += 1
    sheet.set_row(row, 24)
    sheet.set_row(row + 1, 24)
    merge_text(sheet, row, 0, row + 1, 0, "认定工种", f["label"])
    merge_text(sheet, row, 1, row, LAST, "等级及合格人数", f["label"])
    row += 1
    for col, title in enumerate((*LEVEL_TITLES, "小计"), start=1):
        write_text(sheet, row, col, title, f["label"])
    for label, counts in figures["rows"]:
        row += 1
        sheet.set_row(row, 22)
        write_text(sheet, row, 0, label, f["cell"])
        for col, count in enumerate((*counts, sum(counts)), start=1):
            sheet.write_number(row, col, count, f["number"])
    row += 1
    sheet.set_row(row, 22)
    write_text(sheet, row, 0, "合计", f["label"])
    column_totals = figures["column_totals"]
    for col, count in enumerate((*column_totals, sum(column_totals)), start=1):
        sheet.write_number(row, col, count, f["total"])

    row += 2
    _sign_off_boxes(sheet, row, f)
    row += 5
    merge_text(sheet, row, 0, row, LAST, NOTE, f["note"])
    sheet.print_area(0, 0, row, LAST)


def _sign_off_boxes(sheet: Worksheet, row: int, f: dict[str, Format]) -> None:
    """The center's box (A-C) and the bureau's (D-G), side by side, each: the title, room
    for the opinion, （盖章）, and 负责人 with 年　月　日."""
    for first, last, title in ((0, 2, CENTER_BOX), (3, LAST, BUREAU_BOX)):
        merge_text(sheet, row, first, row, last, title, f["box_title"])
        sheet.merge_range(row + 1, first, row + 1, last, "", f["box_body"])
        merge_text(sheet, row + 2, first, row + 2, last, "（盖章）　　　　", f["box_line"])
        merge_text(
            sheet, row + 3, first, row + 3, last, "负责人：　　　　　　年　月　日　", f["box_last"]
        )
    sheet.set_row(row, 30)
    sheet.set_row(row + 1, 90)
    sheet.set_row(row + 2, 24)
    sheet.set_row(row + 3, 24)
