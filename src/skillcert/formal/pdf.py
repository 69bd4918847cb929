"""The PDF of a formal document (文书, domain.md §9).

A4 portrait in the embedded Kai font, laid out as a government document: the issuing
department's name in red as the header (发文机关标志), the 文号 under it and a red rule, the
title, the recipient (主送), the body paragraphs, then the issuing department and the date at
the bottom right with its seal stamped over them, and a QR code on the left that opens the
document's public verification page (``{BASE_URL}/documents/<code>``) with the code printed
under it.

Rendered on demand, never stored: the same document gives the same bytes (reportlab's
``invariant`` mode; the address is ``settings.BASE_URL``, i.e. SKILLCERT_BASE_URL or the
served address, as on certificates). The seal printed is the one confirmed when the document
was issued (``FormalDocument.seal``); a document issued before its authority had a confirmed
seal prints the seal confirmed since, or 「（印章待确认）」 while there is none. The status is not
printed: whether a document is still in force is what the verification page answers.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import segno
from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer
from reportlab.platypus.flowables import HRFlowable

from skillcert.documents import images
from skillcert.documents.fonts import cjk_font
from skillcert.formal.models import FormalDocument
from skillcert.formal.seals import current_seal, seal_path
from skillcert.formal.service import authority_name

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 26 * mm
MARGIN_TOP = 30 * mm
MARGIN_BOTTOM = 28 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
RED = colors.HexColor("#C8161D")
SEAL_SIZE = 40 * mm
SEAL_ALPHA = 0.85
QR_SIZE = 24 * mm
CLOSING_HEIGHT = 46 * mm
BODY_SIZE = 15
PENDING_SEAL = "（印章待确认）"
VERIFY_HINT = "扫码核验"
DOCUMENT_PATH = "/documents"


def verification_url(document: FormalDocument) -> str:
    """What the QR code carries: the public verification page of the document."""
    return f"{str(settings.BASE_URL).rstrip('/')}{DOCUMENT_PATH}/{document.code}"


def chinese_date(document: FormalDocument) -> str:
    value = document.issued_on
    return f"{value.year}年{value.month}月{value.day}日"


def printed_seal(document: FormalDocument) -> Path | None:
    """The seal file the document carries (see the module's docstring), or None."""
    seal = document.seal if document.seal_id else current_seal(document.authority_id)
    return seal_path(seal)


def render_document(document: FormalDocument) -> bytes:
    font = cjk_font()
    styles = _styles(font)
    authority = authority_name(document.authority)
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{document.title}（{document.number}）",
        author=authority,
        subject=document.number,
        creator="skillcert",
        invariant=1,
        lang="zh-CN",
        initialFontName=font,
        initialFontSize=BODY_SIZE,
    )
    story: list[Flowable] = [
        Paragraph(_text(authority), styles["masthead"]),
        Paragraph(_text(document.number), styles["number"]),
        HRFlowable(width="100%", thickness=1.6, color=RED, spaceBefore=2, spaceAfter=8 * mm),
        Paragraph(_text(document.title), styles["title"]),
        Spacer(1, 4 * mm),
        Paragraph(_text(f"{document.recipient}："), styles["recipient"]),
    ]
    body = document.body if isinstance(document.body, list) else [str(document.body)]
    story += [Paragraph(_text(str(paragraph)), styles["body"]) for paragraph in body]
    story.append(Spacer(1, 10 * mm))
    story.append(KeepTogether([SignatureBlock(document, authority=authority, font=font)]))
    pdf.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR code's modules (rows top down, True = dark), without the quiet zone."""
    qr = segno.make_qr(url, error="m")
    return [[bool(module) for module in row] for row in qr.matrix]


