"""Loading and updating reference data; every change is audited."""

from __future__ import annotations

from django.db import transaction

from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.reference.models import (
    AccessQualification,
    CalendarDay,
    CalendarYear,
    Occupation,
)
from skillcert.reference.selectors import forget_occupation_index, forget_work_calendar
from skillcert.rules import occupations as occupation_rules
from skillcert.rules.workdays import ScheduleEntry, parse_schedule_csv, schedule_years

OCCUPATION_FIELDS = [
    "name",
    "major",
    "middle",
    "minor",
    "minor_name",
    "digital",
    "green",
    "new_occupation",
    "new_batch",
    "new_document_no",
    "access_type",
]


def load_occupation_catalog(*, actor: Actor) -> dict[str, int]:
    """Load the bundled occupation tables (idempotent: existing rows are updated in place)."""
    catalog = occupation_rules.build_catalog(
        occupation_rules.load_occupations_2022(),
        occupation_rules.load_new_occupations(),
        occupation_rules.load_access_qualifications(),
    )
    access = occupation_rules.load_access_qualifications()
    with transaction.atomic():
        existing = {
            (o.edition, o.code or "", o.name if o.code is None else ""): o
            for o in Occupation.objects.all()
        }
        to_create: list[Occupation] = []
        to_update: list[Occupation] = []
        for item in catalog:
            key = (item.edition, item.code or "", item.name if item.code is None else "")
            values = {name: getattr(item, name) for name in OCCUPATION_FIELDS}
            row = existing.get(key)
            if row is None:
                to_create.append(Occupation(edition=item.edition, code=item.code, **values))
            elif any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                to_update.append(row)
        Occupation.objects.bulk_create(to_create, batch_size=500)
        Occupation.objects.bulk_update(to_update, OCCUPATION_FIELDS, batch_size=500)
        transaction.on_commit(forget_occupation_index)
        forget_occupation_index()
        for qualification in access:
            AccessQualification.objects.update_or_create(
                name=qualification.name,
                defaults={
                    "code_2022": qualification.code_2022 or "",
                    "authority": qualification.authority,
                    "note": qualification.note,
                },
            )
        counts = {
            "created": len(to_create),
            "updated": len(to_update),
            "access_qualifications": len(access),
        }
        if to_create or to_update:
            audit.record(
                actor=actor,
                action="reference.occupations_loaded",
                object_type="reference.occupation",
                after=counts,
            )
    return counts


def load_calendar_schedule(text: str, *, source_name: str = "", actor: Actor) -> list[int]:
    """Load one or more years' holiday schedules from CSV (``date,kind``).

    The whole file is checked first; a malformed file changes nothing. Loading a year
    replaces whatever was loaded for it before, and its days then take precedence over the
    bundled library for that year.
    """
    entries = parse_schedule_csv(text)
    years = sorted(schedule_years(entries))
    with transaction.atomic():
        before = _schedule_snapshot(years)
        CalendarDay.objects.filter(day__year__in=years).delete()
        CalendarDay.objects.bulk_create(CalendarDay(day=e.day, kind=e.kind) for e in entries)
        for year in years:
            CalendarYear.objects.update_or_create(
                year=year, defaults={"source_name": source_name[:200]}
            )
        transaction.on_commit(forget_work_calendar)
        forget_work_calendar()
        audit.record(
            actor=actor,
            action="reference.calendar_loaded",
            object_type="reference.calendaryear",
            object_id=",".join(str(y) for y in years),
            before=before,
            after=_entries_data(entries),
        )
    return years


def _schedule_snapshot(years: list[int]) -> dict[str, str]:
    return {
        day.day.isoformat(): day.kind for day in CalendarDay.objects.filter(day__year__in=years)
    }


def _entries_data(entries: list[ScheduleEntry]) -> dict[str, str]:
    return {entry.day.isoformat(): entry.kind for entry in entries}
