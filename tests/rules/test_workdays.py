import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skillcert.rules.errors import InvalidInput
from skillcert.rules.workdays import (
    CalendarSource,
    Deadline,
    ScheduleEntry,
    WorkCalendar,
    calendar_from_schedule,
    due_after_working_days,
    latest_before_working_days,
    parse_schedule_csv,
    pilot_until,
    publicity_end_days,
    publicity_end_working_days,
    schedule_years,
    valid_until,
    working_days_between,
    years_after_until,
)

D = dt.date
LIBRARY = WorkCalendar.build()


# --- the calendar --------------------------------------------------------------------------


def test_library_years_come_from_the_library():
    years = LIBRARY.library_years()
    assert 2026 in years
    assert 2004 in years
    assert 2027 not in years  # chinesecalendar 1.11.0 stops at 2026


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 9, 18), True),
        (D(2026, 9, 20), True),  # adjusted working Sunday
        (D(2026, 9, 25), False),  # 中秋节
        (D(2026, 10, 1), False),
        (D(2026, 10, 7), False),
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),  # adjusted working Saturday
        (D(2026, 10, 11), False),
        (D(2026, 2, 14), True),  # Spring Festival: adjusted working Saturday
        (D(2026, 2, 16), False),
        (D(2026, 2, 23), False),  # Monday, still Spring Festival
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),  # adjusted working Saturday
        (D(2027, 1, 1), True),  # not yet published: Monday-Friday fallback
        (D(2027, 1, 2), False),
    ],
)
def test_is_workday(day, working):
    assert LIBRARY.is_workday(day) is working


def test_sources():
    cal = WorkCalendar.build({D(2027, 1, 1): "holiday"})
    assert cal.source(2026) is CalendarSource.LIBRARY
    assert cal.source(2027) is CalendarSource.LOADED
    assert cal.source(2028) is CalendarSource.WEEKDAYS
    assert LIBRARY.source(2027) is CalendarSource.WEEKDAYS
    assert CalendarSource.LOADED == "loaded"


def test_loaded_year_replaces_the_library():
    cal = WorkCalendar.build({D(2026, 10, 1): "holiday"}, loaded_years=[2026])
    assert cal.source(2026) is CalendarSource.LOADED
    assert not cal.is_workday(D(2026, 10, 1))
    assert cal.is_workday(D(2026, 10, 2))  # the library's holiday no longer applies
    assert not cal.is_workday(D(2026, 9, 20))  # nor its adjusted working Sunday


def test_loaded_year_without_overrides_is_plain_weekdays():
    cal = WorkCalendar.build(loaded_years=[2028])
    assert cal.source(2028) is CalendarSource.LOADED
    assert cal.is_workday(D(2028, 1, 3))
    assert not cal.is_workday(D(2028, 1, 1))


def test_loaded_workday_on_a_weekend():
    cal = WorkCalendar.build({D(2027, 2, 20): "workday"})
    assert cal.is_workday(D(2027, 2, 20))


def test_build_refuses_unknown_kind():
    with pytest.raises(InvalidInput, match="holiday 或 workday"):
        WorkCalendar.build({D(2027, 1, 1): "rest"})


# --- the three examples of domain.md and more known answers -------------------------------


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (D(2026, 9, 18), 10, D(2026, 10, 9)),  # domain.md: acceptance feedback
        (D(2026, 9, 18), 1, D(2026, 9, 20)),  # Friday → the adjusted working Sunday
        (D(2026, 9, 19), 1, D(2026, 9, 20)),  # Saturday → the adjusted working Sunday
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 10, 9), 1, D(2026, 10, 10)),
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Spring Festival 2026
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        (D(2026, 2, 12), 5, D(2026, 2, 26)),
        (D(2026, 2, 12), 10, D(2026, 3, 4)),
        (D(2025, 12, 30), 2, D(2026, 1, 4)),  # over New Year: 2026-01-04 is a working Sunday
    ],
)
def test_due_after_working_days(start, n, due):
    result = due_after_working_days(LIBRARY, start, n)
    assert result == Deadline(due, ())
    assert not result.estimated
    assert result.note() == ""


@pytest.mark.parametrize(
    ("start", "n", "latest"),
    [
        (D(2026, 10, 19), 10, D(2026, 9, 29)),  # domain.md: plan filing
        (D(2026, 10, 8), 1, D(2026, 9, 30)),
        (D(2026, 10, 12), 1, D(2026, 10, 10)),
        (D(2026, 2, 24), 1, D(2026, 2, 14)),  # Spring Festival 2026
        (D(2026, 3, 2), 3, D(2026, 2, 26)),
        (D(2026, 3, 9), 10, D(2026, 2, 24)),
    ],
)
def test_latest_before_working_days(start, n, latest):
    assert latest_before_working_days(LIBRARY, start, n) == Deadline(latest, ())


