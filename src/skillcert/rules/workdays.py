"""Working-day arithmetic for the notice's periods (domain.md section 3, interpretation of periods).

Working days follow the State Council's holiday schedule with its adjusted working weekends
(调休). Three sources, in order of precedence for a year:

1. a schedule loaded by officers (``CalendarSource.LOADED``) — it replaces the library's data for
   that year, so that a published correction takes effect without a software upgrade;
2. the ``chinese_calendar`` library (``CalendarSource.LIBRARY``);
3. Monday-Friday (``CalendarSource.WEEKDAYS``) when neither covers the year. Deadlines computed
   through such a year say so (:attr:`Deadline.estimated`, :meth:`Deadline.note`).

Every period of the notice has one function here, so the interpretation lives in one place.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import chinese_calendar
import chinese_calendar.constants

from skillcert.rules.errors import DomainError, InvalidInput

HOLIDAY = "holiday"
WORKDAY = "workday"
SCHEDULE_KINDS = frozenset({HOLIDAY, WORKDAY})

ONE_DAY = dt.timedelta(days=1)

FILING_VALIDITY_YEARS = 3
PILOT_YEARS = 1


class CalendarSource(StrEnum):
    """Where the working days of a year come from."""

    LIBRARY = "library"
    LOADED = "loaded"
    WEEKDAYS = "weekdays"


@functools.cache
def _library_years() -> range:
    # Read the range from the library's own tables so that upgrading chinesecalendar extends it.
    known = [*chinese_calendar.constants.holidays, *chinese_calendar.constants.workdays]
    return range(min(d.year for d in known), max(d.year for d in known) + 1)


@functools.cache
def _library_is_workday(day: dt.date) -> bool:
    # The library's tables never change while the process runs; its own lookup validates the
    # date on every call (~50 µs), and a list of 50 deadlines counts thousands of days.
    return bool(chinese_calendar.is_workday(day))


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days, combining loaded schedules, the library and Monday-Friday."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    loaded_years: frozenset[int] = frozenset()

    @classmethod
    def build(
        cls,
        overrides: Mapping[dt.date, str] | None = None,
        loaded_years: Iterable[int] = (),
    ) -> WorkCalendar:
        """A calendar from officers' schedules: ``overrides`` maps a date to "holiday"/"workday".

        A year counts as loaded when it is listed in ``loaded_years`` or has an override: an
        override in a year still read from the library would otherwise be silently ignored.
        """
        holidays: set[dt.date] = set()
        workdays: set[dt.date] = set()
        for day, kind in (overrides or {}).items():
            if kind == HOLIDAY:
                holidays.add(day)
            elif kind == WORKDAY:
                workdays.add(day)
            else:
                raise InvalidInput.for_field(
                    "kind", f"{day.isoformat()} 的类型“{kind}”不正确：应为 holiday 或 workday"
                )
        years = set(loaded_years) | {d.year for d in holidays | workdays}
        return cls(frozenset(holidays), frozenset(workdays), frozenset(years))

    def library_years(self) -> range:
        """The years the installed chinese_calendar library covers."""
        return _library_years()

    def source(self, year: int) -> CalendarSource:
        """Where the working days of ``year`` come from (loaded schedules win over the library)."""
        if year in self.loaded_years:
            return CalendarSource.LOADED
        if year in _library_years():
            return CalendarSource.LIBRARY
        return CalendarSource.WEEKDAYS

    def is_workday(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day."""
        source = self.source(day.year)
        if source is CalendarSource.LOADED:
            if day in self.holidays:
                return False
            if day in self.workdays:
                return True
            return day.weekday() < 5
        if source is CalendarSource.LIBRARY:
            return _library_is_workday(day)
        return day.weekday() < 5

    def is_estimated(self, day: dt.date) -> bool:
        """Whether ``day``'s status is only the Monday-Friday fallback."""
        return self.source(day.year) is CalendarSource.WEEKDAYS


