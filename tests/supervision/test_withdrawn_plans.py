"""An inspection of a batch whose plan is withdrawn (撤回) before the assessment ends with it
(domain.md §9 withdrawal, §8 on-site spot checks): nothing is left to inspect, so it must not
stay on the inspector's list for ever. The system ends it in the withdrawal's transaction, the
inspectors and the officer who drew it are told, the organization is not."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from skillcert.assessment.models import Batch
from skillcert.assessment.services import receipt
from skillcert.audit.models import AuditEntry
from skillcert.inbox.models import Message
from skillcert.registry.models import Organization
from skillcert.rules.errors import Conflict
from skillcert.supervision.machines import INSPECTION_MACHINE
from skillcert.supervision.models import Inspection
from skillcert.supervision.services import draws, inspections
from skillcert.web.worklist import worklist_view
from skillcert.workflow.models import StateChange
from tests.assessment.factories import batch_in
from tests.assessment.test_batch_permissions import file_on_record
from tests.support.personas import web_client

pytestmark = pytest.mark.django_db

FINDING = {"stage": "考前检查", "findings": "考场已布置。"}


@pytest.fixture
def organization(org_user) -> Organization:
    return file_on_record(org_user.membership.organization)


def drawn_batch(organization: Organization, org_user: Any, city_bureau: Any, today: Any) -> Any:
    """A filed plan (assessment from 2026-11-02) drawn for an on-site check on 2026-10-28."""
    batch = batch_in("plan_filed", organization, org_user, today)
    today("2026-10-28")
    draw = draws.make_draw(
        {"targets": "batches", "count": 1, "inspectors": 1, "seed": "撤回"}, actor=city_bureau
    )
    inspection = draw.inspections.get()
    assert inspection.batch_id == batch.pk and inspection.state == "assigned"
    return batch, inspection


def test_withdrawing_the_plan_ends_its_open_inspection(
    organization, org_user, city_bureau, city_center, inspector, today
):
    batch, inspection = drawn_batch(organization, org_user, city_bureau, today)
    assert worklist_view(inspector)["items"]  # waiting for the inspector
    today("2026-10-30")
    receipt.withdraw_plan(batch, actor=org_user)

    ended = Inspection.objects.get(pk=inspection.pk)
    assert (ended.state, ended.ended_on) == ("ended", dt.date(2026, 10, 30))
    assert "撤回认定计划" in ended.end_reason and batch.plan_case_number in ended.end_reason
    assert INSPECTION_MACHINE.is_final(ended) and INSPECTION_MACHINE.next(ended) is None
    assert INSPECTION_MACHINE.available(ended, inspector) == []
    assert not worklist_view(inspector)["items"]
    change = StateChange.objects.filter(workflow="inspection", object_id=ended.pk).get()
    assert (change.action, change.from_state, change.to_state, change.actor) == (
        "end",
        "assigned",
        "ended",
        "system",
    )
    entry = AuditEntry.objects.get(action="supervision.inspection_ended")
    assert entry.object_id == str(ended.pk) and entry.actor == "system"
    # The inspector and the drawing officer are told; the organization hears only of its plan.
    for person in (inspector, city_bureau):
        told = Message.objects.get(recipient=person, event="inspection.ended")
        assert batch.title in told.title and "撤回" in told.body
    assert not Message.objects.filter(recipient=org_user, event="inspection.ended").exists()
    # Nothing more can be recorded on it, in the service's words.
    with pytest.raises(Conflict) as refused:
        inspections.record_finding(ended, FINDING, actor=inspector)
    assert refused.value.message == "该检查已终止（认定计划已撤回），无需再检查"
    # The batch may not be drawn again (withdrawn plans are out of the pool).
    assert Batch.objects.get(pk=batch.pk).pk not in set(
        draws.drawable_batches(dt.date(2026, 10, 30)).values_list("pk", flat=True)
    )


def test_a_started_inspection_stays_for_its_conclusion(
    organization, org_user, city_bureau, inspector, today
):
    """A finding recorded before the start (a 考前检查): the inspection took place, so it is
    concluded on what was found, not ended; its inspector is told the plan was withdrawn."""
    batch, inspection = drawn_batch(organization, org_user, city_bureau, today)
    inspections.record_finding(inspection, FINDING, actor=inspector)
    today("2026-10-30")
    receipt.withdraw_plan(batch, actor=org_user)
    kept = Inspection.objects.get(pk=inspection.pk)
    assert kept.state == "assigned" and kept.ended_on is None
    told = Message.objects.get(recipient=inspector, event="inspection.plan_withdrawn")
    assert "请据此作出检查结论" in told.body and told.asks_action
    assert not Message.objects.filter(event="inspection.ended").exists()
    assert INSPECTION_MACHINE.may(kept, inspector, "conclude")


def test_the_withdrawal_and_the_end_commit_or_roll_back_together(
    organization, org_user, city_bureau, inspector, today
):
    """The inspection ends inside the withdrawal's transaction: a failure after it undoes both."""
    from skillcert.assessment.signals import plan_withdrawn

    batch, inspection = drawn_batch(organization, org_user, city_bureau, today)
    today("2026-10-30")

    def fails(sender, batch, **kwargs):
        raise RuntimeError("a later receiver fails")

    plan_withdrawn.connect(fails, dispatch_uid="test_fails_after_the_end")
    try:
        with pytest.raises(RuntimeError):
            receipt.withdraw_plan(batch, actor=org_user)
    finally:
        plan_withdrawn.disconnect(dispatch_uid="test_fails_after_the_end")
    assert Batch.objects.get(pk=batch.pk).state == "plan_filed"
    assert Inspection.objects.get(pk=inspection.pk).state == "assigned"
    assert not Message.objects.filter(event__in=["inspection.ended", "batch.plan_withdrawn"])
    assert not AuditEntry.objects.filter(action="supervision.inspection_ended").exists()


