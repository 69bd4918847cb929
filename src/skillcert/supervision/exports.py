"""Statistics and talent-statistics workbooks (.xlsx), every text cell written as text."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter

from skillcert.documents.xlsx import write_text
from skillcert.rules.idtypes import ID_TYPES
from skillcert.rules.levels import level_name
from skillcert.rules.regions import ANHUI

SECTIONS = (
    ("certificates_by_city", "按地市", "地市"),
    ("certificates_by_occupation", "按职业", "职业"),
    ("certificates_by_level", "按等级", "等级"),
    ("certificates_by_month", "按月份", "月份"),
    ("organizations_by_status", "评价组织状态", "状态"),
    ("deadlines", "办理时限", "事项"),
)


def statistics_workbook(figures: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "border": 1, "bg_color": "#F0F3F7"})
    cell = book.add_format({"border": 1})
    summary = book.add_worksheet("概况")
    summary.set_column(0, 0, 18)
    summary.set_column(1, 1, 40)
    rows = [
        ("统计范围", figures["authority"]),
        ("统计期间", f"{figures['from']} 至 {figures['to']}"),
        ("发证数量", str(figures["certificates_total"])),
        ("其中已撤销", str(figures["certificates_revoked"])),
    ]
    for index, (label, value) in enumerate(rows):
        write_text(summary, index, 0, label, bold)
        write_text(summary, index, 1, value, cell)
    for key, sheet_name, column in SECTIONS:
        sheet = book.add_worksheet(sheet_name)
        sheet.set_column(0, 0, 30)
        sheet.set_column(1, 1, 12)
        write_text(sheet, 0, 0, column, bold)
        write_text(sheet, 0, 1, "数量", bold)
        for row, (label, count) in enumerate(figures[key].items(), start=1):
            write_text(sheet, row, 0, str(label), cell)
            sheet.write_number(row, 1, count, cell)
    book.close()
    return buffer.getvalue()


TALENT_HEADER = (
    "姓名",
    "证件类型",
    "证件号码",
    "职业名称",
    "工种",
    "职业技能等级",
    "证书编号",
    "发证日期",
    "评价机构",
    "考生所在地市",
)


def talent_workbook(certificates: Any) -> bytes:
    """Certified persons for the HR talent statistics (人才统计); officers only."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet("取证人员")
    bold = book.add_format({"bold": True})
    for col, title in enumerate(TALENT_HEADER):
        write_text(sheet, 0, col, title, bold)
        sheet.set_column(col, col, 16 if col != 8 else 30)
    fields = (
        "name",
        "id_type",
        "id_number",
        "occupation_name",
        "work_type",
        "level",
        "number",
        "issued_on",
        "organization_name",
        "city",
    )
    for row, values in enumerate(
        certificates.values_list(*fields).iterator(chunk_size=2000), start=1
    ):
        name, id_type, id_number, occupation, work_type, level, number, issued, org, city = values
        texts = (
            name,
            ID_TYPES[id_type].name if id_type in ID_TYPES else id_type,
            id_number,
            occupation,
            work_type or "——",
            level_name(level),
            number,
            issued.isoformat(),
            org,
            ANHUI.city(city).name if ANHUI.has_city(city) else city,
        )
        for col, text in enumerate(texts):
            write_text(sheet, row, col, text)
    book.close()
    return buffer.getvalue()


RATINGS_SUMMARY_HEADER = ("办理部门", "评价数", "平均分", "好评（4-5 分）")
RATINGS_DETAIL_HEADER = (
    "评价时间",
    "办理部门",
    "办理事项",
    "办件编号",
    "评分",
    "评价等级",
    "评价内容",
    "评价单位",
)


def ratings_workbook(found: Any) -> bytes:
    """好差评 of the ratings ``found`` (a queryset an officer may read): the summary per
    authority as the page shows it, and every rating with its comment (the page shows the
    latest only)."""
    from django.utils import timezone

    from skillcert.supervision import ratings

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "border": 1, "bg_color": "#F0F3F7"})
    cell = book.add_format({"border": 1})
    wrap = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})

    summary = book.add_worksheet("评价汇总")
    header = (
        *RATINGS_SUMMARY_HEADER,
        *(f"{score} 分（{ratings.SCORE_LABELS[score]}）" for score in reversed(ratings.SCORES)),
    )
    for col, title in enumerate(header):
        write_text(summary, 0, col, title, bold)
        summary.set_column(col, col, 18 if col == 0 else 13)
    rows = ratings.statistics(found)
    for row_no, row in enumerate(rows, start=1):
        write_text(summary, row_no, 0, row["authority"], cell)
        figures = (
            row["count"],
            row["average"],
            row["good"],
            *(row["distribution"][score] for score in reversed(ratings.SCORES)),
        )
        for col, figure in enumerate(figures, start=1):
            summary.write_number(row_no, col, figure, cell)
    total = ratings.overall(found)
    last = len(rows) + 1
    write_text(summary, last, 0, "合计", bold)
    summary.write_number(last, 1, total["count"], bold)
    if total["average"] is not None:
        summary.write_number(last, 2, total["average"], bold)
    summary.freeze_panes(1, 1)

    detail = book.add_worksheet("评价明细")
    widths = (17, 18, 12, 22, 6, 11, 48, 30)
    for col, title in enumerate(RATINGS_DETAIL_HEADER):
        write_text(detail, 0, col, title, bold)
        detail.set_column(col, col, widths[col])
    listed = list(found.select_related("authority", "rated_by__membership__organization"))
    numbers = ratings.case_numbers([rating.subject for rating in listed])
    for row_no, rating in enumerate(listed, start=1):
        membership = getattr(rating.rated_by, "membership", None)
        texts = (
            timezone.localtime(rating.at).strftime("%Y-%m-%d %H:%M"),
            rating.authority.name,
            ratings.subject_noun(rating.subject),
            numbers.get(rating.subject, ""),
        )
        for col, text in enumerate(texts):
            write_text(detail, row_no, col, text, cell)
        detail.write_number(row_no, 4, rating.score, cell)
        write_text(detail, row_no, 5, ratings.SCORE_LABELS[rating.score], cell)
        write_text(detail, row_no, 6, rating.comment, wrap)
        write_text(detail, row_no, 7, membership.organization.name if membership else "", cell)
    detail.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
