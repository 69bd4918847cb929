"""Phone numbers in full only for their organization and the officers (domain.md §11, issue 13
item 6): the public pages and API never carry them, inspectors see them masked (138****1234)."""

from __future__ import annotations

import pytest
from django.test import Client

from skillcert.certificates.models import Certificate
from skillcert.registry.models import FilingCase, Organization
from tests.support.factories import (
    CertificateFactory,
    FilingCaseFactory,
    InspectionFactory,
    officer,
)

pytestmark = pytest.mark.django_db

PHONE = "13812341234"
MASKED = "138****1234"


@pytest.fixture
def certificate(authorities, occupation_catalog) -> Certificate:
    """A valid certificate of an organization whose contact phone is a mobile number."""
    certificate = CertificateFactory(state="valid")
    organization = certificate.organization
    Organization.objects.filter(pk=organization.pk).update(contact_phone=PHONE)
    return certificate


@pytest.fixture
def case(authorities, occupation_catalog) -> FilingCase:
    """An accepted filing case whose contact gave a mobile number."""
    case = FilingCaseFactory(state="accepted")
    case.basic = {**case.basic, "contact_phone": PHONE}
    case.save(update_fields=["basic"])
    return case


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_public_pages_and_api_never_carry_a_phone_number(certificate):
    public = Client()
    pages = [
        "/catalog",
        "/catalog?scope=province",
        "/notices",
        f"/verify/{certificate.number}",
        "/api/v1/public/organizations",
        "/api/v1/public/organizations?scope=province",
        "/api/v1/public/notices",
    ]
    for notice_pk in certificate.organization.notices.values_list("pk", flat=True):
        pages.append(f"/notices/{notice_pk}")
    for address in pages:
        response = public.get(address)
        assert response.status_code == 200, address
        assert PHONE not in response.content.decode(), address


def test_an_inspector_sees_the_organization_phone_masked(certificate):
    inspection = InspectionFactory(organization=certificate.organization, state="assigned")
    inspector = inspection.inspectors.get()
    page = signed_in(inspector).get(f"/inspector/inspections/{inspection.pk}")
    assert page.status_code == 200
    text = page.content.decode()
    assert MASKED in text and PHONE not in text


def test_an_inspector_reading_a_filing_case_in_the_api_sees_the_phone_masked(case, client_for):
    inspector = officer("inspector", case.authority.code)
    seen = client_for(inspector).get(f"/api/v1/filings/{case.pk}")
    assert seen.status_code == 200
    assert seen.json()["basic"]["contact_phone"] == MASKED
    assert PHONE not in seen.content.decode()
    page = signed_in(inspector).get(f"/review/filings/{case.pk}")
    assert page.status_code == 200
    assert MASKED in page.content.decode() and PHONE not in page.content.decode()


def test_the_officers_and_the_organization_see_the_phone_in_full(case, client_for):
    bureau = officer("city_bureau", case.authority.code)
    assert PHONE in signed_in(bureau).get(f"/review/filings/{case.pk}").content.decode()
    assert (
        client_for(bureau).get(f"/api/v1/filings/{case.pk}").json()["basic"]["contact_phone"]
        == PHONE
    )
    member = case.organization.members.select_related("user").first().user
    assert (
        client_for(member).get(f"/api/v1/filings/{case.pk}").json()["basic"]["contact_phone"]
        == PHONE
    )
