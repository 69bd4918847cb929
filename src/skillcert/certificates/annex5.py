"""附件5 职业技能等级认定合格人员证书信息表: the certificates as the national system imports them.

Exactly the header row and one row per certificate, twelve text columns, no title and no
notes rows (附件5 note 5). Written with XlsxWriter in constant-memory mode: rows stream to
a temporary file, so 10,000 certificates or a year's worth cost the same memory.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

import xlsxwriter
from django.db.models import QuerySet
from xlsxwriter.worksheet import Worksheet

from skillcert.assessment.models import Batch
from skillcert.certificates.models import Certificate, CertificateStatus
from skillcert.documents.xlsx import write_text
from skillcert.rules.levels import Level, level_name
from skillcert.rules.regions import ANHUI

HEADER: tuple[str, ...] = (
    "姓名",
    "证件类型",
    "证件号码",
    "所在单位",
    "职业名称",
    "工种名称",
    "职业技能等级",
    "证书编号",
    "发证日期",
    "评价机构",
    "发证机构",
    "考生所在地市",
)
NO_WORK_TYPE = "——"
# The certificate fields one row needs, in the order ``_row`` reads them.
FIELDS: tuple[str, ...] = (
    "name",
    "id_type",
    "id_number",
    "work_unit",
    "occupation_name",
    "work_type",
    "level",
    "number",
    "issued_on",
    "organization_name",
    "city",
)
WIDTHS: tuple[int, ...] = (10, 9, 21, 28, 18, 18, 14, 25, 12, 28, 28, 12)
CHUNK = 2000

_LEVEL_NAMES: dict[int, str] = {int(level): level_name(level) for level in Level}
_CITY_NAMES: dict[str, str] = {city.code: city.name for city in ANHUI.cities}


def _city_name(code: str) -> str:
    name = _CITY_NAMES.get(code)
    # An unknown code raises InvalidInput naming it: a code where a name belongs would only
    # fail later, in the national system's import.
    return name if name is not None else ANHUI.city(code).name


def _level_name(level: int) -> str:
    name = _LEVEL_NAMES.get(level)
    return name if name is not None else level_name(level)


def _row(values: tuple[Any, ...]) -> list[str]:
    """One row from the values of ``FIELDS``."""
    (
        name,
        id_type,
        id_number,
        work_unit,
        occupation_name,
        work_type,
        level,
        number,
        issued_on,
        organization_name,
        city,
    ) = values
    return [
        name,
        id_type,
        id_number,
        work_unit,
        occupation_name,
        work_type or NO_WORK_TYPE,
        _level_name(level),
        number,
        issued_on.isoformat(),
        organization_name,
        organization_name,  # 发证机构: the evaluation organization issues the certificate
        _city_name(city),
    ]


def annex5_rows(certificates: Iterable[Certificate]) -> Iterator[list[str]]:
    """The data rows (no header) for certificates, in the given order."""
    for certificate in certificates:
        yield _row(tuple(getattr(certificate, field) for field in FIELDS))


def _value_rows(queryset: QuerySet[Certificate]) -> Iterator[list[str]]:
    """The data rows read as plain tuples (no model instances), ``CHUNK`` rows a fetch."""
    for values in queryset.values_list(*FIELDS).iterator(chunk_size=CHUNK):
        yield _row(values)


def _printed_sheet(
    workbook: xlsxwriter.Workbook, name: str, header: Sequence[str], widths: Sequence[int]
) -> Worksheet:
    """A sheet with its bold header row and column widths, printed for the files: A4
    landscape, every column on one page width, the header repeated on each page."""
    sheet = workbook.add_worksheet(name)
    header_format = workbook.add_format({"bold": True, "border": 1, "align": "center"})
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    for col, title in enumerate(header):
        sheet.write_string(0, col, title, header_format)
    return sheet


def write_annex5(rows: Iterable[list[str]], stream: IO[bytes] | str | os.PathLike[str]) -> None:
    """Write the header and ``rows`` (lists of twelve strings) as .xlsx to ``stream``.

    Every cell is a string cell (``write_string``): nothing in the data can become a number
    or a formula. Rows are flushed as they are written (constant memory).
    """
    workbook = xlsxwriter.Workbook(stream, {"constant_memory": True})
    try:
        sheet = _printed_sheet(workbook, "附件5", HEADER, WIDTHS)
        write_string = sheet.write_string
        for row_number, row in enumerate(rows, start=1):
            for col, text in enumerate(row):
                if text.startswith("<r>"):
                    write_text(sheet, row_number, col, text)
                else:
                    write_string(row_number, col, text)
    finally:
        workbook.close()


def annex5_for_certificates(queryset: QuerySet[Certificate]) -> bytes:
    """附件5 as .xlsx bytes for the certificates of a queryset, in its order."""
    buffer = io.BytesIO()
    write_annex5(_value_rows(queryset), buffer)
    return buffer.getvalue()


def write_annex5_for_certificates(queryset: QuerySet[Certificate], stream: IO[bytes]) -> None:
    """附件5 for the certificates of a queryset, in its order, written to ``stream`` (a
    temporary file for a province-wide export: never the whole file in memory)."""
    write_annex5(_value_rows(queryset), stream)


def annex5(batch: Batch) -> bytes:
    """附件5 for a batch: its valid certificates in number order."""
    return annex5_for_certificates(
        Certificate.objects.filter(batch=batch, status=CertificateStatus.VALID).order_by("number")
    )


CHANGES_HEADER = (
    "证书编号",
    "姓名",
    "证件号码",
    "职业名称",
    "职业技能等级",
    "评价机构",
    "发证日期",
    "变更类型",
    "变更日期",
    "变更说明",
    "更正后证书编号",
)
CHANGES_WIDTHS = (26, 10, 22, 18, 14, 30, 12, 10, 12, 30, 26)


def changes_for_certificates(queryset: QuerySet[Certificate]) -> bytes:
    """The status changes of reported certificates as .xlsx bytes (see ``write_changes``)."""
    buffer = io.BytesIO()
    write_changes_for_certificates(queryset, buffer)
    return buffer.getvalue()


def write_changes_for_certificates(queryset: QuerySet[Certificate], stream: IO[bytes]) -> None:
    """The status changes of reported certificates (撤销, 更正) as .xlsx to ``stream``, one
    row each: a revocation with its date and reason, a correction with the new certificate's
    number and its issue date. Every cell is text (``documents.xlsx.write_text``)."""
    workbook = xlsxwriter.Workbook(stream, {"constant_memory": True})
    try:
        sheet = _printed_sheet(workbook, "证书状态变更", CHANGES_HEADER, CHANGES_WIDTHS)
        rows = queryset.select_related("superseded_by").iterator(2000)
        for row_number, certificate in enumerate(rows, start=1):
            newer = certificate.superseded_by
            if certificate.status == CertificateStatus.REVOKED:
                change, day, note = "撤销", certificate.revoked_on, certificate.revocation_reason
            else:
                change, day, note = (
                    "更正",
                    newer.issued_on if newer else None,
                    "信息更正，原证书作废",
                )
            values = (
                certificate.number,
                certificate.name,
                certificate.id_number,
                certificate.occupation_name,
                _level_name(certificate.level),
                certificate.organization_name,
                certificate.issued_on.isoformat(),
                change,
                day.isoformat() if day else "",
                note,
                newer.number if newer else "",
            )
            for col, text in enumerate(values):
                write_text(sheet, row_number, col, text)
    finally:
        workbook.close()