@dataclass(frozen=True)
class Deadline:
    """A computed date and the years whose schedule was only the Monday-Friday fallback."""

    day: dt.date
    estimated_years: tuple[int, ...] = field(default=())

    @property
    def estimated(self) -> bool:
        """Whether part of the count relied on the Monday-Friday fallback."""
        return bool(self.estimated_years)

    def note(self) -> str:
        """The remark shown next to an estimated date, or "" when the date is exact."""
        if not self.estimated_years:
            return ""
        years = "、".join(f"{year}年" for year in self.estimated_years)
        return f"（{years}法定节假日安排尚未发布，暂按周一至周五计算）"


# --- periods -----------------------------------------------------------------------------


def due_after_working_days(cal: WorkCalendar, start: dt.date, n: int) -> Deadline:
    """ "Within N working days after D": the N-th working day strictly after ``start``.

    Used for acceptance feedback (10) and result filing (10).
    """
    _require_positive(n, "n")
    return _walk(cal, start + ONE_DAY, n, ONE_DAY)


def latest_before_working_days(cal: WorkCalendar, start: dt.date, n: int) -> Deadline:
    """ "N working days in advance of D": the N-th working day strictly before ``start``.

    Used for plan filing (10 working days before the assessment starts).
    """
    _require_positive(n, "n")
    return _walk(cal, start - ONE_DAY, n, -ONE_DAY)


def publicity_end_working_days(cal: WorkCalendar, start: dt.date, n: int) -> Deadline:
    """The last day of a publicity of at least N working days published on ``start``.

    ``start`` counts as day 1 when it is a working day; the publicity ends at the end of the
    N-th working day, and what needs it closed is allowed from the day after.
    """
    _require_positive(n, "n")
    return _walk(cal, start, n, ONE_DAY)


def publicity_end_days(start: dt.date, n: int) -> dt.date:
    """The last day of a publicity of at least N calendar days: ``start`` is day 1."""
    _require_positive(n, "n")
    return _shift(start, dt.timedelta(days=n - 1))


def years_after_until(start: dt.date, years: int) -> dt.date:
    """The last day of a period of ``years`` years from ``start``: the day before the anniversary.

    When ``start`` is 29 February and the target year is not a leap year, the anniversary is
    taken as 1 March, so the period ends on 28 February.
    """
    _require_positive(years, "years")
    target_year = start.year + years
    if target_year > dt.MAXYEAR:
        raise InvalidInput.for_field("years", "日期超出可计算范围")
    try:
        anniversary = start.replace(year=target_year)
    except ValueError:  # 29 February into a common year
        anniversary = dt.date(target_year, 3, 1)
    return anniversary - ONE_DAY


def valid_until(filed_on: dt.date) -> dt.date:
    """The last day a filing is valid: three years from the filing date."""
    return years_after_until(filed_on, FILING_VALIDITY_YEARS)


def pilot_until(filed_on: dt.date) -> dt.date:
    """The last day of the pilot period: one year from the filing date."""
    return years_after_until(filed_on, PILOT_YEARS)


def working_days_between(cal: WorkCalendar, a: dt.date, b: dt.date) -> int:
    """The number of working days d with a < d <= b, for "working days left" displays.

    With a == b the result is 0 (nothing left, the deadline is today). With b < a the result is
    negative: minus the working days in (b, a], i.e. how many working days ago ``b`` passed.
    """
    if b < a:
        return -working_days_between(cal, b, a)
    count = 0
    day = a + ONE_DAY
    while day <= b:
        if cal.is_workday(day):
            count += 1
        day += ONE_DAY
    return count


def _walk(cal: WorkCalendar, day: dt.date, n: int, step: dt.timedelta) -> Deadline:
    """Count working days from ``day`` (inclusive) in direction ``step`` until the n-th.

    Every day looked at whose status is only the Monday-Friday fallback marks its year as
    estimated, including the non-working days skipped on the way.
    """
    estimated: set[int] = set()
    found = 0
    while True:
        if cal.is_estimated(day):
            estimated.add(day.year)
        if cal.is_workday(day):
            found += 1
            if found == n:
                return Deadline(day, tuple(sorted(estimated)))
        day = _shift(day, step)


