"""What a fuzzer or a hostile client sends gets a 400 (never a 500), and what was uploaded
is served under a name the server makes, never the uploader's."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from skillcert.ops.samples import MINIMAL_PDF
from skillcert.registry.models import FilingCase
from skillcert.registry.services.seals import upload_seal
from tests.certificates.test_photos import seal_picture
from tests.registry.factories import application
from tests.support.personas import city_officer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", ["9999", "99999999999999999999", "1", "-1", "２０２６", "0x7e3"])
def test_missing_annual_reports_with_a_silly_year_is_400(year):
    officer = city_officer("01")
    response = officer.api.get("/api/v1/annual-reports/missing", {"year": year})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"]["year"] == ["年度应为 2000-2099 之间的整数"]


def test_missing_annual_reports_with_a_sane_year_is_200():
    officer = city_officer("01")
    response = officer.api.get("/api/v1/annual-reports/missing", {"year": "2025"})
    assert response.status_code == 200 and response.json()["year"] == 2025


@pytest.mark.parametrize(
    "params",
    [{"to": "9999-12-31"}, {"from": "0001-01-01"}, {"from": "20260101"}, {"to": "2026-02-30"}],
)
def test_statistics_with_dates_out_of_range_are_400(params):
    officer = city_officer("01")
    response = officer.api.get("/api/v1/statistics", params)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) <= {"from", "to"}


# A file that is a PDF by its first bytes and an HTML page to a browser that sniffs.
POLYGLOT = MINIMAL_PDF.replace(b"%PDF-1.4\n", b"%PDF-1.4\n%<html><script>alert(1)</script>\n", 1)


@pytest.fixture
def draft(occupation_catalog, org_user, organization, client_for, today):
    today("2026-09-18")
    client = client_for(org_user)
    case = client.post("/api/v1/filings", application(organization), format="json").json()
    return client, case["id"]


def test_a_material_is_downloaded_under_the_server_s_name(draft):
    client, case_id = draft
    upload = SimpleUploadedFile("poly.html", POLYGLOT, content_type="text/html")
    response = client.post(
        f"/api/v1/filings/{case_id}/materials", {"type": "plan", "file": upload}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    material = FilingCase.objects.get(pk=case_id).materials.get()
    got = client.get(f"/api/v1/filings/{case_id}/materials/{material.pk}")
    assert got.status_code == 200
    disposition = got["Content-Disposition"]
    assert "poly" not in disposition and ".html" not in disposition
    assert disposition.startswith("attachment;")
    assert f"-plan-{material.pk}.pdf" in disposition
    assert got["Content-Type"] == "application/pdf"
    assert got["X-Content-Type-Options"] == "nosniff"


def test_a_seal_is_served_under_the_server_s_name(org_user, organization, client_for):
    seal = upload_seal(
        organization,
        SimpleUploadedFile("evil.svg.html", seal_picture(), content_type="text/html"),
        actor=org_user,
    )
    from django.test import Client

    web = Client()
    web.force_login(org_user)
    got = web.get(f"/seals/{seal.pk}.png")
    assert got.status_code == 200
    assert "evil" not in got["Content-Disposition"]
    assert f"-{seal.pk}.png" in got["Content-Disposition"]
    assert got["Content-Type"] == "image/png"
    assert got["X-Content-Type-Options"] == "nosniff"
