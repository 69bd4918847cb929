"""Read queries on reference data."""

from __future__ import annotations

import time

from django.db.models import Q, QuerySet

from skillcert.reference.models import CalendarDay, CalendarYear, Occupation
from skillcert.rules.workdays import WorkCalendar

CALENDAR_TTL_SECONDS = 60
_cached: tuple[float, WorkCalendar] | None = None


def work_calendar() -> WorkCalendar:
    """The working-day calendar: the library, with the schedules officers loaded on top.

    Kept for a minute per process (a worklist computes a deadline per row); loading a
    schedule resets it here, other server processes see it within the minute.
    """
    global _cached
    now = time.monotonic()
    if _cached is not None and now - _cached[0] < CALENDAR_TTL_SECONDS:
        return _cached[1]
    overrides = dict(CalendarDay.objects.values_list("day", "kind"))
    years = CalendarYear.objects.values_list("year", flat=True)
    calendar = WorkCalendar.build(overrides=overrides, loaded_years=years)
    _cached = (now, calendar)
    return calendar


def forget_work_calendar() -> None:
    global _cached
    _cached = None


def occupation_by_code(code: str, edition: str = "2022") -> Occupation | None:
    return Occupation.objects.filter(edition=edition, code=code).first()


def occupations_by_name(name: str) -> QuerySet[Occupation]:
    return Occupation.objects.filter(name=name.strip())


def search_occupations(text: str, limit: int = 20) -> list[Occupation]:
    """Autocomplete: code prefix or a part of the name."""
    text = text.strip()
    if not text:
        return []
    query = Q(code__startswith=text) | Q(name__contains=text)
    return list(Occupation.objects.filter(query).order_by("code", "name")[:limit])
