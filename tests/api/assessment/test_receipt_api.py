"""``POST /api/v1/batches/{id}/receive`` · ``return`` · ``receive-results`` · ``return-results``
· ``withdraw`` (api.md, Government-service steps), and the case numbers in batch answers.

Each only when the workflow offers it: the site city's appraisal center receives or returns
within 3 working days, a return needs a reason (400), the organization withdraws before the
start (409 after it); another organization or another city's center is answered 404, a
party the step is not for 403; nothing changes when refused.
"""

from __future__ import annotations

from typing import Any

import pytest

from skillcert.assessment.access import get_batch_for_user
from skillcert.assessment.models import Batch
from skillcert.certificates.services.issuing import issue_batch
from skillcert.formal.models import FormalDocument
from skillcert.registry.models import Organization
from tests.assessment.factories import batch_in, segments_for
from tests.assessment.test_batch_permissions import file_on_record, fingerprint
from tests.conftest import _officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization(org_user) -> Organization:
    return file_on_record(org_user.membership.organization)


@pytest.fixture
def wuhu_center(authorities):
    return _officer("wh_center", "city_center", "02")


def post(client: Any, batch: Batch, action: str, body: Any = None) -> Any:
    return client.post(f"/api/v1/batches/{batch.pk}/{action}", body or {}, format="json")


def error(response: Any) -> dict[str, Any]:
    return response.json()["error"]


def test_the_center_receives_a_plan_and_the_answer_shows_it(
    organization, org_user, city_center, client_for, today
):
    batch = batch_in("plan_filed", organization, org_user, today)
    owner = client_for(org_user).get(f"/api/v1/batches/{batch.pk}").json()
    assert owner["case_number"] == "JH-3401-2026-000001"
    assert owner["results_case_number"] == ""
    assert owner["plan_receipt"] == {
        "status": "awaiting",
        "due": "2026-10-15",
        "received_on": None,
        "received_by": None,
        "by_time": False,
        "reasons": [],
    }
    assert owner["next"]["party"] == "city_center" and owner["next"]["due"] == "2026-10-15"
    assert {"action": "withdraw", "label": "撤回计划"} in owner["actions"]
    center = client_for(city_center)
    seen = center.get(f"/api/v1/batches/{batch.pk}").json()
    assert [a["action"] for a in seen["actions"]] == ["receive", "return", "inspections"]
    response = post(center, batch, "receive")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "plan_filed"
    assert body["plan_receipt"]["status"] == "received"
    assert body["plan_receipt"]["received_on"] == "2026-10-12"
    assert not body["plan_receipt"]["by_time"] and body["plan_receipt"]["received_by"]
    assert "receive" not in [a["action"] for a in body["actions"]]
    again = post(center, batch, "receive")
    assert (again.status_code, error(again)["code"]) == (409, "already_received")


def test_a_return_sends_the_plan_back_with_every_reason(
    organization, org_user, city_center, client_for, today
):
    batch = batch_in("plan_filed", organization, org_user, today)
    response = post(
        client_for(city_center), batch, "return", {"reason": "考场地址不详。\n缺少督导员。"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "draft"
    assert body["plan_receipt"]["status"] == "returned"
    assert body["plan_receipt"]["reasons"] == ["考场地址不详。", "缺少督导员。"]
    assert body["case_number"] == "JH-3401-2026-000001"
    assert FormalDocument.objects.filter(subject=f"batch:{batch.pk}").count() == 1
    # The center still reads the plan it returned, and its 计划退回通知, with no action on it.
    center = client_for(city_center)
    seen = center.get(f"/api/v1/batches/{batch.pk}")
    assert seen.status_code == 200 and seen.json()["actions"] == []
    documents = center.get("/api/v1/documents", {"object": f"batch:{batch.pk}"})
    assert documents.status_code == 200 and len(documents.json()) == 1
    # The organization sees it as a draft to edit and file anew.
    owner = client_for(org_user).get(f"/api/v1/batches/{batch.pk}").json()
    assert {"submit", "edit"} <= {a["action"] for a in owner["actions"]}
    refiled = post(client_for(org_user), batch, "submit")
    assert refiled.status_code == 200 and refiled.json()["case_number"] == body["case_number"]


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "  \n "}, {"reason": None}])
def test_a_return_without_a_reason_is_400_and_changes_nothing(
    organization, org_user, city_center, client_for, today, body
):
    batch = batch_in("plan_filed", organization, org_user, today)
    center = client_for(city_center)  # a token is an audited sign-in: before the count
    before = fingerprint()
    response = post(center, batch, "return", body)
    assert response.status_code == 400, response.content
    assert "reason" in error(response)["fields"]
    assert fingerprint() == before


