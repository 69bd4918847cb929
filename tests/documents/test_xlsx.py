"""Text written to spreadsheets stays text: no formula and no markup can come from data."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
import xlsxwriter

from skillcert.documents.xlsx import write_text

HOSTILE = [
    '=HYPERLINK("http://evil.example","点我")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    '<r><f>HYPERLINK("http://evil.example")</f></r>',
    "<r><t>看起来正常</t></r>",
    "普通文本",
]


@pytest.mark.parametrize("constant_memory", [False, True])
def test_hostile_text_comes_back_as_the_same_text(constant_memory):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": constant_memory, "in_memory": True})
    sheet = book.add_worksheet()
    for row, text in enumerate(HOSTILE):
        write_text(sheet, row, 0, text)
    book.close()
    sheet_xml = zipfile.ZipFile(io.BytesIO(buffer.getvalue())).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml  # no formula element anywhere
    read = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    for row, text in enumerate(HOSTILE, start=1):
        cell = read.cell(row=row, column=1)
        assert cell.data_type == "s"
        assert cell.value == text
