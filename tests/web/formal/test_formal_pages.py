"""The document verification page (public), the authorities' seal pages and the documents
table of case pages."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.test import Client, override_settings

from skillcert.accounts.services import add_user
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM
from skillcert.formal.models import AuthoritySeal, SealState
from skillcert.formal.seals import upload_seal
from skillcert.formal.service import revoke
from tests.certificates.test_photos import seal_picture, upload
from tests.conftest import PASSWORD
from tests.formal.helpers import issue_one
from tests.support.pages import buttons, client_of, html

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _text(response) -> str:
    return re.sub(r"<[^>]+>", " ", html(response))


# --- verification page ----------------------------------------------------------------------


def test_valid_document_page(authorities, today):
    today("2026-10-09")
    document = issue_one("01", recipient="合肥测试培训学校")
    response = Client().get(f"/documents/{document.code}")
    assert response.status_code == 200
    page = _text(response)
    for expected in (
        "文书有效",
        "受理通知书",
        "合人社认〔2026〕1号",
        "2026年10月9日",
        "合肥市人力资源和社会保障局",
        "合肥测试培训学校",
        "有效",
    ):
        assert expected in page, expected
    assert 'data-status="valid"' in html(response)
    assert ".pdf" not in html(response)  # the public page offers no PDF


def test_revoked_document_page(authorities):
    document = issue_one("01")
    revoke(document, note="备案决定已撤销", actor=SYSTEM)
    response = Client().get(f"/documents/{document.code}")
    assert response.status_code == 200
    assert 'data-status="revoked"' in html(response)
    assert "已撤销" in _text(response) and "文书有效" not in _text(response)


def _verdict(response) -> str:
    """The page without anything that echoes the address."""
    return html(response).split("<main", 1)[-1].split("</main>", 1)[0]


def test_unknown_code_reads_exactly_like_a_forged_one(authorities):
    document = issue_one("01")
    forged = Client().get(f"/documents/{document.code[:-2]}zz")
    unknown = Client().get("/documents/NoSuchDocument")
    strange = Client().get("/documents/%E4%B8%AD%E6%96%87")
    for response in (forged, unknown, strange):
        assert response.status_code == 404
        assert "无法核验" in _text(response)
    assert _verdict(forged) == _verdict(unknown) == _verdict(strange)
    assert document.number not in html(forged)


def test_verification_page_is_rate_limited(authorities, settings):
    document = issue_one("01")
    current = settings.REST_FRAMEWORK
    rates = {**current["DEFAULT_THROTTLE_RATES"], "verify": "2/min"}
    with override_settings(REST_FRAMEWORK={**current, "DEFAULT_THROTTLE_RATES": rates}):
        client = Client()
        assert client.get("/documents/unknown").status_code == 404
        assert client.get(f"/documents/{document.code}").status_code == 200
        refused = client.get(f"/documents/{document.code}")
        assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
        assert document.number not in html(refused)


# --- seals ----------------------------------------------------------------------------------


def test_city_bureau_uploads_and_province_confirms(city_bureau, province_dept):
    bureau = client_of(city_bureau)
    page = bureau.get("/authority/seals")
    assert page.status_code == 200 and "upload-authority-seal" in buttons(page)
    assert "机关印章" in html(page)  # the navigation entry
    response = bureau.post("/authority/seals", {"file": upload("章.png", seal_picture())})
    assert response.status_code == 302
    seal = AuthoritySeal.objects.get()
    assert seal.authority == city_bureau.authority and seal.state == SealState.PENDING
    assert bureau.get(f"/authority/seals/{seal.pk}/image")["Content-Type"] == "image/png"
    # The bureau cannot confirm its own seal.
    assert (
        bureau.post(f"/authority/seals/{seal.pk}/decide", {"decision": "confirm"}).status_code
        == 403
    )
    dept = client_of(province_dept)
    queue = dept.get("/authority/seals")
    assert "confirm-authority-seal" in buttons(queue) and "合肥市人力资源和社会保障局" in html(
        queue
    )
    refused = dept.post(f"/authority/seals/{seal.pk}/decide", {"decision": "reject"})
    assert refused.status_code == 400 and "理由" in html(refused)
    seal.refresh_from_db()
    assert seal.state == SealState.PENDING
    done = dept.post(f"/authority/seals/{seal.pk}/decide", {"decision": "confirm"})
    assert done.status_code == 302
    seal.refresh_from_db()
    assert seal.state == SealState.CONFIRMED and seal.decided_by == province_dept
    assert AuditEntry.objects.filter(action="formal.seal.confirmed").count() == 1


def test_bad_upload_is_400_and_changes_nothing(city_bureau):
    response = client_of(city_bureau).post(
        "/authority/seals", {"file": upload("x.png", b"not a png")}
    )
    assert response.status_code == 400
    assert not AuthoritySeal.objects.exists()


def test_province_seal_needs_another_officer(province_dept, authorities):
    second = add_user(
        "prov_dept2", password=PASSWORD, role="province_dept", authority="province", actor=SYSTEM
    )
    dept = client_of(province_dept)
    assert (
        dept.post("/authority/seals", {"file": upload("章.png", seal_picture())}).status_code == 302
    )
    seal = AuthoritySeal.objects.get()
    assert seal.authority.code == "00"
    own_view = dept.get("/authority/seals")
    assert "confirm-authority-seal" not in buttons(own_view)
    assert "须由省人社厅其他工作人员确认" in html(own_view)
    assert (
        dept.post(f"/authority/seals/{seal.pk}/decide", {"decision": "confirm"}).status_code == 403
    )
    other = client_of(second)
    assert (
        other.post(f"/authority/seals/{seal.pk}/decide", {"decision": "confirm"}).status_code == 302
    )
    seal.refresh_from_db()
    assert seal.state == SealState.CONFIRMED and seal.decided_by == second


def test_others_may_not_use_the_seal_pages(
    city_bureau, other_city_bureau, city_center, inspector, org_user
):
    seal = upload_seal(city_bureau.authority, upload("章.png", seal_picture()), actor=city_bureau)
    for user in (city_center, inspector, org_user):
        client = client_of(user)
        assert client.get("/authority/seals").status_code == 403
        assert (
            client.post("/authority/seals", {"file": upload("章.png", seal_picture())}).status_code
            == 403
        )
        assert client.get(f"/authority/seals/{seal.pk}/image").status_code == 404
    wuhu = client_of(other_city_bureau)
    assert wuhu.get(f"/authority/seals/{seal.pk}/image").status_code == 404
    assert (
        wuhu.post(f"/authority/seals/{seal.pk}/decide", {"decision": "confirm"}).status_code == 403
    )
    assert Client().get("/authority/seals").status_code == 302  # to the login page
    seal.refresh_from_db()
    assert seal.state == SealState.PENDING
    assert AuthoritySeal.objects.count() == 1


# --- the documents table --------------------------------------------------------------------


def test_documents_table_tag(authorities):
    document = issue_one("01", subject="filing:12")
    issue_one("01", subject="filing:13")
    template = Template('{% load formal_tags %}{% formal_documents "filing" pk %}')
    rendered = template.render(Context({"pk": 12}))
    assert document.number in rendered and "受理通知书" in rendered
    assert f"/api/v1/documents/{document.code}.pdf" in rendered
    assert f"/documents/{document.code}" in rendered
    assert rendered.count("<tr data-document") == 1
    same = Template('{% load formal_tags %}{% formal_documents "filing:12" %}').render(Context())
    assert same == rendered
    empty = Template('{% load formal_tags %}{% formal_documents "batch:5" %}').render(Context())
    assert "暂无文书" in empty


def test_page_download_link_works_in_the_signed_in_session(
    organization, org_user, other_org_user, occupation_catalog
):
    from tests.registry.factories import submitted_case

    case = submitted_case(organization, org_user)
    document = issue_one("01", subject=f"filing:{case.pk}")
    link = f"/api/v1/documents/{document.code}.pdf"
    response = client_of(org_user).get(link)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert client_of(other_org_user).get(link).status_code == 404