def test_nobody_else_receives_or_returns(
    organization, org_user, other_org_user, city_bureau, wuhu_center, client_for, today
):
    batch = batch_in("plan_filed", organization, org_user, today)
    owner, bureau = client_for(org_user), client_for(city_bureau)
    stranger, elsewhere = client_for(other_org_user), client_for(wuhu_center)
    before = fingerprint()
    for action, body in (("receive", {}), ("return", {"reason": "不全。"})):
        assert post(owner, batch, action, body).status_code == 403
        assert post(bureau, batch, action, body).status_code == 403
        assert post(stranger, batch, action, body).status_code == 404
        assert post(elsewhere, batch, action, body).status_code == 404
        assert post(elsewhere, batch, action, {}).status_code == 404
    assert fingerprint() == before


def test_after_three_working_days_the_plan_was_received_by_time(
    organization, org_user, city_center, client_for, today
):
    batch = batch_in("plan_filed", organization, org_user, today)
    today("2026-10-16")
    center = client_for(city_center)
    body = center.get(f"/api/v1/batches/{batch.pk}").json()
    assert body["actions"] == [{"action": "inspections", "label": "记录抽查"}]
    assert body["plan_receipt"]["by_time"] and body["plan_receipt"]["received_on"] == "2026-10-15"
    assert body["plan_receipt"]["received_by"] is None
    response = post(center, batch, "return", {"reason": "考场地址不详。"})
    assert (response.status_code, error(response)["code"]) == (409, "receipt_closed")


def test_the_organization_withdraws_before_the_start_and_not_after(
    organization, org_user, city_center, other_org_user, client_for, today
):
    early = batch_in("plan_filed", organization, org_user, today)
    late = batch_in("plan_filed", organization, org_user, today)
    owner = client_for(org_user)
    assert post(client_for(city_center), early, "withdraw").status_code == 403
    assert post(client_for(other_org_user), early, "withdraw").status_code == 404
    today("2026-10-30")
    response = post(owner, early, "withdraw")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["withdrawn_on"], body["next"]) == ("withdrawn", "2026-10-30", None)
    assert body["case_number"] and body["actions"] == []
    again = post(owner, early, "withdraw")
    assert (again.status_code, error(again)["code"]) == (409, "invalid_state")
    today("2026-11-02")
    get_batch_for_user(org_user, late.pk)  # time's due steps recorded before the count
    before = fingerprint()
    response = post(owner, late, "withdraw")
    assert (response.status_code, error(response)["code"]) == (409, "assessment_started")
    assert fingerprint() == before


def test_result_filing_is_received_or_returned_by_the_center(
    organization, org_user, city_center, city_bureau, province_center, client_for, today
):
    segments_for(organization, province_center)
    batch = batch_in("publicity_closed", organization, org_user, today)
    issue_batch(batch, actor=org_user)
    owner, center = client_for(org_user), client_for(city_center)
    early = post(center, batch, "receive-results")
    assert (early.status_code, error(early)["code"]) == (409, "invalid_state")
    today("2026-11-12")
    filed = post(owner, batch, "file-results").json()
    assert filed["results_case_number"] == "JG-3401-2026-000001"
    assert filed["results_receipt"]["status"] == "awaiting"
    assert filed["results_receipt"]["due"] == "2026-11-17"
    assert (
        post(client_for(city_bureau), batch, "return-results", {"reason": "x"}).status_code == 403
    )
    missing = post(center, batch, "return-results", {"reason": " "})
    assert missing.status_code == 400 and "reason" in error(missing)["fields"]
    returned = post(center, batch, "return-results", {"reason": "附件4 人数不符。"})
    assert returned.status_code == 200, returned.content
    body = returned.json()
    assert (body["state"], body["results_due"], body["late"]) == (
        "certificates_issued",
        "2026-11-24",
        False,
    )
    assert body["results_receipt"]["reasons"] == ["附件4 人数不符。"]
    refiled = post(owner, batch, "file-results").json()
    assert refiled["results_case_number"] == "JG-3401-2026-000001"
    received = post(center, batch, "receive-results")
    assert received.status_code == 200 and received.json()["results_receipt"]["status"] == (
        "received"
    )


def test_batch_lists_carry_and_search_the_case_numbers(
    organization, org_user, city_center, client_for, today
):
    first = batch_in("plan_filed", organization, org_user, today)
    second = batch_in("plan_filed", organization, org_user, today)
    for user in (org_user, city_center):
        rows = client_for(user).get("/api/v1/batches").json()["results"]
        assert {r["case_number"] for r in rows} == {first.plan_case_number, second.plan_case_number}
        found = client_for(user).get("/api/v1/batches", {"q": "2026-000002"}).json()["results"]
        assert [r["id"] for r in found] == [second.pk]
