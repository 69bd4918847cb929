"""A filing receipt (备案回执) is current only while the filing it records holds: revoked with the
filing (已撤销), 已失效 once the filing expired by time or its organization was merged into
another. The public check says which, with the reason; the receipt stays genuine."""

from __future__ import annotations

import datetime as dt

import pytest

from skillcert.accounts.models import Authority
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM
from skillcert.formal.models import DocumentKind, DocumentStatus, FormalDocument
from skillcert.formal.service import lapse, revoke
from skillcert.registry.models import Organization
from skillcert.registry.services import organizations as registry
from skillcert.rules.errors import Conflict, Forbidden
from tests.registry.factories import filed_case
from tests.support.personas import web_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def receipt_of(case) -> FormalDocument:
    return FormalDocument.objects.get(kind=DocumentKind.FILING_RECEIPT, subject=f"filing:{case.pk}")


def public_page(document: FormalDocument) -> str:
    return web_client().get(f"/documents/{document.code}").content.decode()


def other_hefei_organization() -> Organization:
    return Organization.objects.create(
        name="合肥并入职业技能培训学校",
        credit_code="52340100MJ0000001X",
        status="active",
        category="S",
        filing_number="S000034010099",
        filing_authority=Authority.objects.get(code="01"),
        channel="city",
        scope="city",
        filed_on=dt.date(2026, 1, 5),
        valid_until=dt.date(2029, 1, 4),
        pilot_until=dt.date(2027, 1, 4),
    )


def test_a_receipt_lapses_when_its_filing_expires(org_user, city_bureau, today, occupation_catalog):
    organization = org_user.membership.organization
    case = filed_case(organization, org_user, city_bureau, today)
    receipt = receipt_of(case)
    assert receipt.status == DocumentStatus.VALID
    assert 'data-status="valid"' in public_page(receipt)
    organization.refresh_from_db()
    today((organization.valid_until + dt.timedelta(days=1)).isoformat())
    assert registry.expire_organization(organization)

    receipt.refresh_from_db()
    assert receipt.status == DocumentStatus.EXPIRED
    assert receipt.status_note == f"备案有效期已于 {organization.valid_until} 届满"
    entry = AuditEntry.objects.get(action="formal.document.lapsed")
    assert entry.object_id == str(receipt.pk) and entry.actor_role == "system"
    page = public_page(receipt)
    assert 'data-status="expired"' in page and "文书已失效" in page
    assert "所载事项已不再有效" in page and "有效期已于" in page
    assert "文书有效" not in page and "撤销" not in page
    answer = web_client().get(f"/api/v1/public/documents/{receipt.code}").json()
    assert answer["status"] == "expired"
    # Already ended: neither lapsed nor revoked again.
    for end in (lapse, revoke):
        with pytest.raises(Conflict):
            end(receipt, note="再次", actor=SYSTEM)


def test_a_receipt_lapses_when_its_organization_is_merged_away(
    org_user, city_bureau, today, occupation_catalog
):
    organization = org_user.membership.organization
    case = filed_case(organization, org_user, city_bureau, today)
    into = other_hefei_organization()
    registry.merge_organizations({"members": [organization.pk], "into": into.pk}, actor=city_bureau)
    receipt = receipt_of(case)
    assert receipt.status == DocumentStatus.EXPIRED
    assert receipt.status_note.startswith("已合并注销，并入 合肥并入职业技能培训学校")
    assert "文书已失效" in public_page(receipt)


def test_a_refused_merger_leaves_the_receipt_valid(
    org_user, city_bureau, other_city_bureau, today, occupation_catalog
):
    organization = org_user.membership.organization
    case = filed_case(organization, org_user, city_bureau, today)
    into = other_hefei_organization()
    with pytest.raises(Forbidden):  # another city's bureau may not merge 合肥's organizations
        registry.merge_organizations(
            {"members": [organization.pk], "into": into.pk}, actor=other_city_bureau
        )
    assert receipt_of(case).status == DocumentStatus.VALID


def test_the_daily_job_settles_receipts_left_valid(
    org_user, city_bureau, today, occupation_catalog
):
    """Filings that ended while nothing touched their receipts (before the steps did, or
    rows written outside the services): expired → 已失效, revoked → 已撤销, once."""
    from skillcert.supervision.tasks import settle_ended

    organization = org_user.membership.organization
    case = filed_case(organization, org_user, city_bureau, today)
    Organization.objects.filter(pk=organization.pk).update(status="expired")
    assert settle_ended.call() == {"inspections": 0, "receipts": 1}
    receipt = receipt_of(case)
    assert receipt.status == DocumentStatus.EXPIRED and "届满" in receipt.status_note
    assert settle_ended.call() == {"inspections": 0, "receipts": 0}

    FormalDocument.objects.filter(pk=receipt.pk).update(status="valid", status_note="")
    Organization.objects.filter(pk=organization.pk).update(status="revoked", exit_reason="other")
    assert settle_ended.call()["receipts"] == 1
    receipt.refresh_from_db()
    assert (receipt.status, receipt.status_note) == (DocumentStatus.REVOKED, "备案已撤销")
    entries = AuditEntry.objects.filter(object_id=str(receipt.pk))
    assert set(entries.values_list("action", flat=True)) >= {
        "formal.document.lapsed",
        "formal.document.revoked",
    }
