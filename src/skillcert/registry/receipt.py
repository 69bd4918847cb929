"""The filing receipt (备案回执): the PDF an organization receives when its case is filed.

A4 portrait, set in the embedded Kai font (``skillcert.documents.fonts``). The same case
always gives the same bytes (reportlab's ``invariant`` mode: no timestamps, a stable ID).
The organization's current confirmed seal (``services.seals.current_seal``) is stamped over
its name; without a confirmed seal nothing is drawn there.

The receipt is a formal document (domain.md §9): when the case has a ``FormalDocument`` of
kind ``filing_receipt`` on ``filing:<id>`` (issued when the case is filed), the receipt prints
its 文号 under the title and ends with the document's signature block
(``formal.pdf.SignatureBlock``): the filing authority and date with the authority's confirmed
seal over them (or 「（印章待确认）」), and the QR code to ``/documents/<code>`` with the code.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.db import models
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from skillcert.accounts.models import Authority
from skillcert.documents import images
from skillcert.documents.fonts import cjk_font
from skillcert.formal.models import DocumentKind, FormalDocument
from skillcert.formal.pdf import SignatureBlock
from skillcert.formal.service import latest_document
from skillcert.registry.models import Category, Channel, FilingCase, Scope
from skillcert.registry.services.seals import current_seal_path
from skillcert.registry.workflow import FilingKind, FilingState
from skillcert.rules.errors import Conflict
from skillcert.rules.levels import level_name

TITLE = "职业技能等级认定评价组织备案回执"
PROVINCE_AUTHORITY = "安徽省人力资源和社会保障厅"
CITY_AUTHORITY_SUFFIX = "人力资源和社会保障局"
APPROVAL = "经审核，该评价组织符合职业技能等级认定评价组织备案条件，准予备案。备案有效期三年"
PILOT = "试点期间应在登记注册地开展认定"
NONE = "——"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 22 * mm
FOOTER_Y = 12 * mm
FOOTER_SIZE = 9
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X  # 170 mm
LABEL_WIDTH = 36 * mm
# 序号, 名称, 编码, 工种, 等级: together CONTENT_WIDTH.
OCCUPATION_WIDTHS = (12 * mm, 48 * mm, 26 * mm, 34 * mm, 50 * mm)
CELL_PADDING_X = 4  # points, left and right inside the occupations table
GRID = colors.HexColor("#444444")
SHADE = colors.HexColor("#EEEEEE")
SEAL_SIZE = 24 * mm  # small enough to stay clear of the title above the table
SEAL_ALPHA = 0.85


def render_receipt(case: FilingCase) -> bytes:
    """The 备案回执 of a filed case as PDF bytes; Conflict when the case is not filed."""
    if case.state != FilingState.FILED:
        raise Conflict("该申请尚未备案，暂无备案回执", code="not_filed")
    font = cjk_font()
    styles = _styles(font)
    authority = issuing_authority(case.authority)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=TITLE,
        author=authority,
        subject=f"{_organization_name(case)} {case.filing_number}",
        creator="skillcert",
        invariant=1,
        lang="zh-CN",
        # Else every page starts in Helvetica, a font that is not embedded.
        initialFontName=font,
        initialFontSize=10.5,
    )
    document_record = receipt_document(case)
    story: list[Flowable] = [Paragraph(TITLE, styles["title"])]
    if document_record is not None:
        story.append(Paragraph(_text(f"文号：{document_record.number}"), styles["number"]))
    story += [
        Paragraph(_text(f"回执编号：{receipt_number(case)}"), styles["number"]),
        Spacer(1, 3 * mm),
        _details_table(case, authority, styles),
        Spacer(1, 6 * mm),
        Paragraph("备案职业（工种）及等级", styles["heading"]),
        _occupations_table(case, styles),
        Spacer(1, 6 * mm),
    ]
    approval = APPROVAL + ("，" + PILOT if case.kind == FilingKind.INITIAL else "") + "。"
    # The statement and the signature stay together: no signature alone on a last page.
    signature: list[Flowable]
    if document_record is not None:
        signature = [
            Spacer(1, 4 * mm),
            SignatureBlock(
                document_record,
                authority=authority,
                font=font,
                date=chinese_date(case.filed_on),
                size=12,
            ),
        ]
    else:
        signature = [
            Spacer(1, 12 * mm),
            Paragraph(_text(authority), styles["signature"]),
            Paragraph(chinese_date(case.filed_on), styles["signature"]),
        ]
    story.append(KeepTogether([Paragraph(approval, styles["body"]), *signature]))
    document.build(story, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


def receipt_document(case: FilingCase) -> FormalDocument | None:
    """The 备案回执 issued as a formal document on this case, if any."""
    return latest_document(f"filing:{case.pk}", DocumentKind.FILING_RECEIPT)


def receipt_number(case: FilingCase) -> str:
    """回执编号: the filing number and the case id, e.g. "S000034010001-12"."""
    return f"{case.filing_number}-{case.pk}"


def issuing_authority(authority: Authority) -> str:
    """The full name of the department that files: the province's 厅 or a city's 局."""
    if authority.is_province:
        return PROVINCE_AUTHORITY
    return f"{authority.name}{CITY_AUTHORITY_SUFFIX}"


def chinese_date(value: dt.date | None) -> str:
    """A date as written in documents, e.g. "2026年9月18日" ("——" when unknown)."""
    if value is None:
        return NONE
    return f"{value.year}年{value.month}月{value.day}日"


def levels_text(levels: list[Any]) -> str:
    """The levels of an occupation row, highest first: "三级/高级工、四级/中级工"."""
    if not levels:
        return NONE
    return "、".join(level_name(level) for level in sorted(int(level) for level in levels))


def _levels_markup(levels: list[Any], style: ParagraphStyle) -> str:
    """The levels for the table cell, broken only after a "、", never inside a level's name."""
    text = levels_text(levels)
    width = OCCUPATION_WIDTHS[-1] - 2 * CELL_PADDING_X
    lines: list[str] = []
    for name in text.split("、"):
        candidate = f"{lines[-1]}、{name}" if lines else name
        fits = pdfmetrics.stringWidth(candidate + "、", style.fontName, style.fontSize) <= width
        if lines and fits:
            lines[-1] = candidate
        elif lines:
            lines[-1] += "、"
            lines.append(name)
        else:
            lines.append(name)
    return "<br/>".join(escape(line) for line in lines)