def test_the_organization_neither_reads_nor_counts_the_ended_inspection(
    organization, org_user, city_bureau, inspector, today
):
    from skillcert.supervision.services.reports import report_statistics
    from tests.support.personas import api_client

    batch, inspection = drawn_batch(organization, org_user, city_bureau, today)
    today("2026-10-30")
    receipt.withdraw_plan(batch, actor=org_user)
    own = api_client(org_user)
    assert own.get(f"/api/v1/inspections/{inspection.pk}").status_code == 404
    assert own.get("/api/v1/inspections", {"state": "ended"}).json()["results"] == []
    assert report_statistics(organization, 2026)["inspections"] == 0
    officer = api_client(city_bureau).get(f"/api/v1/inspections/{inspection.pk}").json()
    assert officer["state"] == "ended" and officer["ended_on"] == "2026-10-30"
    assert "撤回认定计划" in officer["end_reason"] and officer["actions"] == []


def test_a_concluded_inspection_is_not_ended(organization, org_user, city_bureau, inspector, today):
    batch, inspection = drawn_batch(organization, org_user, city_bureau, today)
    inspections.record_finding(inspection, FINDING, actor=inspector)
    inspections.conclude(
        inspection, {"conclusion": "passed", "note": "考前准备符合要求。"}, actor=inspector
    )
    today("2026-10-30")
    receipt.withdraw_plan(batch, actor=org_user)
    assert Inspection.objects.get(pk=inspection.pk).state == "concluded"


def test_only_the_system_ends_an_inspection(organization, org_user, city_bureau, inspector, today):
    _batch, inspection = drawn_batch(organization, org_user, city_bureau, today)
    for person in (inspector, city_bureau, org_user):
        with pytest.raises(Exception) as refused:
            inspections.end(inspection, reason="想终止", actor=person)
        assert getattr(refused.value, "status", None) == 403
    assert Inspection.objects.get(pk=inspection.pk).state == "assigned"


def test_the_pages_show_the_end_and_hide_it_from_the_organization(
    organization, org_user, city_bureau, inspector, today
):
    batch, inspection = drawn_batch(organization, org_user, city_bureau, today)
    today("2026-10-30")
    receipt.withdraw_plan(batch, actor=org_user)

    task = web_client(inspector).get(f"/inspector/inspections/{inspection.pk}").content.decode()
    assert "检查已终止" in task and "撤回认定计划" in task
    assert "记录一个环节的检查情况" not in task  # no form for what cannot be recorded
    officer = web_client(city_bureau)
    page = officer.get(f"/review/supervision/inspections/{inspection.pk}").content.decode()
    assert "检查已终止" in page and "已终止" in page
    listed = officer.get("/review/supervision/inspections?show=ended").content.decode()
    assert f"/review/supervision/inspections/{inspection.pk}" in listed
    assert (
        f"/review/supervision/inspections/{inspection.pk}"
        not in officer.get("/review/supervision/inspections?show=assigned").content.decode()
    )
    own = web_client(org_user).get("/org/inspections").content.decode()
    assert f"检查 #{inspection.pk}" not in own and "已终止" not in own


def test_the_daily_job_ends_what_a_withdrawal_left_open(
    organization, org_user, city_bureau, inspector, today
):
    """A plan withdrawn while nothing ended its inspection (before the step did, or a row
    written outside the services): the daily job ends it, once; a started one stays."""
    from skillcert.supervision.tasks import settle_ended

    batch, inspection = drawn_batch(organization, org_user, city_bureau, today)
    Batch.objects.filter(pk=batch.pk).update(state="withdrawn", withdrawn_on="2026-10-29")
    today("2026-10-30")
    assert settle_ended.call() == {"inspections": 1, "receipts": 0}
    ended = Inspection.objects.get(pk=inspection.pk)
    assert (ended.state, ended.ended_on) == ("ended", dt.date(2026, 10, 30))
    assert "2026-10-29 撤回认定计划" in ended.end_reason
    assert Message.objects.filter(recipient=inspector, event="inspection.ended").count() == 1
    assert settle_ended.call() == {"inspections": 0, "receipts": 0}  # once
    assert Message.objects.filter(recipient=inspector).count() == 1