def _shift(day: dt.date, delta: dt.timedelta) -> dt.date:
    try:
        return day + delta
    except OverflowError:
        raise InvalidInput("日期超出可计算范围") from None


def _require_positive(n: int, name: str) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InvalidInput.for_field(name, f"天数应为不小于 1 的整数，收到的是“{n}”")


# --- officers' schedules -----------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleEntry:
    """One line of a loaded holiday schedule: a holiday, or an adjusted working weekend day."""

    day: dt.date
    kind: str


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_schedule_csv(text: str) -> list[ScheduleEntry]:
    """Read a holiday schedule loaded by officers (CSV, header ``date,kind``).

    Each row is a date (YYYY-MM-DD) and ``holiday`` or ``workday``. Refused, with the line
    number: a missing or wrong header, a malformed date, an unknown kind, a wrong number of
    columns, a date listed twice, a ``workday`` on Monday-Friday (an adjusted working day is
    always a weekend day), and a file without rows. Blank lines and a UTF-8 BOM are tolerated.
    Entries are returned sorted by date.
    """
    lines = text.removeprefix("\ufeff").splitlines()
    rows = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    if not rows:
        raise _schedule_error("节假日安排文件为空：应有表头 date,kind 和至少一行数据")
    header_line, header = rows[0]
    if [cell.strip().lower() for cell in _cells(header)] != ["date", "kind"]:
        raise _schedule_error(f"第 {header_line} 行：表头应为 date,kind，收到的是“{header}”")
    if len(rows) == 1:
        raise _schedule_error("节假日安排文件没有数据行：表头之后应至少有一行日期")
    seen: dict[dt.date, int] = {}
    entries: list[ScheduleEntry] = []
    for number, line in rows[1:]:
        entry = _schedule_row(number, line)
        if entry.day in seen:
            raise _schedule_error(
                f"第 {number} 行：日期 {entry.day.isoformat()} 与第 {seen[entry.day]} 行重复"
            )
        seen[entry.day] = number
        entries.append(entry)
    return sorted(entries, key=lambda entry: entry.day)


def schedule_years(entries: Iterable[ScheduleEntry]) -> set[int]:
    """The years a schedule covers (each becomes a loaded year of the calendar)."""
    return {entry.day.year for entry in entries}


def calendar_from_schedule(entries: Iterable[ScheduleEntry]) -> WorkCalendar:
    """A calendar whose loaded years are those of ``entries``."""
    items = list(entries)
    return WorkCalendar.build({e.day: e.kind for e in items}, schedule_years(items))


def _schedule_row(number: int, line: str) -> ScheduleEntry:
    cells = [cell.strip() for cell in _cells(line)]
    if len(cells) != 2:
        raise _schedule_error(f"第 {number} 行：应有 2 列（date,kind），收到 {len(cells)} 列")
    raw_date, raw_kind = cells
    if not _DATE.fullmatch(raw_date):
        raise _schedule_error(f"第 {number} 行：日期“{raw_date}”格式错误，应为 YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(raw_date)
    except ValueError:
        raise _schedule_error(f"第 {number} 行：日期“{raw_date}”不存在") from None
    kind = raw_kind.lower()
    if kind not in SCHEDULE_KINDS:
        raise _schedule_error(
            f"第 {number} 行：类型“{raw_kind}”不正确，应为 holiday（放假）或 workday（调休上班）"
        )
    if kind == WORKDAY and day.weekday() < 5:
        raise _schedule_error(
            f"第 {number} 行：{raw_date} 是周一至周五，本来就是工作日；"
            "调休上班日（workday）只能是周六或周日"
        )
    return ScheduleEntry(day, kind)


def _cells(line: str) -> list[str]:
    return next(csv.reader([line]))


def _schedule_error(message: str) -> DomainError:
    return InvalidInput.for_field("schedule", message)