def _organization_name(case: FilingCase) -> str:
    basic = case.basic if isinstance(case.basic, dict) else {}
    return str(basic.get("name") or "").strip() or case.organization.name


def _label(choices: type[models.TextChoices], value: str) -> str:
    """The label of a choice value; the raw value if it is not (or no longer) a choice."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value or NONE


def _scope_text(case: FilingCase) -> str:
    scope = _label(Scope, case.filed_scope or case.organization.scope)
    if case.industry:
        return f"{scope}（所属行业系统：{case.industry}）"
    return scope


def _details_table(case: FilingCase, authority: str, styles: dict[str, ParagraphStyle]) -> Table:
    organization = case.organization
    rows: list[tuple[str, str]] = [
        ("评价组织名称", _organization_name(case)),
        ("统一社会信用代码", organization.credit_code),
        ("备案号", case.filing_number or NONE),
        ("备案类型", _label(FilingKind, case.kind)),
        ("类别", _label(Category, case.category)),
        ("受理渠道", _label(Channel, case.channel)),
        ("备案机关", authority),
        ("服务范围", _scope_text(case)),
        ("备案日期", chinese_date(case.filed_on)),
        ("有效期至", chinese_date(case.filed_valid_until or organization.valid_until)),
    ]
    if case.kind == FilingKind.INITIAL:
        rows.append(("试点期至", chinese_date(case.filed_pilot_until or organization.pilot_until)))
    data: list[list[Flowable]] = [
        [Paragraph(label, styles["label"]), Paragraph(_text(value), styles["cell"])]
        for label, value in rows
    ]
    seal = current_seal_path(organization)
    if seal is not None:
        data[0][1] = _Sealed(data[0][1], seal)  # the name's cell
    table = Table(data, colWidths=(LABEL_WIDTH, CONTENT_WIDTH - LABEL_WIDTH))
    table.setStyle(
        TableStyle(
            [
                # Cells hold Paragraphs, but the table still selects its cell font:
                # without this it names Helvetica, a font that is not embedded.
                ("FONTNAME", (0, 0), (-1, -1), styles["cell"].fontName),
                ("GRID", (0, 0), (-1, -1), 0.6, GRID),
                ("BACKGROUND", (0, 0), (0, -1), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _occupations_table(case: FilingCase, styles: dict[str, ParagraphStyle]) -> Table:
    header = ["序号", "职业（工种）名称", "职业编码", "工种", "评价等级"]
    data: list[list[Paragraph]] = [[Paragraph(text, styles["th"]) for text in header]]
    for index, row in enumerate(case.occupations.all(), start=1):
        data.append(
            [
                Paragraph(str(index), styles["td_center"]),
                Paragraph(_text(row.name), styles["td"]),
                Paragraph(_text(row.code or NONE), styles["td_center"]),
                Paragraph(_text(row.work_type or NONE), styles["td"]),
                Paragraph(_levels_markup(row.levels, styles["td"]), styles["td"]),
            ]
        )
    if len(data) == 1:
        data.append([Paragraph(NONE, styles["td_center"]) for _ in header])
    # repeatRows: the header row is drawn again on every page the table continues on.
    table = Table(data, colWidths=OCCUPATION_WIDTHS, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), styles["td"].fontName),
                ("GRID", (0, 0), (-1, -1), 0.6, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING_X),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING_X),
            ]
        )
    )
    return table


def _text(value: str) -> str:
    """Escape user text for reportlab's paragraph markup (names may contain & or <)."""
    return escape(str(value))


