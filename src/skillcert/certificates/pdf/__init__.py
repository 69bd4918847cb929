"""The certificate (职业技能等级证书, 附件6): one A4 landscape page per certificate.

Layout (spec §6): a 2.25 pt solid border of 269 × 188 mm; the left half holds the title
(30 pt), the certificate statement (16 pt, single spacing) and, at the foot, the query
address (14 pt); the right half the 2-inch photo and the 30 × 30 mm QR code at the top and
the basic information (16 pt) below, the organization's confirmed seal over its name. All
of it is set in the embedded Kai face (``documents.fonts.cjk_font``); without one the
renderer raises FontMissing (503) rather than produce a page of empty boxes.

A revoked or superseded certificate is never rendered (Conflict): ``refusal`` says why, for
the record page; ``document_notes`` lists what a rendered certificate lacks (photo, seal).

The package re-exports what callers use, so ``from skillcert.certificates.pdf import …``
keeps working. Its modules, each importing only the ones before it: ``layout`` (texts,
geometry, ``CertificateFace``, line breaking), ``drawing`` (pages on a reportlab canvas),
``faces`` (from certificates to faces; refusals and notes), ``batch`` (a whole batch, in
worker processes when large). Patch a layout value on the module that reads it
(``drawing``), not here.
"""

from skillcert.certificates.pdf.batch import CHUNKS_PER_PROCESS, MIN_CHUNK, render_batch
from skillcert.certificates.pdf.drawing import render_faces, rl_accel_active
from skillcert.certificates.pdf.faces import (
    batch_faces,
    document_notes,
    face_of,
    has_photo,
    refusal,
    render_certificate,
)
from skillcert.certificates.pdf.layout import (
    ADDRESS_BASELINE,
    ADDRESS_LABEL,
    BODY_TOP,
    BORDER_HEIGHT,
    BORDER_LINE,
    BORDER_WIDTH,
    BORDER_X,
    BORDER_Y,
    INFO_ROW,
    INFO_TOP,
    LABELS,
    LEFT_CENTRE,
    LEFT_X0,
    LEFT_X1,
    NOTE_NO_PHOTO,
    NOTE_NO_SEAL,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    PHOTO_HEIGHT,
    PHOTO_TOP,
    PHOTO_X,
    PROGRESS_EVERY,
    QR_SIZE,
    QR_X,
    QR_Y,
    RIGHT_X0,
    RIGHT_X1,
    STATEMENT,
    TITLE,
    TITLE_BASELINE,
    VERIFY_NOTE,
    VERIFY_PATH,
    CertificateFace,
    Progress,
    chinese_date,
    info_rows,
    qr_matrix,
    statement,
    wrap,
)

__all__ = [
    "ADDRESS_BASELINE",
    "ADDRESS_LABEL",
    "BODY_TOP",
    "BORDER_HEIGHT",
    "BORDER_LINE",
    "BORDER_WIDTH",
    "BORDER_X",
    "BORDER_Y",
    "CHUNKS_PER_PROCESS",
    "INFO_ROW",
    "INFO_TOP",
    "LABELS",
    "LEFT_CENTRE",
    "LEFT_X0",
    "LEFT_X1",
    "MIN_CHUNK",
    "NOTE_NO_PHOTO",
    "NOTE_NO_SEAL",
    "PAGE_HEIGHT",
    "PAGE_WIDTH",
    "PHOTO_HEIGHT",
    "PHOTO_TOP",
    "PHOTO_X",
    "PROGRESS_EVERY",
    "QR_SIZE",
    "QR_X",
    "QR_Y",
    "RIGHT_X0",
    "RIGHT_X1",
    "STATEMENT",
    "TITLE",
    "TITLE_BASELINE",
    "VERIFY_NOTE",
    "VERIFY_PATH",
    "CertificateFace",
    "Progress",
    "batch_faces",
    "chinese_date",
    "document_notes",
    "face_of",
    "has_photo",
    "info_rows",
    "qr_matrix",
    "refusal",
    "render_batch",
    "render_certificate",
    "render_faces",
    "rl_accel_active",
    "statement",
    "wrap",
]