@pytest.mark.parametrize(
    ("start", "n", "end"),
    [
        (D(2026, 9, 24), 5, D(2026, 10, 8)),  # domain.md: filing publicity
        (D(2026, 9, 24), 1, D(2026, 9, 24)),  # a working day counts as day 1
        (D(2026, 10, 1), 5, D(2026, 10, 13)),  # published on a holiday
        (D(2026, 2, 14), 5, D(2026, 2, 27)),
        (D(2026, 9, 19), 1, D(2026, 9, 20)),
    ],
)
def test_publicity_end_working_days(start, n, end):
    assert publicity_end_working_days(LIBRARY, start, n) == Deadline(end, ())


# --- years without a schedule --------------------------------------------------------------


def test_deadline_into_an_unpublished_year_is_estimated():
    result = due_after_working_days(LIBRARY, D(2026, 12, 24), 10)
    # 12-25, 28-31 (5) then 2027-01-01 (counted: no schedule yet), 01-04…07.
    assert result == Deadline(D(2027, 1, 7), (2027,))
    assert result.estimated
    assert result.note() == "（2027年法定节假日安排尚未发布，暂按周一至周五计算）"


def test_loaded_schedule_makes_the_deadline_exact():
    cal = WorkCalendar.build({D(2027, 1, 1): "holiday"})
    assert due_after_working_days(cal, D(2026, 12, 24), 10) == Deadline(D(2027, 1, 8), ())


def test_latest_before_back_into_the_library_year():
    result = latest_before_working_days(LIBRARY, D(2027, 1, 5), 3)
    assert result == Deadline(D(2026, 12, 31), (2027,))


def test_deadline_inside_the_library_year_is_not_estimated_even_when_started_later():
    # Only the days actually counted matter: nothing of 2027 is looked at here.
    assert not latest_before_working_days(LIBRARY, D(2027, 1, 1), 1).estimated


def test_estimated_over_two_years():
    result = due_after_working_days(LIBRARY, D(2027, 12, 30), 3)
    assert result == Deadline(D(2028, 1, 4), (2027, 2028))
    assert result.note() == "（2027年、2028年法定节假日安排尚未发布，暂按周一至周五计算）"


def test_publicity_in_an_unpublished_year():
    assert publicity_end_working_days(LIBRARY, D(2027, 3, 1), 5) == Deadline(D(2027, 3, 5), (2027,))


@pytest.mark.parametrize(
    "function", [due_after_working_days, latest_before_working_days, publicity_end_working_days]
)
@pytest.mark.parametrize("n", [0, -1, True])
def test_n_must_be_positive(function, n):
    with pytest.raises(InvalidInput, match="不小于 1"):
        function(LIBRARY, D(2026, 9, 18), n)


# --- calendar-day periods ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "end"),
    [
        (D(2026, 9, 24), 7, D(2026, 9, 30)),
        (D(2026, 9, 24), 1, D(2026, 9, 24)),
        (D(2026, 12, 28), 7, D(2027, 1, 3)),
        (D(2028, 2, 25), 7, D(2028, 3, 2)),
    ],
)
def test_publicity_end_days(start, n, end):
    assert publicity_end_days(start, n) == end


def test_publicity_end_days_needs_a_positive_length():
    with pytest.raises(InvalidInput):
        publicity_end_days(D(2026, 9, 24), 0)


@pytest.mark.parametrize(
    ("start", "years", "until"),
    [
        (D(2026, 9, 30), 3, D(2029, 9, 29)),
        (D(2026, 1, 1), 1, D(2026, 12, 31)),
        (D(2024, 2, 29), 1, D(2025, 2, 28)),  # anniversary taken as 1 March
        (D(2024, 2, 29), 3, D(2027, 2, 28)),
        (D(2024, 2, 29), 4, D(2028, 2, 28)),
        (D(2027, 3, 1), 1, D(2028, 2, 29)),
        (D(2026, 3, 1), 1, D(2027, 2, 28)),
    ],
)
def test_years_after_until(start, years, until):
    assert years_after_until(start, years) == until


def test_validity_and_pilot():
    assert valid_until(D(2026, 10, 9)) == D(2029, 10, 8)
    assert pilot_until(D(2026, 10, 9)) == D(2027, 10, 8)


def test_years_must_be_positive():
    with pytest.raises(InvalidInput):
        years_after_until(D(2026, 1, 1), 0)


@pytest.mark.parametrize(
    ("a", "b", "count"),
    [
        (D(2026, 9, 18), D(2026, 10, 9), 10),
        (D(2026, 10, 9), D(2026, 9, 18), -10),
        (D(2026, 9, 18), D(2026, 9, 18), 0),
        (D(2026, 9, 30), D(2026, 10, 7), 0),
        (D(2026, 12, 30), D(2027, 1, 4), 3),  # 12-31, 2027-01-01 (fallback), 01-04
    ],
)
def test_working_days_between(a, b, count):
    assert working_days_between(LIBRARY, a, b) == count


