"""Layout of the certificate (职业技能等级证书, 附件6): texts, geometry, and the values
printed on it.

Layout (spec §6): a 2.25 pt solid border of 269 × 188 mm; the left half holds the title
(30 pt), the certificate statement (16 pt, single spacing) and, at the foot, the query
address (14 pt); the right half the 2-inch photo and the 30 × 30 mm QR code at the top and
the basic information (16 pt) below, the organization's confirmed seal over its name.
Dimensions are in points; reportlab's origin is the bottom left corner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

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


def chinese_date(value: dt.date) -> str:
    """2026年11月11日."""
    return f"{value.year}年{value.month}月{value.day}日"


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
