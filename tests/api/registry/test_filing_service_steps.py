"""Government-service steps of a filing case (domain.md §9) through the API: case numbers,
一次性告知 and 补正, withdrawal; with their documents and messages. Every refusal changes
nothing."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from skillcert.audit.models import AuditEntry
from skillcert.formal.models import FormalDocument
from skillcert.inbox.models import Message
from skillcert.registry.models import FilingCase
from skillcert.registry.services import filings
from tests.registry.factories import application, attach_all, evaluation, submitted_case

pytestmark = pytest.mark.django_db

ITEMS = [
    {"target": "basic.contact_phone", "message": "联系电话无法接通，请核实后重新填写"},
    {"target": "occupations[0]", "message": "评价等级范围与基本情况表不一致"},
    {"target": "plan", "message": "实施方案缺少质量管控措施章节"},
]


@pytest.fixture
def setup(occupation_catalog, org_user, organization, city_bureau, today):
    today("2026-09-18")
    return org_user, organization, city_bureau


def post(client, path, data=None):
    return client.post(path, data or {}, format="json")


def snapshot(pk: int) -> tuple:
    case = FilingCase.objects.get(pk=pk)
    return (
        case.state,
        case.correction_items,
        case.acceptance_due,
        case.withdrawn_on,
        AuditEntry.objects.count(),
        FormalDocument.objects.count(),
        Message.objects.count(),
    )


# --- case numbers -------------------------------------------------------------------------


def test_the_case_number_is_taken_at_the_first_submission_and_kept(setup, client_for, today):
    org_user, organization, bureau = setup
    applicant, officer = client_for(org_user), client_for(bureau)
    case = filings.create_filing(organization, application(organization), actor=org_user)
    attach_all(case, org_user)
    draft = applicant.get(f"/api/v1/filings/{case.pk}").json()
    assert draft["case_number"] == ""
    submitted = post(applicant, f"/api/v1/filings/{case.pk}/submit").json()
    assert submitted["case_number"] == "BA-3401-2026-000001"
    post(officer, f"/api/v1/filings/{case.pk}/request-correction", {"items": ITEMS[:1]})
    today("2026-09-25")
    again = post(applicant, f"/api/v1/filings/{case.pk}/submit").json()
    assert again["state"] == "submitted"
    assert again["case_number"] == "BA-3401-2026-000001"  # a resubmission keeps it
    listed = officer.get("/api/v1/filings").json()["results"]
    assert [row["case_number"] for row in listed] == ["BA-3401-2026-000001"]


def test_the_serial_runs_per_authority_and_is_searchable(
    setup, client_for, other_org_user, other_organization
):
    org_user, organization, bureau = setup
    first = submitted_case(organization, org_user)
    second = submitted_case(other_organization, other_org_user)
    assert first.case_number == "BA-3401-2026-000001"
    assert second.case_number.startswith("BA-34") and second.case_number.endswith("-000001")
    officer = client_for(bureau)
    found = officer.get("/api/v1/filings", {"q": "000001"}).json()["results"]
    assert {row["id"] for row in found} <= {first.pk, second.pk} and first.pk in {
        row["id"] for row in found
    }
    exact = officer.get("/api/v1/filings", {"case_number": first.case_number}).json()
    assert [row["id"] for row in exact["results"]] == [first.pk]
    none = officer.get("/api/v1/filings", {"case_number": "BA-3401-2026-999999"}).json()
    assert none["results"] == []


# --- 补正 (一次性告知) -------------------------------------------------------------------


def test_request_correction_lists_every_item_and_stops_the_deadline(setup, client_for, today):
    org_user, organization, bureau = setup
    case = submitted_case(organization, org_user)
    assert case.acceptance_due is not None
    officer, applicant = client_for(bureau), client_for(org_user)
    answer = post(officer, f"/api/v1/filings/{case.pk}/request-correction", {"items": ITEMS})
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["state"] == "correction_requested"
    assert body["acceptance_due"] is None
    assert body["correction_requested_on"] == "2026-09-18"
    assert [(i["target"], i["message"]) for i in body["correction_items"]] == [
        (i["target"], i["message"]) for i in ITEMS
    ]
    assert all(i["label"] for i in body["correction_items"])
    # The 补正告知书: every item a paragraph, and the period restarting on resubmission.
    (document,) = FormalDocument.objects.filter(subject=f"filing:{case.pk}")
    assert document.kind == "correction" and document.authority == case.authority
    text = "\n".join(document.body)
    assert all(item["message"] in text for item in ITEMS)
    assert "重新提交之日起" in text and "BA-3401-2026-000001" in text
    # The applicant is told; it waits for the applicant, with no due date.
    (message,) = Message.objects.filter(event="filing.correction_requested")
    assert message.recipient == org_user and "BA-3401-2026-000001" in message.title
    assert message.link == f"/org/filings/{case.pk}"
    work = applicant.get("/api/v1/worklist").json()["results"]
    (row,) = [r for r in work if r["type"] == "filing" and r["id"] == case.pk]
    assert (row["action"], row["due"], row["overdue"]) == ("submit", None, False)
    assert "BA-3401-2026-000001" in row["title"]
    officer_work = officer.get("/api/v1/worklist").json()["results"]
    assert not [r for r in officer_work if r["type"] == "filing" and r["id"] == case.pk]
    detail = applicant.get(f"/api/v1/filings/{case.pk}").json()
    assert {a["action"] for a in detail["actions"]} == {"submit", "withdraw"}
    assert detail["next_deadline"]["day"] is None

    # Resubmission: a new 10-working-day period from that day; the items answered.
    today("2026-09-25")
    again = post(applicant, f"/api/v1/filings/{case.pk}/submit").json()
    assert again["state"] == "submitted"
    assert again["acceptance_due"] == "2026-10-15"  # 10 working days from 09-25 (国庆)
    assert again["correction_items"] == []
    resubmitted = AuditEntry.objects.filter(action="registry.filing.submit").order_by("-pk")[0]
    before = resubmitted.before
    before = json.loads(before) if isinstance(before, str) else before
    assert len(before["correction_items"]) == 3  # the history keeps them
    assert Message.objects.filter(event="filing.submitted", recipient=bureau).count() == 2
    # A new submission may be returned for 补正 once more.
    assert (
        post(officer, f"/api/v1/filings/{case.pk}/request-correction", {"items": ITEMS[:1]})
    ).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "items"),
        ({"items": []}, "items"),
        ({"items": "basic.contact_phone"}, "items"),
        ({"items": [{"target": "basic.contact_phone", "message": ""}]}, "items[0].message"),
        ({"items": [{"target": "basic.contact_phone", "message": "   "}]}, "items[0].message"),
        ({"items": [{"target": "basic.contact_phone"}]}, "items[0].message"),
        ({"items": [{"target": "basic.shoe_size", "message": "请改"}]}, "items[0].target"),
        ({"items": [{"target": "occupations[9]", "message": "请改"}]}, "items[0].target"),
        ({"items": [{"target": "", "message": "请改"}]}, "items[0].target"),
        ({"items": ["basic.name"]}, "items[0]"),
        (
            {
                "items": [
                    {"target": "basic.name", "message": "请改"},
                    {"target": "basic.name", "message": "再改"},
                ]
            },
            "items[1].target",
        ),
    ],
)
def test_bad_correction_requests_are_400_and_change_nothing(setup, client_for, body, field):
    org_user, organization, bureau = setup
    case = submitted_case(organization, org_user)
    officer = client_for(bureau)
    before = snapshot(case.pk)
    answer = post(officer, f"/api/v1/filings/{case.pk}/request-correction", body)
    assert answer.status_code == 400, answer.json()
    assert field in answer.json()["error"]["fields"]
    assert snapshot(case.pk) == before


def test_a_material_the_case_does_not_have_is_400(setup, client_for):
    org_user, organization, bureau = setup
    case = submitted_case(organization, org_user)
    case.materials.filter(type="experts").delete()
    officer = client_for(bureau)
    before = snapshot(case.pk)
    answer = post(
        officer,
        f"/api/v1/filings/{case.pk}/request-correction",
        {"items": [{"target": "experts", "message": "请补充专家证明"}]},
    )
    assert answer.status_code == 400
    assert "items[0].target" in answer.json()["error"]["fields"]
    assert snapshot(case.pk) == before


def test_a_second_correction_on_the_same_submission_is_409(setup, client_for):
    org_user, organization, bureau = setup
    case = submitted_case(organization, org_user)
    officer = client_for(bureau)
    post(officer, f"/api/v1/filings/{case.pk}/request-correction", {"items": ITEMS})
    before = snapshot(case.pk)
    again = post(officer, f"/api/v1/filings/{case.pk}/request-correction", {"items": ITEMS[:1]})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_state"
    assert snapshot(case.pk) == before


def test_a_case_under_correction_cannot_move_to_another_authority(setup, client_for):
    org_user, organization, bureau = setup
    case = submitted_case(organization, org_user)
    post(client_for(bureau), f"/api/v1/filings/{case.pk}/request-correction", {"items": ITEMS})
    applicant = client_for(org_user)
    before = snapshot(case.pk)
    moved = applicant.patch(
        f"/api/v1/filings/{case.pk}",
        {
            "channel": "province",
            "city": "00",
            "industry": "通信行业",
            "recommended_by": "中国电信集团有限公司",
        },
        format="json",
    )
    assert moved.status_code == 400
    assert "city" in moved.json()["error"]["fields"]
    assert snapshot(case.pk) == before
    assert FilingCase.objects.get(pk=case.pk).authority_id == case.authority_id


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("org_user", 403),  # the applicant itself
        ("city_center", 403),  # sees the case, does not decide
        ("other_city_bureau", 404),  # another city's bureau: not theirs to see
        ("other_org_user", 404),
        ("inspector", 403),
    ],
)
def test_only_the_reviewer_requests_correction(setup, client_for, request, persona, status):
    org_user, organization, _bureau = setup
    case = submitted_case(organization, org_user)
    client = client_for(request.getfixturevalue(persona))
    before = snapshot(case.pk)
    answer = post(client, f"/api/v1/filings/{case.pk}/request-correction", {"items": ITEMS})
    assert answer.status_code == status, (persona, answer.json())
    assert snapshot(case.pk) == before


# --- withdrawal -------------------------------------------------------------------------


def test_the_applicant_withdraws_before_selection(setup, client_for):
    org_user, organization, bureau = setup
    case = submitted_case(organization, org_user)
    filings.accept_filing(case, actor=bureau)
    answer = post(client_for(org_user), f"/api/v1/filings/{case.pk}/withdraw")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["state"] == "withdrawn"
    assert body["withdrawn_on"] == "2026-09-18"
    assert body["case_number"] == "BA-3401-2026-000001"
    assert body["actions"] == [] and body["next"] is None
    (message,) = Message.objects.filter(event="filing.withdrawn")
    assert message.recipient == bureau and "BA-3401-2026-000001" in message.title
    # Final: nothing more, and the organization may apply again (a new case, a new number).
    assert post(client_for(org_user), f"/api/v1/filings/{case.pk}/withdraw").status_code == 409
    again = post(client_for(org_user), "/api/v1/filings", application(organization))
    assert again.status_code == 201, again.json()


def test_withdrawal_from_correction_requested(setup, client_for):
    org_user, organization, bureau = setup
    case = submitted_case(organization, org_user)
    filings.request_correction(case, {"items": ITEMS[:1]}, actor=bureau)
    answer = post(client_for(org_user), f"/api/v1/filings/{case.pk}/withdraw")
    assert answer.json()["state"] == "withdrawn"


@pytest.mark.parametrize("after", ["selected", "draft"])
def test_withdrawing_after_selection_or_a_draft_is_409(setup, client_for, after):
    org_user, organization, bureau = setup
    if after == "draft":
        case = filings.create_filing(organization, application(organization), actor=org_user)
    else:
        case = submitted_case(organization, org_user)
        filings.accept_filing(case, actor=bureau)
        filings.record_evaluation(case, evaluation(), actor=bureau)
        filings.select_filing(case, actor=bureau)
    applicant = client_for(org_user)
    before = snapshot(case.pk)
    answer = post(applicant, f"/api/v1/filings/{case.pk}/withdraw")
    assert answer.status_code == 409
    assert snapshot(case.pk) == before


@pytest.mark.parametrize(
    ("persona", "status"),
    [("city_bureau", 403), ("other_org_user", 404), ("other_city_bureau", 404)],
)
def test_only_the_applicant_withdraws(setup, client_for, request, persona, status):
    org_user, organization, _ = setup
    case = submitted_case(organization, org_user)
    client = client_for(request.getfixturevalue(persona))
    before = snapshot(case.pk)
    answer = post(client, f"/api/v1/filings/{case.pk}/withdraw")
    assert answer.status_code == status
    assert snapshot(case.pk) == before


# --- documents and messages of the decisions ----------------------------------------------


def test_each_decision_issues_its_document_and_tells_the_organization(setup, client_for, today):
    org_user, organization, bureau = setup
    case = submitted_case(organization, org_user)
    (received,) = Message.objects.filter(event="filing.submitted")
    assert received.recipient == bureau and received.link == f"/review/filings/{case.pk}"
    assert "BA-3401-2026-000001" in received.title
    filings.accept_filing(case, actor=bureau)
    (acceptance,) = FormalDocument.objects.filter(subject=f"filing:{case.pk}")
    assert acceptance.kind == "acceptance" and acceptance.number == "合人社认〔2026〕1号"
    assert acceptance.recipient == organization.name
    assert "皖人社秘〔2020〕65号" in "".join(acceptance.body)
    assert Message.objects.filter(event="filing.accepted", recipient=org_user).count() == 1
    filings.record_evaluation(case, evaluation(), actor=bureau)
    filings.select_filing(case, actor=bureau)
    assert Message.objects.filter(event="filing.selected", recipient=org_user).count() == 1
    filings.publicize_filing(case, actor=bureau)
    case.refresh_from_db()
    today("2026-10-09")
    filings.file_filing(case, actor=bureau)
    receipt = FormalDocument.objects.get(subject=f"filing:{case.pk}", kind="filing_receipt")
    assert "S000034010001" in "".join(receipt.body)
    assert Message.objects.filter(event="filing.filed", recipient=org_user).count() == 1


def test_not_accepted_and_not_selected(setup, client_for, other_org_user, other_organization):
    org_user, organization, bureau = setup
    case = submitted_case(organization, org_user)
    filings.not_accept_filing(case, reason="材料与实际情况不符。", actor=bureau)
    document = FormalDocument.objects.get(subject=f"filing:{case.pk}")
    assert document.kind == "non_acceptance" and "材料与实际情况不符。" in "".join(document.body)
    assert Message.objects.filter(event="filing.not_accepted", recipient=org_user).exists()
    again = submitted_case(organization, org_user)
    filings.accept_filing(again, actor=bureau)
    filings.not_select_filing(again, reason="场地不足。", actor=bureau)
    assert Message.objects.filter(event="filing.not_selected", recipient=org_user).exists()


def test_a_revocation_issues_its_decision(setup, client_for, today):
    from tests.registry.factories import filed_case

    org_user, organization, bureau = setup
    filed_case(organization, org_user, bureau, today)
    answer = post(
        client_for(bureau),
        f"/api/v1/organizations/{organization.pk}/revoke",
        {"reason": "提供虚假材料。", "category": "false_materials"},
    )
    assert answer.status_code == 200, answer.json()
    document = FormalDocument.objects.get(subject=f"organization:{organization.pk}")
    assert document.kind == "revocation" and "提供虚假材料。" in "".join(document.body)
    # The filing receipt is no longer current: its public check says 已撤销.
    receipt = FormalDocument.objects.get(kind="filing_receipt")
    assert receipt.status == "revoked" and document.number in receipt.status_note
    public = APIClient().get(f"/api/v1/public/documents/{receipt.code}")
    assert public.status_code == 200 and public.json()["status"] != "valid"