def _text(value: str) -> str:
    return escape(str(value))


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "base", fontName=font, fontSize=BODY_SIZE, leading=BODY_SIZE * 1.75, wordWrap="CJK"
    )
    return {
        "masthead": ParagraphStyle(
            "masthead", parent=base, fontSize=24, leading=34, alignment=TA_CENTER, textColor=RED
        ),
        "number": ParagraphStyle(
            "number", parent=base, fontSize=14, leading=22, alignment=TA_CENTER, spaceBefore=6
        ),
        "title": ParagraphStyle("title", parent=base, fontSize=21, leading=32, alignment=TA_CENTER),
        "recipient": base,
        "body": ParagraphStyle("body", parent=base, firstLineIndent=2 * BODY_SIZE),
    }


def _page_number(pdf: canvas.Canvas, _document: Any) -> None:
    font = cjk_font()
    pdf.saveState()
    pdf.setFont(font, 11)
    pdf.setFillColor(colors.black)
    pdf.drawCentredString(PAGE_WIDTH / 2, 14 * mm, f"— {pdf.getPageNumber()} —")
    pdf.restoreState()


class SignatureBlock(Flowable):
    """The foot of a document: the QR code and its code on the left; the issuing
    department and the date on the right, the seal (or the note that it is pending) over
    them. The filing receipt (``registry.receipt``) ends with the same block."""

    def __init__(
        self,
        document: FormalDocument,
        *,
        authority: str,
        font: str,
        date: str | None = None,
        size: float = BODY_SIZE,
    ) -> None:
        super().__init__()
        self.authority = authority
        self.date = date or chinese_date(document)
        self.url = verification_url(document)
        self.code = document.code
        self.seal = printed_seal(document)
        self.font = font
        self.size = size

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = CLOSING_HEIGHT
        return self.width, self.height

    def draw(self) -> None:
        pdf = self.canv
        # The QR code and its code, bottom left.
        qr_y = 9 * mm
        _draw_qr(pdf, qr_matrix(self.url), 0, qr_y, QR_SIZE)
        pdf.setFillColor(colors.black)
        pdf.setFont(self.font, 8.5)
        pdf.drawCentredString(QR_SIZE / 2, qr_y - 4 * mm, self.code)
        pdf.drawCentredString(QR_SIZE / 2, qr_y - 8 * mm, VERIFY_HINT)
        # The department and the date, right-aligned with 4 characters' space to the edge.
        size = self.size
        right = self.width - 2 * size
        name_width = pdfmetrics.stringWidth(self.authority, self.font, size)
        date_width = pdfmetrics.stringWidth(self.date, self.font, size)
        name_y, date_y = 22 * mm, 13 * mm
        # The date is centred under the name, as documents are signed.
        centre = right - name_width / 2
        pdf.setFont(self.font, size)
        pdf.drawString(right - name_width, name_y, self.authority)
        pdf.drawString(centre - date_width / 2, date_y, self.date)
        if self.seal is not None:
            bottom = (name_y + date_y) / 2 + size / 3 - SEAL_SIZE / 2
            images.draw_stamp(
                pdf, self.seal, centre - SEAL_SIZE / 2, bottom, SEAL_SIZE, alpha=SEAL_ALPHA
            )
        else:
            pdf.setFont(self.font, 11)
            pdf.setFillColor(RED)
            pdf.drawCentredString(centre, name_y + 10 * mm, PENDING_SEAL)
            pdf.setFillColor(colors.black)


def _draw_qr(pdf: canvas.Canvas, matrix: list[list[bool]], x: float, y: float, size: float) -> None:
    """The QR code as one filled path, a rectangle per run of dark modules."""
    count = len(matrix)
    pdf.saveState()
    pdf.translate(x, y + size)
    pdf.scale(size / count, -size / count)
    path = pdf.beginPath()
    for row_index, row in enumerate(matrix):
        start = None
        for column, dark in enumerate(row):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                path.rect(start, row_index, column - start, 1)
                start = None
        if start is not None:
            path.rect(start, row_index, count - start, 1)
    pdf.setFillColor(colors.black)
    pdf.drawPath(path, stroke=0, fill=1)
    pdf.restoreState()
