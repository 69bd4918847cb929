"""Read queries on reference data."""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from django.db.models import Count, F, Max, QuerySet

from skillcert.env import env_str
from skillcert.reference.guides import SITE_DEFAULTS
from skillcert.reference.models import (
    CalendarDay,
    CalendarYear,
    Occupation,
    ServiceGuide,
    SiteSettings,
)
from skillcert.rules import occupations as occupation_rules
from skillcert.rules.workdays import WorkCalendar

CALENDAR_TTL_SECONDS = 60
OCCUPATIONS_TTL_SECONDS = 600
_cached: tuple[float, WorkCalendar] | None = None
# (built at, rows' count and highest id, the index) of the occupations officers keep.
_occupations: tuple[float, tuple[int, int | None], occupation_rules.OccupationIndex] | None = None


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


def search_occupations(text: str, limit: int = 20) -> list[occupation_rules.Occupation]:
    """Autocomplete: a code prefix, any part of the name, or the name's pinyin initials
    ("yyy" finds 育婴员), ranked as ``OccupationIndex.search`` ranks them."""
    if not text.strip():
        return []
    return occupation_index().search(text, limit=limit)


def occupation_index() -> occupation_rules.OccupationIndex:
    """The occupation table as an in-memory index, kept per process and rebuilt when rows
    are added or removed, when this process reloaded the catalog, or after ten minutes (an
    update in another process). Pinyin initials are read once per name (cached in rules)."""
    global _occupations
    now = time.monotonic()
    counted = Occupation.objects.aggregate(n=Count("pk"), last=Max("pk"))
    signature = (counted["n"], counted["last"])
    if (
        _occupations is not None
        and _occupations[1] == signature
        and now - _occupations[0] < OCCUPATIONS_TTL_SECONDS
    ):
        return _occupations[2]
    rows = Occupation.objects.order_by(F("code").asc(nulls_last=True), "name")
    index = occupation_rules.OccupationIndex(_as_rule(row) for row in rows)
    _occupations = (now, signature, index)
    return index


def forget_occupation_index() -> None:
    global _occupations
    _occupations = None


def _as_rule(row: Occupation) -> occupation_rules.Occupation:
    return occupation_rules.Occupation(
        edition=row.edition,
        code=row.code,
        name=row.name,
        major=row.major,
        middle=row.middle,
        minor=row.minor,
        minor_name=row.minor_name,
        digital=row.digital,
        green=row.green,
        new_occupation=row.new_occupation,
        new_batch=row.new_batch,
        new_document_no=row.new_document_no,
        access_type=row.access_type,
    )


# --- the site footer (SiteSettings) ---------------------------------------------------------

SITE_SETTINGS_CACHE_KEY = "reference:site_settings:v1"
SITE_SETTINGS_TTL_SECONDS = 3600


def _site_values(row: SiteSettings | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, (variable, placeholder) in SITE_DEFAULTS.items():
        stored = getattr(row, name, "") if row is not None else ""
        configured = stored or env_str(variable)
        values[name] = configured or placeholder
        values[f"{name}_set"] = bool(configured)
    # The 公安 record's number for the link to its public record (beian.gov.cn).
    values["police_code"] = (
        "".join(ch for ch in values["police_record"] if ch.isdigit())
        if values["police_record_set"]
        else ""
    )
    return values


def site_settings() -> dict[str, Any]:
    """The footer every page shows: one cache read per page (a query only after a save or
    when the cache is cold); ``<field>_set`` says whether the value was configured."""
    cached = cache.get(SITE_SETTINGS_CACHE_KEY)
    if isinstance(cached, dict):
        return cached
    values = _site_values(SiteSettings.objects.filter(pk=1).first())
    cache.set(SITE_SETTINGS_CACHE_KEY, values, SITE_SETTINGS_TTL_SECONDS)
    return values


def forget_site_settings() -> None:
    cache.delete(SITE_SETTINGS_CACHE_KEY)


def service_guides() -> QuerySet[ServiceGuide]:
    return ServiceGuide.objects.all()


def service_guide(slug: str) -> ServiceGuide | None:
    return ServiceGuide.objects.filter(slug=slug).first()
