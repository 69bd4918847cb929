"""Drawing certificate pages on a reportlab canvas (no platypus).

All of it is set in the embedded Kai face (``documents.fonts.cjk_font``); without one the
renderer raises FontMissing (503) rather than produce a page of empty boxes. The font is
parsed once per process, the QR code is a single vector path built from segno's matrix (as
fast as an image within a fraction of a millisecond, ``bench/certificate_pdf.py``, and sharp
at any zoom or printer resolution), photos are JPEG files passed through as they are, the
seal is compressed once per process (``documents.images.draw_stamp``), and the output is
invariant (the same certificate gives the same bytes).
"""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.pdfgen.canvas import FILL_NON_ZERO

from skillcert.certificates.pdf.layout import (
    ADDRESS_BASELINE,
    ADDRESS_LABEL,
    ADDRESS_LEADING,
    ADDRESS_SIZE,
    BODY_LEADING,
    BODY_SIZE,
    BODY_TOP,
    BORDER_HEIGHT,
    BORDER_LINE,
    BORDER_WIDTH,
    BORDER_X,
    BORDER_Y,
    INFO_LEADING,
    INFO_ROW,
    INFO_SIZE,
    INFO_TOP,
    LABEL_GAP,
    LEFT_CENTRE,
    LEFT_X0,
    LEFT_X1,
    MIN_SIZE,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    PARAGRAPH_GAP,
    PHOTO_BORDER,
    PHOTO_FILL,
    PHOTO_HEIGHT,
    PHOTO_PLACEHOLDER,
    PHOTO_TEXT,
    PHOTO_TOP,
    PHOTO_WIDTH,
    PHOTO_X,
    PROGRESS_EVERY,
    QR_SIZE,
    QR_X,
    QR_Y,
    REISSUE_NOTE,
    RIGHT_X0,
    RIGHT_X1,
    SEAL_ALPHA,
    SEAL_SIZE,
    TITLE,
    TITLE_BASELINE,
    TITLE_SIZE,
    VERIFY_NOTE,
    CertificateFace,
    Progress,
    chinese_date,
    info_rows,
    qr_matrix,
    statement,
    wrap,
)
from skillcert.documents import images  # also sets rl_config.useA85 = 0
from skillcert.documents.fonts import cjk_font

# Named for the package, as before the split, so logging settings keep applying.
logger = logging.getLogger("skillcert.certificates.pdf")


def render_faces(faces: Sequence[CertificateFace], *, progress: Progress | None = None) -> bytes:
    """One page per face, in the given order, as PDF bytes."""
    font = cjk_font()
    _check_accelerator()
    buffer = io.BytesIO()
    pdf = _canvas(buffer, font, faces[0] if len(faces) == 1 else None)
    total = len(faces)
    for done, face in enumerate(faces, start=1):
        _draw_face(pdf, face, font)
        pdf.showPage()
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    pdf.save()
    return buffer.getvalue()


def rl_accel_active() -> bool:
    """Whether reportlab runs with its C accelerator (package rl_accel, ``reportlab[accel]``)."""
    from reportlab.lib import rl_accel

    return not rl_accel._py_funcs


@functools.cache
def _check_accelerator() -> None:
    """Say once per process when reportlab runs without its C accelerator (slower)."""
    if not rl_accel_active():
        logger.warning(
            "reportlab runs without its C accelerator: install reportlab[accel] (rl_accel)"
        )


def _canvas(buffer: io.BytesIO, font: str, face: CertificateFace | None) -> canvas.Canvas:
    pdf = canvas.Canvas(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        invariant=1,
        pageCompression=1,
        # Else every page starts in Helvetica, a font that is not embedded.
        initialFontName=font,
        initialFontSize=BODY_SIZE,
        lang="zh-CN",
    )
    pdf.setTitle(TITLE)
    pdf.setCreator("skillcert")
    if face is not None:
        pdf.setAuthor(face.organization)
        pdf.setSubject(f"{TITLE} {face.number}")
    return pdf


def _draw_face(pdf: canvas.Canvas, face: CertificateFace, font: str) -> None:
    pdf.setLineWidth(BORDER_LINE)
    pdf.setStrokeColor(colors.black)
    pdf.rect(BORDER_X, BORDER_Y, BORDER_WIDTH, BORDER_HEIGHT, stroke=1, fill=0)
    _draw_left(pdf, face, font)
    _draw_photo(pdf, face, font)
    _draw_qr(pdf, qr_matrix(face.verify_url), QR_X, QR_Y, QR_SIZE)
    _draw_info(pdf, face, font)


def _draw_left(pdf: canvas.Canvas, face: CertificateFace, font: str) -> None:
    pdf.setFillColor(colors.black)
    pdf.setFont(font, TITLE_SIZE)
    pdf.drawCentredString(LEFT_CENTRE, TITLE_BASELINE, TITLE)

    width = LEFT_X1 - LEFT_X0
    paragraphs = [statement(face), VERIFY_NOTE]
    if face.reissued_on is not None:
        paragraphs.append(REISSUE_NOTE.format(date=chinese_date(face.reissued_on)))
    address = _address_lines(face.address, font, width)
    room = BODY_TOP - (ADDRESS_BASELINE + len(address) * ADDRESS_LEADING)
    size = BODY_SIZE
    leading: float = BODY_LEADING  # scaled with a smaller size
    while True:  # only an absurdly long occupation or work type makes the text smaller
        blocks = [wrap(text, font, size, width, indent=2 * size) for text in paragraphs]
        height = sum(len(lines) for lines in blocks) * leading + PARAGRAPH_GAP * len(blocks)
        if height <= room or size <= MIN_SIZE:
            break
        size -= 1
        leading = size * BODY_LEADING / BODY_SIZE
    pdf.setFont(font, size)
    y = BODY_TOP
    for lines in blocks:
        for index, line in enumerate(lines):
            pdf.drawString(LEFT_X0 + (2 * size if index == 0 else 0), y, line)
            y -= leading
        y -= PARAGRAPH_GAP

    pdf.setFont(font, ADDRESS_SIZE)
    y = ADDRESS_BASELINE + (len(address) - 1) * ADDRESS_LEADING
    for line in address:
        pdf.drawString(LEFT_X0, y, line)
        y -= ADDRESS_LEADING


