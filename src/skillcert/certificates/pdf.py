"""The certificate (职业技能等级证书, 附件6): one A4 landscape page per certificate.

Layout (spec §6): a 2.25 pt solid border of 269 × 188 mm; the left half holds the title
(30 pt), the certificate statement (16 pt, single spacing) and, at the foot, the query
address (14 pt); the right half the 2-inch photo and the 30 × 30 mm QR code at the top and
the basic information (16 pt) below, the organization's confirmed seal over its name. All
of it is set in the embedded Kai face (``documents.fonts.cjk_font``); without one the
renderer raises FontMissing (503) rather than produce a page of empty boxes.

Pages are drawn straight on a reportlab canvas (no platypus): the font is parsed once per
process, the QR code is a single vector path built from segno's matrix (as fast as an image
within a fraction of a millisecond, ``bench/certificate_pdf.py``, and sharp at any zoom or
printer resolution), photos are JPEG files passed through as they are, the seal is compressed
once per process (``documents.images.draw_stamp``), and the output is invariant (the same
certificate gives the same bytes).

A revoked or superseded certificate is never rendered (Conflict): ``refusal`` says why, for
the record page; ``document_notes`` lists what a rendered certificate lacks (photo, seal).
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import io
import logging
import multiprocessing
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import segno
from django.conf import settings
from django.db import connections
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.pdfgen.canvas import FILL_NON_ZERO

from skillcert.assessment.models import Batch
from skillcert.certificates.models import Certificate, CertificateStatus
from skillcert.certificates.services.photos import photo_path
from skillcert.documents import images  # also sets rl_config.useA85 = 0
from skillcert.documents.fonts import cjk_font
from skillcert.registry.services.seals import current_seal_path
from skillcert.rules.errors import Conflict
from skillcert.rules.idtypes import ID_TYPES
from skillcert.rules.levels import level_name

logger = logging.getLogger(__name__)

TITLE = "职业技能等级证书"
NONE = "——"
VERIFY_PATH = "/verify"
ADDRESS_LABEL = "证书查询网址："
STATEMENT = "{name}经考核评价，成绩合格，具备{occupation}{level}职业技能水平，特发此证。"
VERIFY_NOTE = "本证书信息可登录证书查询网址或扫描二维码查验。"
REISSUE_NOTE = "本证书于{date}补发。"
PHOTO_PLACEHOLDER = "照片"
NOTE_NO_PHOTO = "无考生照片：证书照片处为空白框（照片）"
NOTE_NO_SEAL = "印章未确认"

# --- geometry (points; reportlab's origin is the bottom left corner) --------------------
PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)  # 297 × 210 mm
BORDER_WIDTH = 269 * mm
BORDER_HEIGHT = 188 * mm
BORDER_LINE = 2.25
BORDER_X = (PAGE_WIDTH - BORDER_WIDTH) / 2  # 14 mm
BORDER_Y = (PAGE_HEIGHT - BORDER_HEIGHT) / 2  # 11 mm
BORDER_TOP = BORDER_Y + BORDER_HEIGHT
MIDDLE_X = PAGE_WIDTH / 2

TITLE_SIZE = 30
BODY_SIZE = 16
BODY_LEADING = 21  # single spacing of a 16 pt CJK face
PARAGRAPH_GAP = 6
ADDRESS_SIZE = 14
ADDRESS_LEADING = 19
INFO_SIZE = 16
INFO_LEADING = 21  # between the lines of one wrapped value
INFO_ROW = 25.5  # from one row's first baseline to the next row's
MIN_SIZE = 9  # long values shrink down to this before they take more lines

LEFT_X0 = BORDER_X + 16 * mm  # 30 mm
LEFT_X1 = MIDDLE_X - 14 * mm  # 134.5 mm
LEFT_CENTRE = (LEFT_X0 + LEFT_X1) / 2
ADDRESS_BASELINE = BORDER_Y + 16 * mm  # the last address line

RIGHT_X0 = MIDDLE_X + 8.5 * mm  # 157 mm
RIGHT_X1 = BORDER_X + BORDER_WIDTH - 8.5 * mm  # 274.5 mm
PHOTO_WIDTH = 35 * mm
PHOTO_HEIGHT = 49 * mm
PHOTO_X = RIGHT_X0
PHOTO_TOP = BORDER_TOP - 12 * mm
QR_SIZE = 30 * mm
QR_X = RIGHT_X1 - QR_SIZE
QR_Y = PHOTO_TOP - QR_SIZE
INFO_TOP = PHOTO_TOP - PHOTO_HEIGHT - 11 * mm  # the first row's baseline
LABEL_GAP = 2 * mm  # between the longest label's colon and the values
# The statement starts level with the basic information; the title sits above it.
BODY_TOP = INFO_TOP
TITLE_BASELINE = BODY_TOP + 22 * mm
SEAL_SIZE = 40 * mm
SEAL_ALPHA = 0.8  # the name shows through the stamp, as through red ink

LABELS = (
    "姓名",
    "证件类型",
    "证件号码",
    "职业名称",
    "工种",
    "职业技能等级",
    "证书编号",
    "发证日期",
    "评价机构",
)

# Characters a line must not start with (they hang into the margin instead) or end with.
NO_LINE_START = frozenset("，。、；：？！）》」』】〉”’％‰…·,.;:?!)]}%")
NO_LINE_END = frozenset("（《「『【〈“‘([{")
LAST_LINE_MIN = 3  # characters, punctuation included

PHOTO_BORDER = colors.HexColor("#9A9A9A")
PHOTO_FILL = colors.HexColor("#F3F3F3")
PHOTO_TEXT = colors.HexColor("#8A8A8A")

PROGRESS_EVERY = 20  # pages between two progress reports
MIN_CHUNK = 20  # fewer pages than this per process are rendered in-process
CHUNKS_PER_PROCESS = 4  # so that the parent appends while the workers render

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class CertificateFace:
    """Everything printed on a certificate, as plain values (picklable, no database)."""

    number: str
    name: str
    id_type: str  # the type's name, e.g. 居民身份证
    id_number: str
    occupation: str
    work_type: str  # "" when none (printed ——)
    level: str  # e.g. 三级/高级工
    issued_on: dt.date
    organization: str
    base_url: str
    reissued_on: dt.date | None = None
    photo: str | None = None  # a JPEG file
    seal: str | None = None  # a PNG file with transparency

    @property
    def verify_url(self) -> str:
        return f"{self.base_url}{VERIFY_PATH}/{self.number}"

    @property
    def address(self) -> str:
        return f"{self.base_url}{VERIFY_PATH}"


# --- public API ---------------------------------------------------------------------------


def render_certificate(certificate: Certificate) -> bytes:
    """The certificate as a one-page PDF. Conflict (409) when revoked or superseded;
    FontMissing (503) when no Kai font is installed."""
    reason = refusal(certificate)
    if reason:
        raise Conflict(reason, code="certificate_not_valid")
    return render_faces([face_of(certificate)])


def render_batch(batch: Batch, *, processes: int = 1, progress: Progress | None = None) -> bytes:
    """All valid certificates of ``batch`` in one PDF, in number order.

    With ``processes`` > 1 the certificates are split into contiguous chunks (a few per
    process), each rendered to a PDF by a worker process (forked: the font is registered
    once, before; no database access in the workers); the parent concatenates them in
    order with pypdf as they complete. ``progress(done, total)`` is called
    as pages complete (every ``PROGRESS_EVERY`` pages and at the end).
    """
    faces = batch_faces(batch)
    if not faces:
        raise Conflict("该批次没有可打印的有效证书", code="no_certificates")
    cjk_font()  # fail (503) before any work; register once, before forking
    processes = max(1, min(int(processes), len(faces) // MIN_CHUNK))
    if processes == 1:
        return render_faces(faces, progress=progress)
    # The workers read their chunks from module state and the collector is switched off
    # meanwhile: one multi-process render at a time in a process (web threads included).
    with _PRINT_LOCK:
        return _render_in_processes(faces, processes, progress)


_PRINT_LOCK = threading.Lock()


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


def face_of(certificate: Certificate, *, seal: Path | bool | None = True) -> CertificateFace:
    """What the certificate shows. ``seal``: True looks up the organization's current
    confirmed seal; a path (or None) uses that one (a batch looks it up once)."""
    seal_file = current_seal_path(certificate.organization_id) if seal is True else seal
    photo = photo_path(certificate.candidate) if certificate.candidate_id else None
    id_type = ID_TYPES.get(certificate.id_type)
    return CertificateFace(
        number=certificate.number,
        name=certificate.name,
        id_type=id_type.name if id_type else certificate.id_type,
        id_number=certificate.id_number,
        occupation=certificate.occupation_name,
        work_type=certificate.work_type,
        level=level_name(certificate.level),
        issued_on=certificate.issued_on,
        organization=certificate.organization_name,
        base_url=str(settings.BASE_URL).rstrip("/"),
        reissued_on=certificate.last_reissued_on if certificate.reissue_count else None,
        photo=str(photo) if photo else None,
        seal=str(seal_file) if isinstance(seal_file, Path) else None,
    )


def batch_faces(batch: Batch) -> list[CertificateFace]:
    """The faces of the batch's valid certificates, in number order (photos in one query)."""
    certificates = (
        Certificate.objects.filter(batch=batch, status=CertificateStatus.VALID)
        .select_related("candidate__photo")
        .order_by("number")
    )
    seal = current_seal_path(batch.organization_id)
    return [face_of(certificate, seal=seal) for certificate in certificates]


