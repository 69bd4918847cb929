"""The platform's "today": Asia/Shanghai, or fixed by SKILLCERT_TODAY (refused when malformed)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from skillcert.rules import clock


def test_unset_means_the_date_in_shanghai(monkeypatch):
    monkeypatch.delenv("SKILLCERT_TODAY", raising=False)
    assert clock.today() == dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert clock.fixed_today() is None


def test_fixed_date(monkeypatch):
    monkeypatch.setenv("SKILLCERT_TODAY", "2026-09-18")
    assert clock.today() == dt.date(2026, 9, 18)
    assert clock.now().date() == dt.date(2026, 9, 18)
    assert clock.now().tzinfo is not None


@pytest.mark.parametrize("value", ["2026-13-01", "18.09.2026", "tomorrow", "2026-02-30"])
def test_malformed_value_stops_instead_of_being_ignored(monkeypatch, value):
    monkeypatch.setenv("SKILLCERT_TODAY", value)
    with pytest.raises(clock.ClockConfigError, match="SKILLCERT_TODAY"):
        clock.today()
