"""The batch pages for receipt, return and withdrawal (issue 14): the center's 签收 / 退回
buttons come from the workflow, the organization reads every reason of a return, the receipt
status (by whom, or by time) and the deadline before it passes, and withdraws with a
confirmation; the case numbers are on the pages and searchable in the lists; the center's
worklist holds the pending receipt with its due date."""

from __future__ import annotations

import re

import pytest

from skillcert.assessment.models import Batch
from skillcert.registry.models import Organization
from tests.assessment.factories import batch_in
from tests.assessment.test_batch_permissions import file_on_record
from tests.support.pages import buttons, client_of, html

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization(org_user) -> Organization:
    return file_on_record(org_user.membership.organization)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html(response)))


def test_the_center_sees_receive_and_return_the_others_do_not(
    organization, org_user, city_center, city_bureau, inspector, today
):
    batch = batch_in("plan_filed", organization, org_user, today)
    center_page = client_of(city_center).get(f"/review/batches/{batch.pk}")
    assert {"receive", "return"} <= buttons(center_page)
    assert "签收期限 2026-10-15" in text(center_page)
    assert batch.plan_case_number in text(center_page)
    for user in (city_bureau, inspector):
        page = client_of(user).get(f"/review/batches/{batch.pk}")
        assert not {"receive", "return"} & buttons(page)
    owner_page = client_of(org_user).get(f"/org/batches/{batch.pk}")
    assert buttons(owner_page) >= {"withdraw"} and not {"receive", "return"} & buttons(owner_page)
    assert "待合肥市职业技能鉴定中心签收，签收期限 2026-10-15" in text(owner_page)


def test_a_return_from_the_page_shows_the_organization_every_reason(
    organization, org_user, city_center, today
):
    batch = batch_in("plan_filed", organization, org_user, today)
    center = client_of(city_center)
    url = f"/review/batches/{batch.pk}/receipt"
    empty = center.post(url, {"action": "return", "reason": "  "})
    assert empty.status_code == 400 and "请填写退回理由" in text(empty)
    assert Batch.objects.get(pk=batch.pk).state == "plan_filed"
    response = center.post(url, {"action": "return", "reason": "考场地址不详。\r\n缺少督导员。"})
    assert response.status_code == 302 and response["Location"] == "/review/batches"
    page = text(client_of(org_user).get(f"/org/batches/{batch.pk}"))
    assert "计划报备已被合肥市职业技能鉴定中心退回" in page
    assert "考场地址不详。" in page and "缺少督导员。" in page and "共 2 条" in page


def test_received_by_a_person_or_by_time(organization, org_user, city_center, today):
    received = batch_in("plan_filed", organization, org_user, today)
    unanswered = batch_in("plan_filed", organization, org_user, today)
    response = client_of(city_center).post(
        f"/review/batches/{received.pk}/receipt", {"action": "receive"}
    )
    assert response.status_code == 302
    owner = client_of(org_user)
    assert "已于 2026-10-12 由合肥市职业技能鉴定中心" in text(
        owner.get(f"/org/batches/{received.pk}")
    )
    today("2026-10-16")
    page = owner.get(f"/org/batches/{unanswered.pk}")
    assert "逾期未签收，视为已于 2026-10-15 签收" in text(page)
    assert not {"receive", "return"} & buttons(
        client_of(city_center).get(f"/review/batches/{unanswered.pk}")
    )


def test_withdrawal_needs_the_confirmation(organization, org_user, today):
    batch = batch_in("plan_filed", organization, org_user, today)
    owner = client_of(org_user)
    url = f"/org/batches/{batch.pk}/act"
    unconfirmed = owner.post(url, {"action": "withdraw"})
    assert unconfirmed.status_code == 400 and "确认撤回" in text(unconfirmed)
    assert Batch.objects.get(pk=batch.pk).state == "plan_filed"
    done = owner.post(url, {"action": "withdraw", "confirm_withdraw": "1"}, follow=True)
    assert "已撤回认定计划" in text(done)
    assert Batch.objects.get(pk=batch.pk).state == "withdrawn"
    assert "本批次计划已于 2026-10-12 撤回" in text(owner.get(f"/org/batches/{batch.pk}"))
    today("2026-11-02")
    later = batch_in("plan_filed", organization, org_user, today)
    today("2026-11-02")
    assert "withdraw" not in buttons(owner.get(f"/org/batches/{later.pk}"))
    refused = owner.post(
        f"/org/batches/{later.pk}/act", {"action": "withdraw", "confirm_withdraw": "1"}
    )
    assert refused.status_code == 409


def test_lists_show_and_search_case_numbers_and_the_worklist_holds_the_receipt(
    organization, org_user, city_center, today
):
    first = batch_in("plan_filed", organization, org_user, today)
    second = batch_in("plan_filed", organization, org_user, today)
    for client, path in (
        (client_of(org_user), "/org/batches"),
        (client_of(city_center), "/review/batches"),
    ):
        page = text(client.get(path))
        assert first.plan_case_number in page and second.plan_case_number in page
        found = text(client.get(path, {"q": second.plan_case_number}))
        assert second.plan_case_number in found and first.plan_case_number not in found
    home = client_of(city_center).get("/api/v1/worklist")
    items = [i for i in home.json()["results"] if i["type"] == "batch"]
    assert {(i["id"], i["action"], i["due"]) for i in items} == {
        (first.pk, "receive", "2026-10-15"),
        (second.pk, "receive", "2026-10-15"),
    }