# --- properties ----------------------------------------------------------------------------

days = st.dates(min_value=D(2025, 1, 1), max_value=D(2028, 12, 31))
counts = st.integers(1, 25)


def _fallback_years(first: dt.date, last: dt.date) -> tuple[int, ...]:
    years = range(first.year, last.year + 1)
    return tuple(y for y in years if LIBRARY.source(y) is CalendarSource.WEEKDAYS)


@settings(max_examples=150, deadline=None)
@given(days, counts)
def test_due_after_properties(day, n):
    result = due_after_working_days(LIBRARY, day, n)
    assert result.day > day
    assert LIBRARY.is_workday(result.day)
    assert working_days_between(LIBRARY, day, result.day) == n
    assert result.estimated_years == _fallback_years(day + dt.timedelta(days=1), result.day)


@settings(max_examples=150, deadline=None)
@given(days, counts)
def test_latest_before_properties(day, n):
    result = latest_before_working_days(LIBRARY, day, n)
    one = dt.timedelta(days=1)
    assert result.day < day
    assert LIBRARY.is_workday(result.day)
    assert working_days_between(LIBRARY, result.day - one, day - one) == n
    assert result.estimated_years == _fallback_years(result.day, day - one)


@settings(max_examples=150, deadline=None)
@given(days, counts)
def test_publicity_end_properties(day, n):
    result = publicity_end_working_days(LIBRARY, day, n)
    assert result.day >= day
    assert LIBRARY.is_workday(result.day)
    assert working_days_between(LIBRARY, day - dt.timedelta(days=1), result.day) == n


@settings(max_examples=100, deadline=None)
@given(days, days)
def test_working_days_between_is_antisymmetric(a, b):
    assert working_days_between(LIBRARY, a, b) == -working_days_between(LIBRARY, b, a)


# --- loaded schedules ----------------------------------------------------------------------

SCHEDULE_2027 = """\ufeffdate,kind

2027-10-01,holiday
2027-01-01,holiday
2027-02-20,workday

"""


def test_parse_schedule_csv():
    entries = parse_schedule_csv(SCHEDULE_2027)
    assert entries == [
        ScheduleEntry(D(2027, 1, 1), "holiday"),
        ScheduleEntry(D(2027, 2, 20), "workday"),
        ScheduleEntry(D(2027, 10, 1), "holiday"),
    ]
    assert schedule_years(entries) == {2027}
    cal = calendar_from_schedule(entries)
    assert cal.source(2027) is CalendarSource.LOADED
    assert not cal.is_workday(D(2027, 1, 1))
    assert cal.is_workday(D(2027, 2, 20))


def test_parse_schedule_tolerates_spaces_case_and_crlf():
    text = " Date , Kind \r\n2027-01-01 , Holiday\r\n2028-01-01,holiday\r\n"
    entries = parse_schedule_csv(text)
    assert [e.kind for e in entries] == ["holiday", "holiday"]
    assert schedule_years(entries) == {2027, 2028}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "为空"),
        ("\ufeff\n\n", "为空"),
        ("date,kind\n", "没有数据行"),
        ("date,kind\n\n\n", "没有数据行"),
        ("day,kind\n2027-01-01,holiday\n", "第 1 行：表头应为 date,kind"),
        ("2027-01-01,holiday\n2027-01-02,holiday\n", "第 1 行：表头应为 date,kind"),
        ("date\n2027-01-01\n", "第 1 行：表头应为 date,kind"),
        ("date,kind\n2027/01/01,holiday\n", "第 2 行：日期“2027/01/01”格式错误"),
        ("date,kind\n20270101,holiday\n", "第 2 行：日期“20270101”格式错误"),
        ("date,kind\n\n2027-02-30,holiday\n", "第 3 行：日期“2027-02-30”不存在"),
        ("date,kind\n2027-01-01,rest\n", "第 2 行：类型“rest”不正确"),
        ("date,kind\n2027-01-01,\n", "第 2 行：类型“”不正确"),
        ("date,kind\n2027-01-01\n", "第 2 行：应有 2 列"),
        ("date,kind\n2027-01-01,holiday,x\n", "第 2 行：应有 2 列"),
        (
            "date,kind\n2027-01-01,holiday\n2027-01-02,holiday\n2027-01-01,holiday\n",
            "第 4 行：日期 2027-01-01 与第 2 行重复",
        ),
        ("date,kind\n2027-01-04,workday\n", "第 2 行：2027-01-04 是周一至周五"),
    ],
)
def test_malformed_schedules(text, fragment):
    with pytest.raises(InvalidInput) as excinfo:
        parse_schedule_csv(text)
    assert fragment in excinfo.value.message
    assert "schedule" in excinfo.value.fields
