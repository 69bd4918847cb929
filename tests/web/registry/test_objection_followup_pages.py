"""The objector's reference and code on the pages: shown once after lodging, with the advice
to keep them; the public lookup page (reference + code → the state, then the outcome), linked
from the notices; a wrong code reads like an unknown reference; the officers' list of
objections shows and searches the case numbers."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from rest_framework.throttling import ScopedRateThrottle

from skillcert.assessment.services.objections import code_hash, resolve_objection
from skillcert.registry.models import Objection
from skillcert.registry.services import filings
from tests.registry.factories import evaluation, submitted_case
from tests.support.pages import client_of, html

pytestmark = pytest.mark.django_db

LODGED = {"content": "该校场地为临时租用。", "contact": "张先生 13800000000"}


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html(response)))


@pytest.fixture
def notice(occupation_catalog, org_user, organization, city_bureau, today):
    today("2026-09-18")
    case = submitted_case(organization, org_user)
    case = filings.accept_filing(case, actor=city_bureau)
    filings.record_evaluation(case, evaluation(date="2026-09-18"), actor=city_bureau)
    case = filings.select_filing(case, actor=city_bureau)
    case = filings.publicize_filing(case, actor=city_bureau)
    return case.notices.get()


def lodge(notice) -> tuple[str, str, object]:
    response = Client().post(f"/notices/{notice.pk}/objection", LODGED)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    page = html(response)
    reference = re.search(r"data-reference><strong>([^<]+)<", page).group(1)
    code = re.search(r"data-code><strong>([^<]+)<", page).group(1)
    return reference, code, response


def test_after_lodging_the_page_shows_the_reference_and_the_code_once(notice):
    reference, code, response = lodge(notice)
    objection = Objection.objects.get()
    assert reference == objection.case_number and reference.startswith("YY-3401-")
    assert objection.code_hash == code_hash(reference, code) and code not in objection.code_hash
    shown = text(response)
    assert "异议已提交" in shown and "办件编号" in shown and "查询码" in shown
    assert "请抄写或截图保存" in shown and "只在本页显示这一次" in shown
    assert f"/objections/lookup?reference={reference}" in html(response)
    # The notice's page does not show it again.
    assert code not in html(Client().get(f"/notices/{notice.pk}"))


def test_the_lookup_page_is_linked_from_the_notices(notice):
    for path in ["/notices", f"/notices/{notice.pk}", f"/notices/{notice.pk}/objection"]:
        assert 'href="/objections/lookup"' in html(Client().get(path)), path


def test_the_lookup_page_reads_the_state_then_the_outcome(notice, city_bureau):
    reference, code, _ = lodge(notice)
    page = Client().get(f"/objections/lookup?reference={reference}")
    assert page.status_code == 200 and f'value="{reference}"' in html(page)
    answer = Client().post("/objections/lookup", {"reference": reference, "code": code.lower()})
    assert answer.status_code == 200 and answer["Cache-Control"] == "private, no-store"
    shown = text(answer)
    assert "处理中" in shown and reference in shown and "data-outcome" not in html(answer)
    assert "13800000000" not in shown
    resolve_objection(
        Objection.objects.get(), upheld=False, reason="已核实租约有效。", actor=city_bureau
    )
    shown = text(Client().post("/objections/lookup", {"reference": reference, "code": code}))
    assert "已办结" in shown and "异议不成立" in shown and "已核实租约有效。" in shown


def test_a_wrong_code_reads_like_an_unknown_reference(notice):
    reference, code, _ = lodge(notice)
    wrong = "A" * 8 if code != "A" * 8 else "B" * 8
    pages = [
        Client().post("/objections/lookup", {"reference": reference, "code": wrong}),
        Client().post("/objections/lookup", {"reference": "YY-3401-2026-999999", "code": code}),
    ]
    assert [p.status_code for p in pages] == [404, 404]
    bodies = [re.sub(r'value="[^"]*"|csrfmiddlewaretoken[^>]*', "", html(p)) for p in pages]
    assert bodies[0] == bodies[1] and "未查询到该异议" in bodies[0]
    assert "处理中" not in bodies[0]


def test_lookups_are_rate_limited(notice, settings, monkeypatch):
    reference, code, _ = lodge(notice)
    current = settings.REST_FRAMEWORK
    settings.REST_FRAMEWORK = {
        **current,
        "DEFAULT_THROTTLE_RATES": {**current["DEFAULT_THROTTLE_RATES"], "verify": "2/min"},
    }
    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    )
    client = Client()
    assert client.get("/objections/lookup").status_code == 200  # reading the form: not counted
    for _ in range(2):
        client.post("/objections/lookup", {"reference": reference, "code": "WRONG234"})
    refused = client.post("/objections/lookup", {"reference": reference, "code": code})
    assert refused.status_code == 429 and "返回异议查询" in html(refused)
    assert "处理中" not in html(refused)


def test_officers_see_and_search_the_case_numbers(notice, city_bureau, other_city_bureau, org_user):
    reference, _code, _ = lodge(notice)
    Client().post(f"/notices/{notice.pk}/objection", {**LODGED, "content": "另一条异议。"})
    second = Objection.objects.exclude(case_number=reference).get().case_number
    bureau = client_of(city_bureau)
    case_page = html(bureau.get(f"/review/filings/{notice.filing_id}"))
    assert reference in case_page and second in case_page
    listing = html(bureau.get("/review/objections"))
    assert f">{reference}<" in listing and f">{second}<" in listing
    found = html(bureau.get("/review/objections", {"q": reference[-6:]}))
    assert f">{reference}<" in found and f">{second}<" not in found
    assert f"/review/filings/{notice.filing_id}#objection-" in found
    assert 'href="/review/objections"' in html(bureau.get("/review/filings"))
    # Another city's bureau sees none of them; an organization may not open the list.
    elsewhere = html(client_of(other_city_bureau).get("/review/objections"))
    assert f">{reference}<" not in elsewhere and "暂无公示期异议" in elsewhere
    assert client_of(org_user).get("/review/objections").status_code == 403
