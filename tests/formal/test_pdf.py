"""The PDF of a formal document: header, 文号, recipient, body, signature, the seal (or the
note that it is pending) and a QR code that decodes to the verification page."""

from __future__ import annotations

import re

from skillcert.formal.models import SealState
from skillcert.formal.pdf import PENDING_SEAL, printed_seal, render_document, verification_url
from skillcert.formal.seals import decide_seal, upload_seal
from tests.certificates.test_photos import seal_picture, upload
from tests.formal.helpers import decoded_qr, issue_one, pdf_text


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_pdf_carries_number_parties_and_a_qr_to_the_page(authorities, today, tmp_path, settings):
    settings.BASE_URL = "https://rzpt.example.gov.cn"
    today("2026-10-09")
    document = issue_one("01", recipient="合肥测试培训学校")
    data = render_document(document)
    assert data.startswith(b"%PDF-")
    assert render_document(document) == data  # deterministic
    text = _flat(pdf_text(data, tmp_path))
    for expected in (
        "合肥市人力资源和社会保障局",
        "合人社认〔2026〕1号",
        "受理通知书",
        "合肥测试培训学校：",
        "决定予以受理",
        "2026年10月9日",
        document.code,
        PENDING_SEAL,  # no confirmed seal yet: the document issues all the same
    ):
        assert expected in text, expected
    url = verification_url(document)
    assert url == f"https://rzpt.example.gov.cn/documents/{document.code}"
    assert decoded_qr(data, tmp_path) == url


def test_confirmed_seal_is_printed_and_stays_with_the_document(
    authorities, city_bureau, province_dept, tmp_path
):
    first = upload_seal(city_bureau.authority, upload("章.png", seal_picture()), actor=city_bureau)
    pending_only = issue_one("01")
    assert printed_seal(pending_only) is None  # a pending seal is never printed
    decide_seal(first, confirmed=True, note="", actor=province_dept)
    sealed = issue_one("01")
    assert sealed.seal == first
    data = render_document(sealed)
    assert PENDING_SEAL not in _flat(pdf_text(data, tmp_path))
    assert b"/SMask" in data  # the stamp image with its transparency
    # The earlier document, issued before any seal was confirmed, now carries it.
    assert printed_seal(pending_only) is not None
    # A newer seal replaces the current one, not the one a document was issued with.
    second = upload_seal(
        city_bureau.authority, upload("新章.png", seal_picture(500)), actor=city_bureau
    )
    decide_seal(second, confirmed=True, note="", actor=province_dept)
    sealed.refresh_from_db()
    assert sealed.seal.state == SealState.CONFIRMED and sealed.seal == first
    assert render_document(sealed) == data
    assert issue_one("01").seal == second
