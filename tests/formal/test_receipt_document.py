"""The filing receipt (备案回执) as a formal document: its 文号, the filing authority's
confirmed seal and the QR code to its verification page."""

from __future__ import annotations

import re

from django.db import transaction

from skillcert.formal.models import DocumentKind
from skillcert.formal.pdf import PENDING_SEAL, verification_url
from skillcert.formal.seals import decide_seal, upload_seal
from skillcert.formal.service import issue, latest_document
from skillcert.registry.receipt import render_receipt
from tests.certificates.test_photos import seal_picture, upload
from tests.formal.helpers import decoded_qr, pdf_text
from tests.registry.factories import filed_case


def _receipt_document(case, actor):
    document = latest_document(f"filing:{case.pk}", DocumentKind.FILING_RECEIPT)
    if document is None:  # issued on filing once the filing steps issue it
        with transaction.atomic():
            document = issue(
                DocumentKind.FILING_RECEIPT,
                authority=case.authority,
                recipient=case.organization.name,
                subject=f"filing:{case.pk}",
                body=["准予备案。"],
                actor=actor,
            )
    return document


def test_receipt_prints_number_seal_and_qr(
    org_user, city_bureau, province_dept, today, occupation_catalog, tmp_path, settings
):
    settings.BASE_URL = "https://rzpt.example.gov.cn"
    organization = org_user.membership.organization
    case = filed_case(organization, org_user, city_bureau, today)
    document = _receipt_document(case, city_bureau)
    pending = render_receipt(case)
    text = re.sub(r"\s+", "", pdf_text(pending, tmp_path))
    assert f"文号：{document.number}" in text
    assert document.number.startswith("合人社认〔")
    assert document.code in text
    assert PENDING_SEAL in text
    assert decoded_qr(pending, tmp_path) == verification_url(document)
    assert verification_url(document).endswith(f"/documents/{document.code}")
    seal = upload_seal(case.authority, upload("章.png", seal_picture()), actor=city_bureau)
    decide_seal(seal, confirmed=True, note="", actor=province_dept)
    sealed = render_receipt(case)
    assert sealed != pending and b"/SMask" in sealed
    assert PENDING_SEAL not in re.sub(r"\s+", "", pdf_text(sealed, tmp_path))
    assert render_receipt(case) == sealed