def _address_lines(address: str, font: str, width: float) -> list[str]:
    """The address line ("证书查询网址：…"), or the label above the address when too long."""
    text = ADDRESS_LABEL + address
    if stringWidth(text, font, ADDRESS_SIZE) <= width:
        return [text]
    return [ADDRESS_LABEL, *wrap(address, font, ADDRESS_SIZE, width)]


def _draw_photo(pdf: canvas.Canvas, face: CertificateFace, font: str) -> None:
    y = PHOTO_TOP - PHOTO_HEIGHT
    if face.photo:
        pdf.drawImage(face.photo, PHOTO_X, y, PHOTO_WIDTH, PHOTO_HEIGHT)
        return
    pdf.setLineWidth(0.6)
    pdf.setStrokeColor(PHOTO_BORDER)
    pdf.setFillColor(PHOTO_FILL)
    pdf.rect(PHOTO_X, y, PHOTO_WIDTH, PHOTO_HEIGHT, stroke=1, fill=1)
    pdf.setFillColor(PHOTO_TEXT)
    pdf.setFont(font, INFO_SIZE)
    pdf.drawCentredString(
        PHOTO_X + PHOTO_WIDTH / 2, y + PHOTO_HEIGHT / 2 - INFO_SIZE / 3, PHOTO_PLACEHOLDER
    )


def _draw_qr(pdf: canvas.Canvas, matrix: list[list[bool]], x: float, y: float, size: float) -> None:
    """The QR code as one filled path: a rectangle per horizontal run of dark modules, in
    module units (whole numbers: short to write, and adjacent runs meet without seams)."""
    count = len(matrix)
    pdf.saveState()
    pdf.translate(x, y + size)
    pdf.scale(size / count, -size / count)  # one unit per module, rows top down
    path = pdf.beginPath()
    for row_index, row in enumerate(matrix):
        start = None
        for column, dark in enumerate(row):
            if dark:
                if start is None:
                    start = column
            elif start is not None:
                path.rect(start, row_index, column - start, 1)
                start = None
        if start is not None:
            path.rect(start, row_index, count - start, 1)
    pdf.setFillColor(colors.black)
    pdf.drawPath(path, stroke=0, fill=1, fillMode=FILL_NON_ZERO)
    pdf.restoreState()


def _draw_info(pdf: canvas.Canvas, face: CertificateFace, font: str) -> None:
    label_width = stringWidth("职业技能等级：", font, INFO_SIZE)
    value_x = RIGHT_X0 + label_width + LABEL_GAP
    width = RIGHT_X1 - value_x
    rows = info_rows(face)
    laid = [_fit(value, font, width, 3 if label == "评价机构" else 2) for label, value in rows]
    y = INFO_TOP
    pdf.setFillColor(colors.black)
    organization_box = None
    for (label, _value), (lines, size) in zip(rows, laid, strict=True):
        pdf.setFont(font, INFO_SIZE)
        pdf.drawString(RIGHT_X0, y, f"{label}：")
        pdf.setFont(font, size)
        leading = INFO_LEADING * size / INFO_SIZE
        first = y
        for line in lines:
            pdf.drawString(value_x, y, line)
            y -= leading
        if label == "评价机构":
            longest = max(stringWidth(line, font, size) for line in lines)
            organization_box = (value_x, first, longest, len(lines), leading, size)
        y = first - (len(lines) - 1) * leading - INFO_ROW
    if face.seal and organization_box is not None:
        _draw_seal(pdf, face.seal, organization_box)


def _fit(text: str, font: str, width: float, max_lines: int) -> tuple[list[str], float]:
    """The lines of a value at 16 pt, or smaller (down to MIN_SIZE) to keep within
    ``max_lines``; past that it takes as many lines as it needs."""
    size = INFO_SIZE
    while True:
        lines = wrap(text, font, size, width)
        if len(lines) <= max_lines or size <= MIN_SIZE:
            return lines, size
        size -= 1


def _draw_seal(
    pdf: canvas.Canvas, seal: str, box: tuple[float, float, float, int, float, float]
) -> None:
    """The stamp over the organization's name: centred on the name, a little translucent."""
    x, first_baseline, longest, lines, leading, size = box
    centre_x = x + min(longest, RIGHT_X1 - x) / 2
    # The middle of the name's lines: baselines minus a third of the size for the x-height.
    centre_y = first_baseline - (lines - 1) * leading / 2 + size / 3
    left, bottom = centre_x - SEAL_SIZE / 2, centre_y - SEAL_SIZE / 2
    images.draw_stamp(pdf, seal, left, bottom, SEAL_SIZE, alpha=SEAL_ALPHA)
