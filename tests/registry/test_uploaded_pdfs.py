"""Uploaded materials: PDFs that carry scripts, actions or files, and decompression bombs."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from skillcert.ops.samples import MINIMAL_PDF
from skillcert.registry.services import filings
from skillcert.registry.services.materials import add_material, check_pdf
from skillcert.rules.errors import InvalidInput
from tests.registry.factories import application

pytestmark = pytest.mark.django_db


def _writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _add_document_script(writer: PdfWriter) -> None:
    """A document-level script (the catalog's /Names /JavaScript tree)."""
    script = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('x');"),
        }
    )
    tree = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("a"), writer._add_object(script)])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(tree)}
    )


def with_javascript() -> bytes:
    writer = _writer()
    _add_document_script(writer)
    return _bytes(writer)


def with_attachment() -> bytes:
    writer = _writer()
    writer.add_attachment("payload.exe", b"MZ\x90\x00")
    return _bytes(writer)


def with_open_action(kind: str) -> bytes:
    writer = _writer()
    action = DictionaryObject(
        {NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind)}
    )
    if kind == "/JavaScript":
        action[NameObject("/JS")] = TextStringObject("app.launchURL('http://x');")
    else:
        action[NameObject("/F")] = TextStringObject("cmd.exe")
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return _bytes(writer)


def with_page_aa() -> bytes:
    """JavaScript in a page's additional actions, its name hex-escaped (/J#53 is /JS)."""
    data = _bytes(_writer())
    marker = b"/Type /Page\n"
    assert marker in data
    return data.replace(marker, marker + b"/AA << /O << /S /JavaScript /J#53 (x) >> >>\n", 1)


def hidden_in_an_object_stream() -> bytes:
    writer = _writer()
    _add_document_script(writer)
    writer.compress_identical_objects()
    writer.use_object_streams = True  # the script inside a compressed object stream
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


ACTIVE = {
    "javascript": with_javascript,
    "embedded file": with_attachment,
    "open action javascript": lambda: with_open_action("/JavaScript"),
    "launch": lambda: with_open_action("/Launch"),
    "compressed": hidden_in_an_object_stream,
    "page additional action, hex-escaped name": with_page_aa,
}


@pytest.mark.parametrize("name", list(ACTIVE))
def test_active_pdfs_are_refused(name):
    data = ACTIVE[name]()
    assert data.startswith(b"%PDF")
    with pytest.raises(InvalidInput) as caught:
        check_pdf(data)
    assert "脚本" in caught.value.message
    assert caught.value.fields == {"file": [caught.value.message]}


def test_plain_pdfs_pass():
    check_pdf(MINIMAL_PDF)
    check_pdf(_bytes(_writer()))


def test_malformed_pdf_is_refused():
    broken = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer << >>\n%%EOF\n"
    with pytest.raises(InvalidInput) as caught:
        check_pdf(broken)
    assert "PDF" in caught.value.message


@pytest.fixture
def draft(occupation_catalog, org_user, organization, today):
    today("2026-09-18")
    return filings.create_filing(organization, application(organization), actor=org_user)


def test_a_pdf_with_javascript_is_400_through_the_api(draft, org_user, client_for):
    case = draft
    response = client_for(org_user).post(
        f"/api/v1/filings/{case.pk}/materials",
        {"type": "plan", "file": SimpleUploadedFile("plan.pdf", with_javascript())},
        format="multipart",
    )
    assert response.status_code == 400
    assert "脚本" in response.json()["error"]["fields"]["file"][0]
    assert case.materials.count() == 0


def huge_png(width: int = 30000, height: int = 30000) -> bytes:
    """A PNG declaring 30000×30000 pixels (its pixel data left out: the header is enough)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def test_a_30000_square_png_material_is_400_in_chinese(draft, org_user, client_for):
    case = draft
    response = client_for(org_user).post(
        f"/api/v1/filings/{case.pk}/materials",
        {"type": "plan", "file": SimpleUploadedFile("scan.png", huge_png())},
        format="multipart",
    )
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["file"][0]
    assert "像素" in message or "无法识别" in message
    assert case.materials.count() == 0


def test_a_huge_png_is_refused_by_the_service(draft, org_user):
    case = draft
    with pytest.raises(InvalidInput):
        add_material(
            case,
            material_type="plan",
            upload=SimpleUploadedFile("scan.png", huge_png(20000, 20000)),
            actor=org_user,
        )
