"""The batch page's selector: ``batch_page_for`` gives a typed ``BatchPage`` for the
organization and for a reviewer, and ``as_context`` the keys the templates read."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from skillcert.assessment.workflow import BatchParty
from skillcert.rules.idtypes import mask_id_number
from skillcert.web.assessment.page import (
    BatchPage,
    CandidateRow,
    ItemRow,
    ScoreRow,
    StaffRow,
    batch_context,
    batch_page_for,
)
from tests.assessment.factories import batch_in, filed_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization(occupation_catalog, org_user, city_bureau, today):
    return filed_organization(org_user, city_bureau, today)


def request_of(user, path: str = "/"):
    request = RequestFactory().get(path)
    request.user = user
    return request


def test_the_organization_sees_its_own_page(organization, org_user, today):
    batch = batch_in("plan_filed", organization, org_user, today)
    today("2026-11-03")  # the assessment runs: attendance and results may be typed

    page = batch_page_for(request_of(org_user), batch)

    assert isinstance(page, BatchPage)
    assert page.owner is True
    assert BatchParty.ORGANIZATION in page.parties
    assert page.organization == organization
    assert "results" in page.allowed and "attendance" in page.allowed
    assert {t.action for t in page.buttons} <= set(page.allowed)
    assert page.show_contact is False
    assert page.small is True and page.started is True
    total = batch.candidates.count()
    assert page.tally["total"] == total
    assert len(page.candidates) == total
    assert all(isinstance(row, CandidateRow) for row in page.candidates)
    assert all(row.number is None for row in page.candidates)  # nothing issued yet
    # the typed-results grid: one row per candidate, one cell per subject
    assert len(page.score_rows) == total
    row = page.score_rows[0]
    assert isinstance(row, ScoreRow)
    assert [cell.subject for cell in row.cells] == list(batch.subjects)
    assert row.cells[0].name == f"score-{row.candidate.pk}-0"
    assert len(page.absent_rows) == total
    # the plan: the organization reads its staff's ID numbers in full
    assert page.plan.items and all(isinstance(item, ItemRow) for item in page.plan.items)
    assert page.plan.staff_rows and all(isinstance(s, StaffRow) for s in page.plan.staff_rows)
    for staff in page.plan.staff_rows:
        assert staff.id_number == staff.member.id_number
    assert [subject for subject, _mark in page.plan.marks] == list(batch.subjects)


def test_a_reviewer_sees_masked_staff_and_the_objection_contact(
    organization, org_user, city_center, today
):
    batch = batch_in("results_entered", organization, org_user, today)

    page = batch_page_for(request_of(city_center), batch)

    assert page.owner is False
    assert BatchParty.CENTER in page.parties
    assert page.show_contact is True
    assert page.score_rows == [] and page.absent_rows == []
    assert page.segments == [] and page.next_year_missing == []
    assert page.show_scores is True
    assert all(row.scores for row in page.candidates)
    for staff in page.plan.staff_rows:
        assert staff.id_number == mask_id_number(staff.member.id_number)


def test_the_context_keeps_the_templates_keys(organization, org_user, today):
    batch = batch_in("plan_filed", organization, org_user, today)
    request = request_of(org_user, "/?page=1&x=1")

    context = batch_context(request, batch, error="refused", failed_action="results")

    page = batch_page_for(request, batch)
    for key in ("batch", "buttons", "candidates", "score_rows", "history", "query"):
        assert key in context
    # the plan's facts are spread out, as the templates read them
    for key in ("items", "staff_rows", "marks", "senior", "site"):
        assert key in context
    assert "plan" not in context
    assert context["error"] == "refused" and context["failed_action"] == "results"
    assert context["query"] == page.query
    assert set(page.as_context()) == set(context) - {"error", "failed_action"}
