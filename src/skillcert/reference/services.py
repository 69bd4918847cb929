"""Loading and updating reference data; every change is audited."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.reference.guides import GUIDES
from skillcert.reference.models import (
    GUIDE_SECTIONS,
    AccessQualification,
    CalendarDay,
    CalendarYear,
    Occupation,
    ServiceGuide,
    SiteSettings,
)
from skillcert.reference.selectors import (
    forget_occupation_index,
    forget_site_settings,
    forget_work_calendar,
)
from skillcert.rules import clock
from skillcert.rules import occupations as occupation_rules
from skillcert.rules.errors import InvalidInput, NotFound
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


# --- service guides (办事指南) ----------------------------------------------------------------

GUIDE_FIELDS = ["title", "summary", *(name for name, _ in GUIDE_SECTIONS)]


def seed_service_guides(*, actor: Actor) -> int:
    """Create the notice's guides that are missing (idempotent; edits are kept)."""
    with transaction.atomic():
        existing = set(ServiceGuide.objects.values_list("slug", flat=True))
        missing = [dict(guide) for guide in GUIDES if guide["slug"] not in existing]
        for guide in missing:
            ServiceGuide.objects.create(**guide)
        if missing:
            audit.record(
                actor=actor,
                action="reference.guides_seeded",
                object_type="reference.serviceguide",
                after={"created": [guide["slug"] for guide in missing]},
            )
    return len(missing)


def _clean_text(data: dict[str, Any], name: str, model: Any, *, required: bool) -> str:
    field = model._meta.get_field(name)
    value = str(data.get(name) or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not value:
        raise InvalidInput.for_field(name, f"请填写{field.verbose_name}")
    limit = field.max_length
    if limit is not None and len(value) > limit:
        raise InvalidInput.for_field(name, f"{field.verbose_name}不能超过 {limit} 个字")
    return value


def update_service_guide(slug: str, data: dict[str, Any], *, actor: Actor) -> ServiceGuide:
    """Save a guide's text as the province department wrote it (plain text; audited)."""
    with transaction.atomic():
        guide = ServiceGuide.objects.select_for_update().filter(slug=slug).first()
        if guide is None:
            raise NotFound("未找到该办事指南")
        values = {
            name: _clean_text(data, name, ServiceGuide, required=name != "summary")
            for name in GUIDE_FIELDS
        }
        before = {name: getattr(guide, name) for name in GUIDE_FIELDS}
        changed = {name: value for name, value in values.items() if before[name] != value}
        if not changed:
            return guide
        for name, value in changed.items():
            setattr(guide, name, value)
        guide.updated_on = clock.today()
        guide.save(update_fields=[*changed, "updated_on"])
        audit.record(
            actor=actor,
            action="reference.guide_updated",
            obj=guide,
            before={name: before[name] for name in changed},
            after=changed,
        )
    return guide


# --- the site footer (SiteSettings) -----------------------------------------------------------

SITE_FIELDS = [
    "sponsor",
    "organizer",
    "phone",
    "address",
    "icp_record",
    "police_record",
    "site_code",
]
_SITE_CODE = re.compile(r"[0-9A-Za-z]{10}")


def update_site_settings(data: dict[str, Any], *, actor: Actor) -> SiteSettings:
    """Save the footer (the one row, pk 1; audited); every page shows it from the next read."""
    values = {name: _clean_text(data, name, SiteSettings, required=False) for name in SITE_FIELDS}
    if values["site_code"] and not _SITE_CODE.fullmatch(values["site_code"]):
        raise InvalidInput.for_field("site_code", "网站标识码是10位数字或字母")
    if values["police_record"] and not any(ch.isdigit() for ch in values["police_record"]):
        raise InvalidInput.for_field(
            "police_record", "公安机关备案号应包含备案编号，如“皖公网安备34010402000000号”"
        )
    with transaction.atomic():
        row, _ = SiteSettings.objects.select_for_update().get_or_create(pk=1)
        before = {name: getattr(row, name) for name in SITE_FIELDS}
        changed = {name: value for name, value in values.items() if before[name] != value}
        if not changed:
            return row
        for name, value in changed.items():
            setattr(row, name, value)
        row.save()
        audit.record(
            actor=actor,
            action="reference.site_settings_updated",
            obj=row,
            before={name: before[name] for name in changed},
            after=changed,
        )
        transaction.on_commit(forget_site_settings)
        forget_site_settings()
    return row
