"""Reminders (``ops.reminders``): 3 working days before a deadline a person owes, one message,
read from the worklist; a re-run sends nothing twice; the annual report due, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from skillcert.inbox.models import Message
from skillcert.ops.reminders import remind
from skillcert.reference.selectors import work_calendar
from skillcert.rules.workdays import working_days_between
from tests.support.factories import FilingCaseFactory, member, officer, on_day

pytestmark = pytest.mark.django_db


def working_days_before(due: dt.date, n: int) -> dt.date:
    """The working day ``n`` working days before ``due``."""
    calendar = work_calendar()
    day = due - dt.timedelta(days=1)
    while not (calendar.is_workday(day) and working_days_between(calendar, day, due) == n):
        day -= dt.timedelta(days=1)
    return day


def test_reviewer_is_reminded_three_working_days_before_acceptance_is_due():
    case = FilingCaseFactory(state="submitted")
    reviewer = officer("city_bureau", "01")
    applicant = member(case.organization)
    due = case.acceptance_due
    assert due is not None
    earlier = working_days_before(due, 4)
    with on_day(earlier):
        assert remind() == 0  # four working days ahead: not yet
    day = working_days_before(due, 3)
    with on_day(day):
        assert remind() == 1
        assert remind() == 0  # a re-run sends nothing twice
    with on_day(working_days_before(due, 1)):
        assert remind() == 0  # still the same deadline: reminded once
    message = Message.objects.get(event="deadline.reminder")  # (other events tell of the filing)
    assert message.recipient_id == reviewer.pk
    assert message.event == "deadline.reminder"
    assert "备案申请" in message.title
    assert f"{due:%Y年%m月%d日}" in message.body and "还剩 3 个工作日" in message.body
    assert message.link == f"/review/filings/{case.pk}"
    assert message.subject == f"filing:{case.pk}"
    assert not Message.objects.filter(recipient=applicant, event="deadline.reminder").exists()


def test_nothing_after_the_deadline_passed():
    case = FilingCaseFactory(state="submitted")
    with on_day(case.acceptance_due + dt.timedelta(days=1)):
        remind()
    assert not Message.objects.filter(event="deadline.reminder").exists()


def test_annual_report_due_is_told_once():
    case = FilingCaseFactory(state="filed")
    user = member(case.organization)
    filed_year = case.organization.filed_on.year
    with on_day(dt.date(filed_year + 1, 1, 5)):
        assert remind() >= 1
        assert remind() == 0
    told = Message.objects.filter(recipient=user, event="annual_report.due")
    assert told.count() == 1
    assert f"{filed_year} 年度报告" in told.get().title
    assert told.get().link == reverse("web:org_reports")
