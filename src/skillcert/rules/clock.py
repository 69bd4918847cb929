"""What "today" is: the server's local date in Asia/Shanghai, or ``SKILLCERT_TODAY``.

``SKILLCERT_TODAY=YYYY-MM-DD`` fixes the date for drills, training and tests. A malformed
value stops the program instead of being ignored: a drill on the wrong date is worse than
no drill.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
TODAY_VARIABLE = "SKILLCERT_TODAY"


class ClockConfigError(RuntimeError):
    pass


def fixed_today() -> dt.date | None:
    """The date fixed by ``SKILLCERT_TODAY``, or None when it is not set."""
    raw = os.environ.get(TODAY_VARIABLE, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ClockConfigError(
            f"环境变量 {TODAY_VARIABLE} 的值 {raw!r} 不是 YYYY-MM-DD 格式的日期"
        ) from exc


def today() -> dt.date:
    """Today's date in Asia/Shanghai, unless ``SKILLCERT_TODAY`` fixes it."""
    return fixed_today() or dt.datetime.now(LOCAL_TZ).date()


def now() -> dt.datetime:
    """The current instant (aware). With a fixed date, the time of day is kept, the date moved.

    Records are stamped with it, so a drill never shows a record made after "today". A drill
    that runs across a real midnight stamps the next real day's records earlier in the same
    fixed day; where order matters (histories, the seal confirmed last, the outbox) the
    platform uses insertion order, not these stamps."""
    current = dt.datetime.now(LOCAL_TZ)
    fixed = fixed_today()
    if fixed is None:
        return current
    return current.replace(year=fixed.year, month=fixed.month, day=fixed.day)
