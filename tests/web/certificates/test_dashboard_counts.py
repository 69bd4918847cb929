"""The province's workbench counts certificates from the statistics summary (issue 12: the
page reads the same few rows at a million certificates as at ten thousand)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from skillcert.certificates.models import Certificate
from skillcert.supervision.services.summaries import refresh_statistics
from tests.support.factories import CertificateFactory
from tests.support.pages import client_of, html

pytestmark = pytest.mark.django_db


def stored() -> tuple[int, int]:
    """(valid, revoked) as the certificates table has them."""
    return tuple(Certificate.objects.filter(status=s).count() for s in ("valid", "revoked"))


def shown(page: str, label: str) -> int:
    found = re.search(rf'{label}</span> <strong class="count">(\d+)</strong>', page)
    assert found, label
    return int(found.group(1))


def test_the_province_workbench_counts_from_the_summary(province_dept):
    CertificateFactory.create_batch(3)
    CertificateFactory(state="revoked")
    refresh_statistics()  # the factory writes through the ORM: the periodic job's refresh
    client = client_of(province_dept)
    client.get("/dashboard")
    with CaptureQueriesContext(connection) as seen:
        page = html(client.get("/dashboard"))
    valid, revoked = stored()
    assert valid >= 3 and revoked == 1
    assert (shown(page, "有效证书"), shown(page, "已撤销")) == (valid, revoked)
    counted = [
        q["sql"] for q in seen.captured_queries if 'FROM "certificates_certificate"' in q["sql"]
    ]
    assert counted == []

    # A revocation through the service updates the summary in its own transaction.
    CertificateFactory(state="revoked")
    page = html(client.get("/dashboard"))
    assert stored()[1] == 2
    assert (shown(page, "有效证书"), shown(page, "已撤销")) == stored()


def test_a_city_workbench_still_counts_its_own_certificates(city_bureau):
    CertificateFactory.create_batch(2)
    page = html(client_of(city_bureau).get("/dashboard"))
    # No refresh needed: the city's count is read live (its certificates are all Hefei's).
    assert shown(page, "有效证书") == stored()[0] > 0
