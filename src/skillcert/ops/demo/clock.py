"""The demo builds the past with the platform's clock moved (the drill mechanism)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator

from skillcert.rules import clock


@contextlib.contextmanager
def on(day: dt.date) -> Iterator[None]:
    """Run with the platform's date set to ``day`` (the drill mechanism, SKILLCERT_TODAY)."""
    previous = os.environ.get(clock.TODAY_VARIABLE)
    os.environ[clock.TODAY_VARIABLE] = day.isoformat()
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(clock.TODAY_VARIABLE, None)
        else:
            os.environ[clock.TODAY_VARIABLE] = previous
