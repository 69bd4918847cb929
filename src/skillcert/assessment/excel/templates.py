"""The empty workbooks offered for download: the candidate roster (with dropdowns and a guide
sheet) and a batch's score sheet (its candidates listed, scores already entered filled in).
"""

from __future__ import annotations

import io
from decimal import Decimal

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

from skillcert.assessment.excel.reading import (
    CANDIDATE_SHEET,
    GUIDE_SHEET,
    ID_COLUMN,
    NAME_COLUMN,
    RESULTS_SHEET,
)
from skillcert.assessment.excel.writing import _TEMPLATE_WIDTHS, _WRITE_OPTIONS, _header_format
from skillcert.assessment.models import Batch
from skillcert.documents.xlsx import write_text
from skillcert.rules.assessment import CANDIDATE_COLUMNS, MAX_CANDIDATES, REQUIRED_COLUMNS
from skillcert.rules.idtypes import ID_TYPES
from skillcert.rules.levels import Level, level_name
from skillcert.rules.regions import ANHUI

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
