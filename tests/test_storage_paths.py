"""Files go through Django's storage API, never a path under the data directory (issue 12).

The first test reads the sources like ``test_architecture``: no module mentions MEDIA_ROOT or
DATA_DIR (or opens files by them) except the settings, the environment helpers, the ops
backup/health code, and what is host-local by design (below). The others
swap the default storage for an in-memory one and write, then download back, each kind of
stored file through the product's views: nothing reaches the local disk.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import skillcert
from skillcert.assessment import excel
from skillcert.certificates.models import NationalExport
from skillcert.registry.models import FilingCase
from skillcert.registry.services.seals import current_seal_path, decide_seal, upload_seal
from skillcert.supervision.models import Finding
from tests.certificates.test_national import batch, organization  # noqa: F401  (fixtures)
from tests.certificates.test_photos import portrait, seal_picture, upload
from tests.registry.factories import application, attach_all
from tests.supervision.test_supervision_rules import (  # noqa: F401  (fixtures)
    FINDING,
    MINIMAL_PDF,
    drawn,
    world,
)

ROOT = Path(skillcert.__file__).parent
FORBIDDEN = ("MEDIA_ROOT", "DATA_DIR")
# The settings and the environment helpers define the directories; the one-time migrations
# move the files of older versions into the storage. Host-local by design, not stored files:
# the old per-host key directory (read once to import it), the development master key (a
# secret that must not sit in the shared storage) and the single-host rate-limit table.
ALLOWED = {
    "settings.py",
    "env.py",
    "certificates/keys.py",
    "keystore/master.py",
    "keystore/fields.py",  # the master key's source (which includes DATA_DIR) keys a cache
    "accounts/ratelimit.py",
    "certificates/migrations/0008_national_files_to_storage.py",
    "assessment/migrations/0006_reports_to_storage.py",
}
# ``rules`` reads its own packaged data (regions, occupations) from next to its modules;
# ``ops`` sets up, serves, checks and backs up the data directory itself.
PREFIXES = ("rules/", "ops/")


def _sources() -> list[Path]:
    return sorted(ROOT.rglob("*.py"))


def _mentions(path: Path) -> set[str]:
    """Names and attributes of the module spelled MEDIA_ROOT or DATA_DIR (docstrings too)."""
    text = path.read_text(encoding="utf-8")
    found = {word for word in FORBIDDEN if word in text}
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN:
            found.add(node.attr)
    return found


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_opens_files_under_the_data_directory(path: Path):
    relative = path.relative_to(ROOT).as_posix()
    if relative in ALLOWED or relative.startswith(PREFIXES):
        return
    assert not _mentions(path), f"{relative}: use skillcert.documents.files, not a path"


def test_the_scan_would_catch_a_regression(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from django.conf import settings\n"
        "def f(name):\n    return (settings.MEDIA_ROOT / name).open('rb')\n"
    )
    assert _mentions(bad) == {"MEDIA_ROOT"}


# --- behaviour, with an in-memory storage ---------------------------------------------------


@pytest.fixture(autouse=True)
def in_memory(settings, tmp_path_factory):
    """The default storage in memory; MEDIA_ROOT and DATA_DIR point at a folder that must
    stay empty."""
    tmp_path = tmp_path_factory.mktemp("disk")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path / "data"
    settings.SKILLCERT_NATIONAL_OUTBOX = ""
    # A configured master key: development's generated one is a host-local file by design.
    settings.SKILLCERT_MASTER_KEY = "ab" * 32
    yield
    assert not any(tmp_path.rglob("*")), "a file reached the local disk"


def _web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_photo_is_stored_and_served_from_the_storage(batch, org_user):  # noqa: F811
    candidate = batch.candidates.order_by("position").first()
    page = f"/org/batches/{batch.pk}/photos"
    picture = upload("照片.jpg", portrait(600, 800))
    response = _web(org_user).post(page, {"candidate": candidate.pk, "file": picture})
    assert response.status_code == 302, response.content
    stored = candidate.photo.stored_name
    assert default_storage.exists(stored)
    served = _web(org_user).get(f"/org/batches/{batch.pk}/photos/{candidate.pk}.jpg")
    assert served.status_code == 200
    assert _body(served) == default_storage.open(stored, "rb").read()


def test_seal_is_stored_served_and_drawn_from_the_storage(
    organization,  # noqa: F811
    org_user,
    city_bureau,
):
    seal = upload_seal(organization, upload("印章.png", seal_picture()), actor=org_user)
    assert default_storage.exists(seal.stored_name)
    served = _web(org_user).get(f"/seals/{seal.pk}.png")
    assert served.status_code == 200
    image = _body(served)
    assert image == default_storage.open(seal.stored_name, "rb").read()
    decide_seal(seal, confirmed=True, note="", actor=city_bureau)
    local = current_seal_path(organization)  # the PDF renderer's copy, outside the data dir
    assert local is not None and local.read_bytes() == image


def test_filing_material_is_stored_and_downloaded(
    occupation_catalog, other_org_user, other_organization, client_for
):
    client = client_for(other_org_user)
    case = client.post("/api/v1/filings", application(other_organization), format="json").json()
    attach_all(FilingCase.objects.get(pk=case["id"]), other_org_user)
    material = FilingCase.objects.get(pk=case["id"]).materials.first()
    assert default_storage.exists(material.stored_name)
    got = client.get(f"/api/v1/filings/{case['id']}/materials/{material.pk}")
    assert got.status_code == 200
    assert _body(got) == default_storage.open(material.stored_name, "rb").read()


def test_inspection_attachment_is_stored_and_downloaded(drawn, city_bureau):  # noqa: F811
    inspection, (member, _), path = drawn
    attachment = SimpleUploadedFile("现场记录.pdf", MINIMAL_PDF, content_type="application/pdf")
    response = member.post(
        f"{path}/findings", {**FINDING, "attachment": attachment}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    finding = Finding.objects.get(inspection=inspection)
    assert default_storage.open(finding.attachment_stored, "rb").read() == MINIMAL_PDF
    served = _web(city_bureau).get(f"/supervision/findings/{finding.pk}/attachment")
    assert served.status_code == 200 and _body(served) == MINIMAL_PDF


def test_excel_error_report_is_stored_downloaded_and_pruned(batch, org_user, client_for):  # noqa: F811
    token = excel.save_report(batch, b"the marked copy")
    name = excel.report_name(batch, token)
    assert name == f"reports/batch-{batch.pk}/{token}.xlsx" and default_storage.exists(name)
    got = client_for(org_user).get(f"/api/v1/batches/{batch.pk}/candidates-report/{token}.xlsx")
    assert got.status_code == 200 and _body(got) == b"the marked copy"


def test_national_export_is_stored_downloaded_and_sent_to_the_storage_outbox(
    batch,  # noqa: F811
    client_for,
    province_center,
):
    client = client_for(province_center)
    created = client.post("/api/v1/national/exports", {"batch": batch.pk}, format="json")
    assert created.status_code == 201, created.json()
    export = NationalExport.objects.get(pk=created.json()["id"])
    stored = f"national/{export.file_name}"
    content = default_storage.open(stored, "rb").read()
    got = client.get(f"/api/v1/national/exports/{export.pk}.xlsx")
    assert got.status_code == 200 and _body(got) == content
    sent = client.post(f"/api/v1/national/exports/{export.pk}/send")
    assert sent.status_code == 200, sent.json()
    assert default_storage.open(f"national/outbox/{export.file_name}", "rb").read() == content