def refusal(certificate: Certificate) -> str | None:
    """Why the certificate may not be rendered (revoked, superseded), or None."""
    if certificate.status == CertificateStatus.REVOKED:
        when = f"于{chinese_date(certificate.revoked_on)}" if certificate.revoked_on else ""
        why = f"，理由：{certificate.revocation_reason}" if certificate.revocation_reason else ""
        return f"该证书已{when}撤销{why}，不能出具证书"
    if certificate.status == CertificateStatus.SUPERSEDED:
        newer = certificate.superseded_by
        then = f"，请使用更正后的证书（编号 {newer.number}）" if newer is not None else ""
        return f"该证书已更正{then}，原证书不能再出具"
    return None


def has_photo(certificate: Certificate) -> bool:
    """Whether the certificate will show the candidate's photo (else the 照片 box)."""
    return certificate.candidate_id is not None and photo_path(certificate.candidate) is not None


def document_notes(certificate: Certificate) -> list[str]:
    """What the record page says about the printed certificate: why it is refused, or what
    it lacks (no photo; no confirmed seal: 印章未确认)."""
    reason = refusal(certificate)
    if reason:
        return [reason]
    notes = []
    if not has_photo(certificate):
        notes.append(NOTE_NO_PHOTO)
    if current_seal_path(certificate.organization_id) is None:
        notes.append(NOTE_NO_SEAL)
    return notes


