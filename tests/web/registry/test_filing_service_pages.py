"""The pages of 一次性告知 (补正), withdrawal and case numbers (domain.md §9)."""

from __future__ import annotations

import re

import pytest

from skillcert.formal.models import FormalDocument
from skillcert.registry.models import FilingCase
from skillcert.registry.services import filings
from tests.registry.factories import evaluation, submitted_case
from tests.support.pages import buttons, client_of, html

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(occupation_catalog, org_user, organization, city_bureau, today):
    today("2026-09-18")
    return org_user, organization, city_bureau


def highlighted(page: str) -> int:
    return len(re.findall(r'class="[^"]*\bneeds-correction\b', page))


def test_the_officer_names_every_item_at_once_on_the_review_page(setup):
    org_user, organization, bureau = setup
    case = submitted_case(organization, org_user)
    officer = client_of(bureau)
    page = html(officer.get(f"/review/filings/{case.pk}"))
    assert "data-correction-form" in page and "request-correction" in buttons(
        officer.get(f"/review/filings/{case.pk}")
    )
    # Every field and material of the case is offered, with a box for its message.
    for target in ["basic.contact_phone", "occupations[0]", "narrative.sites", "plan"]:
        assert f'value="{target}"' in page and f'name="message__{target}"' in page
    assert case.case_number in page

    response = officer.post(
        f"/review/filings/{case.pk}/act",
        {
            "action": "request-correction",
            "target": ["basic.contact_phone", "plan"],
            "message__basic.contact_phone": "联系电话无法接通",
            "message__plan": "缺少质量管控措施",
            "message__basic.address": "not ticked: not sent",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "correction_requested"
    assert [(i["target"], i["message"]) for i in case.correction_items] == [
        ("basic.contact_phone", "联系电话无法接通"),
        ("plan", "缺少质量管控措施"),
    ]
    page = html(officer.get(f"/review/filings/{case.pk}"))
    assert "data-correction-items" in page and "联系电话无法接通" in page
    assert "data-correction-form" not in page  # once per submission
    assert "补正告知书" in page  # the documents of the case


def test_a_ticked_item_without_message_is_refused_and_the_form_kept(setup):
    org_user, organization, bureau = setup
    case = submitted_case(organization, org_user)
    officer = client_of(bureau)
    response = officer.post(
        f"/review/filings/{case.pk}/act",
        {
            "action": "request-correction",
            "target": ["basic.contact_phone", "plan"],
            "message__basic.contact_phone": "联系电话无法接通",
            "message__plan": "",
        },
    )
    assert response.status_code == 400
    page = html(response)
    assert "请填写需要补正的具体内容" in page and "联系电话无法接通" in page
    assert FilingCase.objects.get(pk=case.pk).state == "submitted"
    assert not FormalDocument.objects.exists()
    nothing = officer.post(f"/review/filings/{case.pk}/act", {"action": "request-correction"})
    assert nothing.status_code == 400 and "请至少列出一项" in html(nothing)


def test_the_wizard_shows_every_item_and_highlights_each(setup):
    org_user, organization, bureau = setup
    case = submitted_case(organization, org_user)
    items = [
        {"target": "basic.contact_phone", "message": "联系电话无法接通"},
        {"target": "basic.address", "message": "地址与营业执照不符"},
        {"target": "occupations[1]", "message": "等级范围有误"},
        {"target": "narrative.sites", "message": "请补充视频监控设备情况"},
        {"target": "plan", "message": "缺少质量管控措施"},
    ]
    filings.request_correction(case, {"items": items}, actor=bureau)
    applicant = client_of(org_user)
    detail = html(applicant.get(f"/org/filings/{case.pk}"))
    assert "data-correction-banner" in detail
    assert all(item["message"] in detail for item in items)
    basic = html(applicant.get(f"/org/filings/{case.pk}/edit?step=basic"))
    assert "data-correction-banner" in basic and all(i["message"] in basic for i in items)
    assert highlighted(basic) == 2  # the phone and the address
    assert re.search(r'needs-correction">联系电话', basic)
    occupations = html(applicant.get(f"/org/filings/{case.pk}/edit?step=occupations"))
    assert highlighted(occupations) == 1
    rows = re.findall(r"<tr data-row[^>]*>", occupations)
    assert "needs-correction" in rows[1] and "needs-correction" not in rows[0]
    record = html(applicant.get(f"/org/filings/{case.pk}/edit?step=record"))
    assert highlighted(record) == 1
    materials = html(applicant.get(f"/org/filings/{case.pk}/edit?step=materials"))
    assert highlighted(materials) == 1
    assert re.search(r'needs-correction" data-material="plan"', materials)

    # Corrected and resubmitted: the banner is gone, the number kept.
    filings.submit_filing(case, actor=org_user)
    detail = html(applicant.get(f"/org/filings/{case.pk}"))
    assert "data-correction-banner" not in detail and case.case_number in detail


def test_the_withdraw_button_only_when_the_engine_offers_it(setup):
    org_user, organization, _bureau = setup
    case = submitted_case(organization, org_user)
    applicant = client_of(org_user)
    page = html(applicant.get(f"/org/filings/{case.pk}"))
    assert "data-withdraw-form" in page and case.case_number in page
    # Without the confirmation nothing happens.
    response = applicant.post(f"/org/filings/{case.pk}/withdraw", {}, follow=True)
    assert "请勾选确认" in html(response)
    assert FilingCase.objects.get(pk=case.pk).state == "submitted"
    response = applicant.post(f"/org/filings/{case.pk}/withdraw", {"confirm": "1"}, follow=True)
    assert FilingCase.objects.get(pk=case.pk).state == "withdrawn"
    page = html(response)
    assert "已撤回" in page and "data-withdraw-form" not in page
    assert "需要改进的地方" not in page  # withdrawn, not refused


def test_no_withdraw_button_after_selection_nor_for_the_officer(setup):
    org_user, organization, bureau = setup
    case = submitted_case(organization, org_user)
    filings.accept_filing(case, actor=bureau)
    filings.record_evaluation(case, evaluation(), actor=bureau)
    assert "data-withdraw-form" in html(client_of(org_user).get(f"/org/filings/{case.pk}"))
    assert "withdraw" not in buttons(client_of(bureau).get(f"/review/filings/{case.pk}"))
    filings.select_filing(case, actor=bureau)
    applicant = client_of(org_user)
    assert "data-withdraw-form" not in html(applicant.get(f"/org/filings/{case.pk}"))
    response = applicant.post(f"/org/filings/{case.pk}/withdraw", {"confirm": "1"}, follow=True)
    assert FilingCase.objects.get(pk=case.pk).state == "selected"
    assert "撤回" in html(response)


def test_the_case_number_in_the_lists_and_the_search_box(setup, other_org_user, other_organization):
    org_user, organization, bureau = setup
    case = submitted_case(organization, org_user)
    assert case.case_number in html(client_of(org_user).get("/org/filings"))
    officer = client_of(bureau)
    assert case.case_number in html(officer.get("/review/filings"))
    found = html(officer.get("/review/filings", {"q": case.case_number}))
    assert f"/review/filings/{case.pk}" in found
    missing = html(officer.get("/review/filings", {"q": "BA-3401-2026-999999"}))
    assert f'/review/filings/{case.pk}"' not in missing
