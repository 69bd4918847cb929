"""The supervision workflows (六), declared once as data: an inspection, the rectification a
限期整改 conclusion orders, and an organization's annual report.

Who is which party for an object is decided in ``supervision.machines``; services check every
change against these tables and a test walks them whole.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.conf import settings
from django.db import models

from skillcert.rules.workflow import SYSTEM, Wait, Workflow, t


class InspectionState(models.TextChoices):
    ASSIGNED = "assigned", "待检查"
    CONCLUDED = "concluded", "已出结论"
    PUBLISHED = "published", "已公开"
    # Its batch's plan withdrawn before the assessment: nothing left to inspect.
    ENDED = "ended", "已终止"


class RectificationState(models.TextChoices):
    ORDERED = "ordered", "待整改"  # no response yet, or the last review refused it
    RESPONDED = "responded", "待审核"
    ACCEPTED = "accepted", "整改通过"


class AnnualReportState(models.TextChoices):
    """A report row exists only once filed: ``due`` is the year's report not filed yet."""

    DUE = "due", "待报送"
    FILED = "filed", "已报送"


class SupervisionParty(StrEnum):
    INSPECTOR = "inspector"  # an inspector drawn for the inspection
    OFFICER = "officer"  # the drawing authority's bureau or center, or the province's
    ORGANIZATION = "organization"  # the users of the inspected (or reporting) organization


P = SupervisionParty
IN = InspectionState
INSPECTION = Workflow(
    name="inspection",
    noun="检查",
    states=dict(InspectionState.choices),
    final=frozenset({IN.PUBLISHED, IN.ENDED}),
    transitions=(
        t("findings", {IN.ASSIGNED}, None, {P.INSPECTOR}, "记录检查情况"),
        # Driven by the batch's plan withdrawal (撤回), before any finding was recorded (one
        # that took place is concluded on what was found).
        t(
            "end",
            {IN.ASSIGNED},
            IN.ENDED,
            {SYSTEM},
            "计划撤回，检查终止",
            guards=["not_started"],
            offered=False,
        ),
        t(
            "conclude",
            {IN.ASSIGNED},
            IN.CONCLUDED,
            {P.INSPECTOR},
            "作出检查结论",
            guards=["has_findings"],
        ),
        t("publish", {IN.CONCLUDED}, IN.PUBLISHED, {P.OFFICER}, "审核公开"),
    ),
    waits={
        # The conclusion once a finding is recorded; until then a finding.
        IN.ASSIGNED: (Wait(P.INSPECTOR, "conclude"), Wait(P.INSPECTOR, "findings")),
        IN.CONCLUDED: Wait(P.OFFICER, "publish"),
    },
)

R = RectificationState
# Action names are the last path segments of the API's POSTs on an inspection.
RECTIFICATION = Workflow(
    name="rectification",
    noun="整改",
    states=dict(RectificationState.choices),
    final=frozenset({R.ACCEPTED}),
    transitions=(
        t("rectification", {R.ORDERED, R.RESPONDED}, R.RESPONDED, {P.ORGANIZATION}, "报送整改情况"),
        t(
            "rectification-review",
            {R.RESPONDED},
            (R.ACCEPTED, R.ORDERED),
            {P.OFFICER},
            "审核整改情况",
        ),
    ),
    waits={
        R.ORDERED: Wait(P.ORGANIZATION, "rectification", "due_on"),
        R.RESPONDED: Wait(P.OFFICER, "rectification-review"),
    },
)

A = AnnualReportState
ANNUAL_REPORT = Workflow(
    name="annual_report",
    noun="年度报告",
    states=dict(AnnualReportState.choices),
    final=frozenset({A.FILED}),
    transitions=(
        t(
            "annual-reports",
            {A.DUE},
            A.FILED,
            {P.ORGANIZATION},
            "报送年度报告",
            guards=["filed_that_year", "not_after_exit"],
        ),
    ),
    waits={A.DUE: Wait(P.ORGANIZATION, "annual-reports", "due_on")},
)


def report_due(year: int) -> dt.date:
    """The date a year's report is due: ``SKILLCERT_ANNUAL_REPORT_DUE`` (MM-DD) of the next year."""
    month_day = getattr(settings, "SKILLCERT_ANNUAL_REPORT_DUE", "03-31")
    month, day = (int(part) for part in month_day.split("-"))
    return dt.date(year + 1, month, day)