def chinese_date(value: dt.date) -> str:
    """2026年11月11日."""
    return f"{value.year}年{value.month}月{value.day}日"


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


def statement(face: CertificateFace) -> str:
    """The certificate statement on the left half."""
    occupation = face.occupation + (f"（{face.work_type}）" if face.work_type else "")
    return STATEMENT.format(name=face.name, occupation=occupation, level=face.level)


def info_rows(face: CertificateFace) -> list[tuple[str, str]]:
    """The basic information of the right half, as (label, value) in the 附件6 order."""
    values = (
        face.name,
        face.id_type,
        face.id_number,
        face.occupation,
        face.work_type or NONE,
        face.level,
        face.number,
        chinese_date(face.issued_on),
        face.organization,
    )
    return list(zip(LABELS, values, strict=True))


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR code's modules (rows top down, True = dark), without the quiet zone."""
    qr = segno.make_qr(url, error="m")
    return [[bool(module) for module in row] for row in qr.matrix]


def wrap(text: str, font: str, size: float, width: float, *, indent: float = 0) -> list[str]:
    """Break ``text`` into lines at most ``width`` wide (the first indented by ``indent``).

    Chinese text breaks between any two characters; closing punctuation never starts a
    line (it hangs past the width by one character), opening punctuation never ends one,
    and the last line holds at least ``LAST_LINE_MIN`` characters when it can.
    """
    lines: list[str] = []
    line = ""
    used = indent
    for char in text:
        advance = stringWidth(char, font, size)
        if line and used + advance > width and char not in NO_LINE_START:
            carry = ""
            while len(line) > 1 and line[-1] in NO_LINE_END:
                carry = line[-1] + carry
                line = line[:-1]
            lines.append(line)
            line = carry
            used = stringWidth(carry, font, size)
        line += char
        used += advance
    if line or not lines:
        lines.append(line)
    # No lone character on the last line ("证。"): take one more down from the line above.
    while (
        len(lines) > 1
        and len(lines[-1]) < LAST_LINE_MIN
        and len(lines[-2]) > LAST_LINE_MIN
        and lines[-2][-1] not in NO_LINE_START
        and lines[-2][-2] not in NO_LINE_END
    ):
        lines[-2], lines[-1] = lines[-2][:-1], lines[-2][-1] + lines[-1]
    return lines


