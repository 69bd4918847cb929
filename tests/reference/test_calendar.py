"""Holiday schedules officers load for years the library lacks (``skillcert calendar load``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from skillcert.audit.models import AuditEntry
from skillcert.reference.models import CalendarDay, CalendarYear
from skillcert.reference.selectors import work_calendar
from skillcert.rules.workdays import CalendarSource, due_after_working_days

pytestmark = pytest.mark.django_db

# A 2027 schedule as the State Council might publish it (New Year and Spring Festival part).
SCHEDULE_2027 = """date,kind
2027-01-01,holiday
2027-02-05,holiday
2027-02-06,holiday
2027-02-07,holiday
2027-02-08,holiday
2027-02-09,holiday
2027-02-10,holiday
2027-02-11,holiday
2027-02-13,workday
"""


def write(tmp_path, text: str, name: str = "2027.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_year_without_schedule_falls_back_to_weekdays_and_says_so():
    calendar = work_calendar()
    assert calendar.source(2027) == CalendarSource.WEEKDAYS
    deadline = due_after_working_days(calendar, dt.date(2027, 2, 4), 3)
    assert deadline.day == dt.date(2027, 2, 9)  # Mon-Fri only: 5th, 8th, 9th
    assert deadline.estimated
    assert "2027" in deadline.note() and "周一至周五" in deadline.note()


def test_loaded_schedule_drives_deadlines(tmp_path, capsys):
    call_command("calendar", "load", str(write(tmp_path, SCHEDULE_2027)))
    assert "2027" in capsys.readouterr().out
    calendar = work_calendar()
    assert calendar.source(2027) == CalendarSource.LOADED
    assert not calendar.is_workday(dt.date(2027, 2, 8))
    assert calendar.is_workday(dt.date(2027, 2, 13))  # adjusted working Saturday
    deadline = due_after_working_days(calendar, dt.date(2027, 2, 4), 3)
    assert deadline.day == dt.date(2027, 2, 15)  # 12th, 13th (Sat, worked), 15th
    assert not deadline.estimated
    entry = AuditEntry.objects.get(action="reference.calendar_loaded")
    assert entry.object_id == "2027"
    assert entry.actor.startswith("cli:")


def test_loading_again_replaces_the_year(tmp_path):
    call_command("calendar", "load", str(write(tmp_path, SCHEDULE_2027)))
    call_command("calendar", "load", str(write(tmp_path, "date,kind\n2027-01-01,holiday\n")))
    assert list(CalendarDay.objects.values_list("day", flat=True)) == [dt.date(2027, 1, 1)]
    assert CalendarYear.objects.count() == 1


@pytest.mark.parametrize(
    "text",
    [
        "",  # empty
        "day,type\n2027-01-01,holiday\n",  # wrong header
        "date,kind\n2027-13-01,holiday\n",  # impossible date
        "date,kind\n2027/01/01,holiday\n",  # wrong date format
        "date,kind\n2027-01-01,vacation\n",  # unknown kind
        "date,kind\n2027-01-01,holiday\n2027-01-01,holiday\n",  # duplicate
        "date,kind\n2027-01-04,workday\n",  # a Monday cannot be an adjusted working day
        "date,kind\n",  # header only
        "date,kind\n2027-01-01\n",  # missing column
    ],
)
def test_malformed_files_are_refused_and_nothing_is_written(tmp_path, text):
    call_command("calendar", "load", str(write(tmp_path, SCHEDULE_2027)))
    before = (list(CalendarDay.objects.values_list("day", "kind")), AuditEntry.objects.count())
    with pytest.raises(CommandError) as info:
        call_command("calendar", "load", str(write(tmp_path, text, "bad.csv")))
    assert "bad.csv" in str(info.value)
    after = (list(CalendarDay.objects.values_list("day", "kind")), AuditEntry.objects.count())
    assert after == before


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="无法读取"):
        call_command("calendar", "load", str(tmp_path / "nope.csv"))