def _styles(font: str) -> dict[str, ParagraphStyle]:
    # wordWrap="CJK" breaks between any two characters, so long names wrap inside cells.
    base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK")
    small = ParagraphStyle("small", parent=base, fontSize=9.5, leading=13)
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontSize=19, leading=28, alignment=TA_CENTER, spaceAfter=4
        ),
        "number": ParagraphStyle("number", parent=base, alignment=TA_RIGHT),
        "heading": ParagraphStyle("heading", parent=base, fontSize=12, leading=18, spaceAfter=4),
        "label": ParagraphStyle("label", parent=base, alignment=TA_CENTER),
        "cell": base,
        "th": ParagraphStyle("th", parent=small, alignment=TA_CENTER),
        "td": small,
        "td_center": ParagraphStyle("td_center", parent=small, alignment=TA_CENTER),
        "body": ParagraphStyle("body", parent=base, fontSize=12, leading=21, firstLineIndent=24),
        "signature": ParagraphStyle(
            "signature", parent=base, fontSize=12, leading=21, alignment=TA_RIGHT
        ),
    }


class _Sealed(Flowable):
    """A paragraph with the organization's seal stamped over the middle of its text."""

    def __init__(self, paragraph: Paragraph, seal: Path) -> None:
        super().__init__()
        self.paragraph = paragraph
        self.seal = seal

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = self.paragraph.wrap(availWidth, availHeight)
        return self.width, self.height

    def draw(self) -> None:
        self.paragraph.drawOn(self.canv, 0, 0)
        text_width = min(self.width, max(self.paragraph.getActualLineWidths0(), default=0))
        x = text_width / 2 - SEAL_SIZE / 2
        y = self.height / 2 - SEAL_SIZE / 2
        images.draw_stamp(self.canv, self.seal, x, y, SEAL_SIZE, alpha=SEAL_ALPHA)


class _NumberedCanvas(canvas.Canvas):
    """Holds the pages back until the end, so each footer can say "第 N 页 共 M 页"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # reportlab's name, overridden
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, total)
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        """Draw "第 N 页 共 M 页" centred at the foot; the pieces are set half an em apart.

        A plain space of this face is too narrow for text extraction (``pdftotext -layout``
        would read "第1页共2页"), so each piece is placed on its own.
        """
        font, size = cjk_font(), FOOTER_SIZE
        pieces = ["第", str(number), "页", "共", str(total), "页"]
        gap = size / 2
        widths = [pdfmetrics.stringWidth(piece, font, size) for piece in pieces]
        x = (PAGE_WIDTH - sum(widths) - gap * (len(pieces) - 1)) / 2
        self.setFont(font, size)
        self.setFillColor(colors.black)
        for piece, width in zip(pieces, widths, strict=True):
            self.drawString(x, FOOTER_Y, piece)
            x += width + gap