# --- drawing ------------------------------------------------------------------------------


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
    size, leading = BODY_SIZE, BODY_LEADING
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


# --- worker processes ---------------------------------------------------------------------

_progress_queue: Any = None
_chunks: list[Sequence[CertificateFace]] = []


def _split(faces: Sequence[CertificateFace], parts: int) -> list[Sequence[CertificateFace]]:
    """``parts`` contiguous chunks of nearly equal size, in order."""
    size, extra = divmod(len(faces), parts)
    chunks = []
    start = 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        chunks.append(faces[start:end])
        start = end
    return chunks


def _worker_init(queue: Any) -> None:
    global _progress_queue
    _progress_queue = queue
    gc.enable()  # the parent forks with it off (see _render_in_processes)


def _render_chunk(index: int, out: str) -> int:
    """In a worker: render chunk ``index`` to ``out``, reporting pages to the parent."""
    reported = 0

    def report(done: int, _total: int) -> None:
        nonlocal reported
        _progress_queue.put(done - reported)
        reported = done

    Path(out).write_bytes(render_faces(_chunks[index], progress=report))
    return index


def _render_in_processes(
    faces: list[CertificateFace], processes: int, progress: Progress | None
) -> bytes:
    """Chunks rendered by forked workers, appended by the parent in order as they arrive.

    There are a few chunks per process rather than one: the parent reads and appends the
    finished ones (most of pypdf's work) while the workers still render the later ones, so
    little more than the final write is left for the end.
    """
    from pypdf import PdfWriter

    total = len(faces)
    chunks = _split(faces, max(processes, min(processes * CHUNKS_PER_PROCESS, total // MIN_CHUNK)))
    # A forked child must not share the parent's database connections. Inside a
    # transaction (tests, or a caller's atomic block) they cannot be closed without
    # losing it; the children never touch the database and leave through os._exit.
    if not any(c.in_atomic_block for c in connections.all(initialized_only=True)):
        connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    writer = PdfWriter()
    done = 0

    def report(*, wait: bool) -> None:
        nonlocal done
        pages = _drain(queue, wait=wait)
        if pages and progress is not None:
            done += pages
            progress(min(done, total), total)

    global _chunks
    _chunks = chunks  # inherited by the forked workers: only indexes travel through pipes
    # What the workers need is ready before they fork: the seal compressed, the heap
    # frozen (a child's collector then does not write to, and so copy, the pages it
    # shares with the parent). The parent's collector stays off until the end: pypdf
    # makes hundreds of thousands of short-lived objects, and collecting among them
    # costs about a fifth of the merge.
    for seal in {face.seal for face in faces if face.seal}:
        images.prepared_stamp(seal)
    collecting = gc.isenabled()
    gc.freeze()  # no collection first: it would cost the parent more than it saves
    gc.disable()
    try:
        with tempfile.TemporaryDirectory(prefix="skillcert-print-") as folder:
            outputs = [os.path.join(folder, f"{index:04d}.pdf") for index in range(len(chunks))]
            with context.Pool(processes, initializer=_worker_init, initargs=(queue,)) as pool:
                pending = [
                    pool.apply_async(_render_chunk, (index, outputs[index]))
                    for index in range(len(chunks))
                ]
                for result, output in zip(pending, outputs, strict=True):
                    while not result.ready():
                        report(wait=True)
                    result.get()  # re-raises a worker's exception here
                    writer.append(output)  # read into memory: the file may go
                    os.unlink(output)
                    report(wait=False)
        if progress is not None and done < total:
            progress(total, total)  # the last reports may still be in the pipe
        writer.add_metadata({"/Title": TITLE, "/Creator": "skillcert"})
        buffer = io.BytesIO()
        writer.write(buffer)
    finally:
        if collecting:
            gc.enable()
        gc.unfreeze()
        _chunks = []
    return buffer.getvalue()


def _drain(queue: Any, *, wait: bool) -> int:
    """Pages reported since the last call (waits up to 0.2 s for the first when asked)."""
    import queue as queues

    pages = 0
    try:
        pages += queue.get(timeout=0.2) if wait else queue.get_nowait()
        while True:
            pages += queue.get_nowait()
    except queues.Empty:
        pass
    return pages
