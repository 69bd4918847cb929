"""Minimal disclosure of personal data (domain.md §11, PIPL): what a page or an answer shows
of a phone number or of a result publicity's list of names to someone it does not belong to.

Plain functions, no Django: templates use them through the ``mask_phone`` filter, the API's
serializers and the notice model call them directly.
"""

from __future__ import annotations

import datetime as dt
import re

MASK = "*"
# Shown instead of the list of names once a result publicity is over (公示期满).
NAMES_REMOVED = "公示期已结束，按照个人信息保护要求，合格人员名单不再公开。"
_AREA_CODE = re.compile(r"^\s*(\+?\d{1,5})[-\s]")


def mask_phone(value: str | None) -> str:
    """A phone number with its middle digits hidden: ``13812341234`` → ``138****1234``,
    ``0551-62620000`` → ``0551-****0000``.

    The last four digits stay, and the first three of a mobile number (the carrier) or the
    area code of a fixed line; every other digit becomes ``*``, separators stay where they
    are. A short number (under 8 digits) keeps only its last two digits. Empty stays empty.
    """
    if not value:
        return ""
    text = str(value)
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    keep: set[int] = set(digits[-2:]) if 2 < len(digits) < 8 else set()
    if len(digits) >= 8:
        keep = set(digits[-4:])
        area = _AREA_CODE.match(text)
        leading = [i for i in digits if i < area.end(1)] if area is not None else digits[:3]
        # At least four digits stay hidden, whatever the shape of the number.
        room = len(digits) - 4 - 4
        keep.update(leading[: max(room, 0)])
    hidden = set(digits) - keep
    return "".join(MASK if i in hidden else ch for i, ch in enumerate(text))


def publicity_over(ends_on: dt.date | None, today: dt.date) -> bool:
    """Whether a publicity with this last day (inclusive) has ended on ``today``."""
    return ends_on is not None and today > ends_on


def without_name_list(body: str) -> str:
    """A result publicity's text without its list of names and ID numbers: the lines of the
    table (tab-separated) are dropped, the dates and counts above it stay, and a line says
    why. A text without a table is returned as it is (so applying it twice changes nothing).
    """
    lines = (body or "").splitlines()
    kept = [line for line in lines if "\t" not in line]
    if len(kept) == len(lines):
        return body or ""
    return "\n".join([*kept, NAMES_REMOVED])


def name_list_rows(body: str) -> int:
    """How many people a result publicity's text lists (its table rows after the header)."""
    rows = sum(1 for line in (body or "").splitlines() if "\t" in line)
    return max(rows - 1, 0)
