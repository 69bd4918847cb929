"""The one parser for a year or a date typed into a query or a form.

The platform's records start in 2000 and its numbers (filing numbers, certificate numbers)
carry two-digit years, so a year outside 2000-2099 is refused as bad input (400), never
passed on to date arithmetic that would overflow (``date(10000, 3, 31)`` is a 500).
"""

from __future__ import annotations

import datetime as dt

from skillcert.rules.errors import InvalidInput

FIRST_YEAR = 2000
LAST_YEAR = 2099


def parse_year(
    text: object,
    *,
    field: str = "year",
    default: int | None = None,
    first: int = FIRST_YEAR,
    last: int = LAST_YEAR,
) -> int:
    """The year in ``text`` (an int or its decimal digits), within ``first``-``last``.

    An empty value gives ``default`` when there is one; anything else raises InvalidInput.
    """
    if (text is None or text == "") and default is not None:
        return default
    if isinstance(text, bool):
        value = None
    elif isinstance(text, int):
        value = text
    elif isinstance(text, str) and text.strip().isascii() and text.strip().isdigit():
        stripped = text.strip()
        value = int(stripped) if len(stripped) <= 4 else None
    else:
        value = None
    if value is None or not first <= value <= last:
        raise InvalidInput.for_field(field, f"年度应为 {first}-{last} 之间的整数")
    return value


def parse_date(text: object, *, field: str, default: dt.date | None = None) -> dt.date:
    """A date written YYYY-MM-DD, in a year ``parse_year`` accepts."""
    if (text is None or text == "") and default is not None:
        return default
    try:
        value = dt.date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        value = None
    if value is None or len(text) != 10:  # type: ignore[arg-type]
        raise InvalidInput.for_field(field, "日期格式应为 YYYY-MM-DD")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InvalidInput.for_field(field, f"日期应在 {FIRST_YEAR}-{LAST_YEAR} 年之间")
    return value
