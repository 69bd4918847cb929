"""Writing spreadsheet cells safely (XlsxWriter): text stays text, whatever it contains.

``write_string`` never makes a formula of "=..." text, but XlsxWriter copies a string that
starts with ``<r>`` and ends with ``</r>`` into the file as raw rich-text XML without escaping,
so such a value could inject markup (a formula among it). ``write_text`` writes those few
values as a rich string of escaped fragments instead, which shows the same text. Every export
of the platform writes text through here.
"""

from __future__ import annotations

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet


def write_text(
    sheet: Worksheet, row: int, col: int, text: str, cell_format: Format | None = None
) -> None:
    """Write ``text`` as a plain string cell, exactly as given."""
    if text.startswith("<r>") and text.endswith("</r>"):
        if cell_format is None:
            sheet.write_rich_string(row, col, "<", "r", text[2:])
        else:
            sheet.write_rich_string(row, col, "<", "r", text[2:], cell_format)
        return
    sheet.write_string(row, col, text, cell_format)


def merge_text(
    sheet: Worksheet,
    first_row: int,
    first_col: int,
    last_row: int,
    last_col: int,
    text: str,
    cell_format: Format,
) -> None:
    """A merged range holding ``text`` as a string (never interpreted as a formula)."""
    sheet.merge_range(first_row, first_col, last_row, last_col, "", cell_format)
    write_text(sheet, first_row, first_col, text, cell_format)
