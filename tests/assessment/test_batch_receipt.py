"""Receipt (签收) and return (退回) of plan and result filings by the site city's appraisal
center, withdrawal (撤回) of a plan, and the case numbers of both filings (domain.md §9).

The plan filed on Monday 2026-10-12 is due for receipt on Thursday 10-15 (the 3rd working day
after it); results filed on 11-12 on 11-17. Unanswered, a filing counts as received on that
day by time: reading the batch records it, no command runs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command

from skillcert.assessment.access import batches_for, get_batch_for_user
from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.assessment.models import Batch
from skillcert.assessment.selectors import plan_receipt, results_receipt, with_filed_plan
from skillcert.assessment.services import plans, receipt, results
from skillcert.audit.service import SYSTEM
from skillcert.certificates.services.issuing import issue_batch
from skillcert.formal.models import DocumentKind, FormalDocument
from skillcert.inbox.models import Message
from skillcert.registry.models import Organization
from skillcert.rules.errors import Conflict, Forbidden, InvalidInput
from skillcert.supervision.services.draws import drawable_batches
from skillcert.supervision.services.reports import counted_batches
from tests.assessment.factories import batch_in, segments_for
from tests.assessment.test_batch_permissions import file_on_record, fingerprint

pytestmark = pytest.mark.django_db

RECEIPT_DUE = dt.date(2026, 10, 15)  # 3 working days after Monday 10-12
RESULTS_RECEIPT_DUE = dt.date(2026, 11, 17)  # 3 working days after Thursday 11-12


@pytest.fixture
def organization(org_user) -> Organization:
    return file_on_record(org_user.membership.organization)


def fresh(batch: Batch) -> Batch:
    return Batch.objects.select_related("organization", "site_city").get(pk=batch.pk)


def deem_rows(batch: Batch, action: str = "deem-plan-received") -> list[tuple[str, str]]:
    return [
        (c.business_date.isoformat(), c.actor)
        for c in BATCH_MACHINE.history(batch).filter(action=action)
    ]


def filed_results(organization: Organization, user: Any, pcenter: Any, today: Any) -> Batch:
    segments_for(organization, pcenter)
    batch = batch_in("publicity_closed", organization, user, today)
    issue_batch(batch, actor=user)
    today("2026-11-12")
    return results.file_results(fresh(batch), actor=user)


# --- case numbers --------------------------------------------------------------------------


def test_the_plan_gets_its_case_number_on_first_filing_and_keeps_it(
    organization, org_user, city_center, today
):
    draft = batch_in("draft", organization, org_user, today)
    assert draft.plan_case_number == ""
    batch = plans.submit_plan(draft, actor=org_user)
    assert batch.plan_case_number == "JH-3401-2026-000001"  # 合肥, the city of the site
    receipt.return_plan(batch, reason="考场地址不详。", actor=city_center)
    refiled = plans.submit_plan(fresh(batch), actor=org_user)
    assert refiled.plan_case_number == "JH-3401-2026-000001"
    other = plans.submit_plan(batch_in("draft", organization, org_user, today), actor=org_user)
    assert other.plan_case_number == "JH-3401-2026-000002"
    assert [b.pk for b in batches_for(org_user).filter(plan_case_number__endswith="01")] == [
        batch.pk
    ]


# --- receipt of the plan -------------------------------------------------------------------


def test_unanswered_the_plan_counts_as_received_on_its_3rd_working_day_by_time(
    organization, org_user, city_center, today
):
    batch = batch_in("plan_filed", organization, org_user, today)
    assert batch.plan_receipt_due == RECEIPT_DUE
    messages = Message.objects.filter(recipient=city_center, event="batch.plan_filed")
    assert messages.count() == 1 and "待签收" in messages.get().title
    today("2026-10-15")  # the last day: the center may still answer; nothing recorded
    batch = get_batch_for_user(org_user, batch.pk)
    assert BATCH_MACHINE.next(batch) == {
        "party": "city_center",
        "action": "receive",
        "label": "签收计划",
        "due": RECEIPT_DUE,
        "deadline": True,
    }
    assert plan_receipt(batch).awaiting
    assert BATCH_MACHINE.may(batch, city_center, "receive")
    assert deem_rows(batch) == []

    today("2026-10-16")  # no sweep, no command: reading it is enough
    batch = get_batch_for_user(org_user, batch.pk)
    assert (batch.state, batch.plan_received_on, batch.plan_received_by) == (
        "plan_filed",
        RECEIPT_DUE,
        None,
    )
    assert deem_rows(batch) == [("2026-10-16", SYSTEM.name)]
    seen = plan_receipt(batch)
    assert (seen.status, seen.received_on, seen.by_time) == ("received", RECEIPT_DUE, True)
    assert BATCH_MACHINE.next(batch)["party"] == "organization"
    assert not BATCH_MACHINE.may(batch, city_center, "receive")
    before = fingerprint()
    with pytest.raises(Conflict) as late:
        receipt.return_plan(batch, reason="考评人员不足。", actor=city_center)
    assert late.value.code == "receipt_closed"
    assert fingerprint() == before
    assert Message.objects.filter(recipient=org_user, event="batch.plan_received").count() == 1
    get_batch_for_user(city_center, batch.pk)
    assert deem_rows(batch) == [("2026-10-16", SYSTEM.name)]  # once


def test_the_center_receives_the_plan_and_the_organization_is_told(
    organization, org_user, city_center, city_bureau, today
):
    batch = batch_in("plan_filed", organization, org_user, today)
    with pytest.raises(Forbidden):
        receipt.receive_plan(batch, actor=city_bureau)  # the appraisal center alone
    today("2026-10-14")
    batch = receipt.receive_plan(batch, actor=city_center)
    stored = fresh(batch)
    assert (stored.plan_received_on, stored.plan_received_by) == (
        dt.date(2026, 10, 14),
        city_center,
    )
    assert plan_receipt(stored).received_by and not plan_receipt(stored).by_time
    assert Message.objects.filter(recipient=org_user, event="batch.plan_received").exists()
    with pytest.raises(Conflict) as again:
        receipt.receive_plan(stored, actor=city_center)
    assert again.value.code == "already_received"
    today("2026-10-20")
    get_batch_for_user(org_user, batch.pk)
    assert deem_rows(batch) == []  # received by a person: time records nothing


def test_a_returned_plan_is_a_draft_with_every_reason_and_is_filed_anew(
    organization, org_user, city_center, today
):
    batch = batch_in("plan_filed", organization, org_user, today)
    today("2026-10-13")
    reason = "考评人员数量不足。\n\n  考场地址不详。  \n监考人员证件号码有误。"
    receipt.return_plan(batch, reason=reason, actor=city_center)
    returned = fresh(batch)
    assert returned.state == "draft" and returned.plan_filed_on is None
    reasons = ["考评人员数量不足。", "考场地址不详。", "监考人员证件号码有误。"]
    assert plan_receipt(returned).reasons == reasons
    assert plan_receipt(returned).status == "returned"
    document = FormalDocument.objects.get(subject=f"batch:{batch.pk}")
    assert document.kind == DocumentKind.PLAN_RETURN
    assert document.number == "合人社认〔2026〕1号"
    assert document.recipient == organization.name
    assert all(any(r in paragraph for paragraph in document.body) for r in reasons)
    message = Message.objects.get(recipient=org_user, event="batch.plan_returned")
    assert all(r in message.body for r in reasons)
    assert BATCH_MACHINE.may(returned, org_user, "edit")
    assert get_batch_for_user(org_user, batch.pk).plan_case_number  # kept

    today("2026-10-14")
    refiled = plans.submit_plan(returned, actor=org_user)
    assert refiled.state == "plan_filed"
    assert refiled.plan_receipt_due == dt.date(2026, 10, 19)  # 3 working days from 10-14
    assert refiled.plan_return_reason == ""
    assert Message.objects.filter(recipient=city_center, event="batch.plan_filed").count() == 2


@pytest.mark.parametrize("reason", [None, "", "   \n  ", 12])
def test_a_return_without_a_reason_is_refused_and_changes_nothing(
    organization, org_user, city_center, today, reason
):
    batch = batch_in("plan_filed", organization, org_user, today)
    before = fingerprint()
    with pytest.raises(InvalidInput) as refused:
        receipt.return_plan(batch, reason=reason, actor=city_center)
    assert refused.value.status == 400 and "reason" in refused.value.fields
    assert fingerprint() == before
    assert not FormalDocument.objects.exists()


# --- withdrawal ----------------------------------------------------------------------------


def test_a_plan_is_withdrawn_before_its_start_and_no_longer_counts(
    organization, org_user, city_center, today
):
    batch = batch_in("plan_filed", organization, org_user, today)
    kept = batch_in("plan_filed", organization, org_user, today)
    today("2026-10-30")
    receipt.withdraw_plan(batch, actor=org_user)
    withdrawn = fresh(batch)
    assert (withdrawn.state, withdrawn.withdrawn_on) == ("withdrawn", dt.date(2026, 10, 30))
    assert withdrawn.plan_case_number  # final, its number kept
    assert BATCH_MACHINE.is_final(withdrawn) and BATCH_MACHINE.next(withdrawn) is None
    assert BATCH_MACHINE.available(withdrawn, org_user) == []
    assert Message.objects.filter(recipient=city_center, event="batch.plan_withdrawn").exists()
    # Annual report statistics, the draw pool: withdrawn excluded (domain.md §8).
    assert list(with_filed_plan(Batch.objects.all())) == [kept]
    assert list(counted_batches(organization, 2026)) == [kept]
    assert list(drawable_batches(dt.date(2026, 10, 30))) == [kept]


def test_a_plan_cannot_be_withdrawn_once_its_assessment_started(organization, org_user, today):
    batch = batch_in("plan_filed", organization, org_user, today)
    today("2026-11-02")  # the first day of the assessment
    before = fingerprint()
    with pytest.raises(Conflict) as refused:
        receipt.withdraw_plan(batch, actor=org_user)
    assert (refused.value.status, refused.value.code) == (409, "assessment_started")
    assert fingerprint() == before
    assert not BATCH_MACHINE.may(fresh(batch), org_user, "withdraw")


# --- the result filing ---------------------------------------------------------------------


def test_filed_results_stay_final_while_the_center_may_answer(
    organization, org_user, city_center, province_center, today
):
    batch = filed_results(organization, org_user, province_center, today)
    assert batch.results_case_number == "JG-3401-2026-000001"
    assert batch.results_receipt_due == RESULTS_RECEIPT_DUE
    assert Message.objects.filter(recipient=city_center, event="batch.results_filed").exists()
    stored = fresh(batch)
    assert BATCH_MACHINE.is_final(stored) and stored.finished  # done for lists and statistics
    assert BATCH_MACHINE.next(stored)["action"] == "receive-results"
    items = [i for i in BATCH_MACHINE.worklist_candidates(city_center)]
    assert items == [stored]
    today("2026-11-18")
    stored = get_batch_for_user(org_user, batch.pk)
    assert BATCH_MACHINE.next(stored) is None
    assert results_receipt(stored).by_time
    assert deem_rows(stored, "deem-results-received") == [("2026-11-18", SYSTEM.name)]
    assert not BATCH_MACHINE.may(stored, city_center, "return-results")


def test_returned_results_keep_their_due_date_and_a_late_refiling_is_late(
    organization, org_user, city_center, province_center, today
):
    batch = filed_results(organization, org_user, province_center, today)
    assert not batch.late and batch.results_due == dt.date(2026, 11, 24)
    today("2026-11-13")
    receipt.return_results(
        batch, reason="附件5 证书编号有误。\n附件4 人数不符。", actor=city_center
    )
    returned = fresh(batch)
    assert returned.state == "certificates_issued"
    assert returned.results_due == dt.date(2026, 11, 24) and returned.results_filed_on is None
    assert results_receipt(returned).reasons == ["附件5 证书编号有误。", "附件4 人数不符。"]
    assert FormalDocument.objects.get(subject=f"batch:{batch.pk}").kind == (
        DocumentKind.RESULTS_RETURN
    )
    assert Message.objects.filter(recipient=org_user, event="batch.results_returned").exists()
    assert BATCH_MACHINE.next(returned)["due"] == dt.date(2026, 11, 24)

    today("2026-11-25")  # after the original due date
    refiled = results.file_results(returned, actor=org_user)
    assert refiled.late and refiled.results_case_number == "JG-3401-2026-000001"
    assert refiled.results_receipt_due == dt.date(2026, 11, 30)


def test_returned_results_refiled_in_time_are_not_late(
    organization, org_user, city_center, province_center, today
):
    batch = filed_results(organization, org_user, province_center, today)
    receipt.return_results(batch, reason="附件4 人数不符。", actor=city_center)
    today("2026-11-24")  # the original due date itself
    assert not results.file_results(fresh(batch), actor=org_user).late


def test_the_sweep_may_record_receipts_in_advance_and_only_once(
    organization, org_user, today, capsys
):
    batch = batch_in("plan_filed", organization, org_user, today)
    today("2026-10-16")
    call_command("sweep")
    assert fresh(batch).plan_received_on == RECEIPT_DUE
    get_batch_for_user(org_user, batch.pk)
    call_command("sweep")
    assert deem_rows(batch) == [("2026-10-16", SYSTEM.name)]
