"""The certificate PDF (附件6): page, font, text, border, QR code, photo, seal, refusals, batch
printing in worker processes, and a reference picture that a layout change must update."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import itertools
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import segno
from django.core.management import call_command
from PIL import Image, ImageChops
from pypdf import PdfReader
from reportlab.lib.units import mm

from skillcert.assessment.models import Batch
from skillcert.certificates import pdf as certificate_pdf
from skillcert.certificates.models import Certificate, CertificateStatus
from skillcert.certificates.pdf import (
    BORDER_HEIGHT,
    BORDER_LINE,
    BORDER_WIDTH,
    BORDER_X,
    BORDER_Y,
    NOTE_NO_PHOTO,
    NOTE_NO_SEAL,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    QR_SIZE,
    CertificateFace,
    document_notes,
    has_photo,
    qr_matrix,
    refusal,
    render_batch,
    render_certificate,
    render_faces,
    wrap,
)
from skillcert.certificates.services.issuing import issue_batch
from skillcert.certificates.services.photos import upload_photo
from skillcert.documents import fonts, images
from skillcert.documents.fonts import FontMissing, cjk_font
from skillcert.registry.services.seals import _stamp, decide_seal, upload_seal
from skillcert.rules.errors import Conflict
from tests.assessment.factories import batch_in, filed_organization, segments_for
from tests.certificates.test_photos import portrait, seal_picture, upload

CI = os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}
REFERENCE = Path(__file__).parent / "reference" / "certificate.png"
REFERENCE_DPI = 50
UPDATE_REFERENCE = "SKILLCERT_UPDATE_REFERENCE"
NUMBER = re.compile(r"S\d{21}")


def poppler(tool: str) -> str:
    """The path of a poppler-utils tool; skipped outside CI when absent, failed in CI."""
    path = shutil.which(tool)
    if path is None:
        reason = f"{tool} (Debian package poppler-utils) is not installed"
        if CI:
            pytest.fail(f"{reason}; CI is set, so the PDF checks must run")
        pytest.skip(reason)
    return path


def pdf_text(data: bytes, tmp_path: Path, *, layout: bool = False) -> str:
    source = tmp_path / "certificate.pdf"
    source.write_bytes(data)
    command = [poppler("pdftotext"), *(["-layout"] if layout else []), str(source), "-"]
    return subprocess.run(command, check=True, capture_output=True).stdout.decode()


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def content_stream(data: bytes, page: int = 0) -> str:
    return PdfReader(io.BytesIO(data)).pages[page].get_contents().get_data().decode("latin-1")


# --- data ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BASE_URL = "https://zs.example.cn"
    return settings.MEDIA_ROOT


def issued_batch(org_user, city_bureau, province_center, today, candidates: int = 6) -> Batch:
    """A batch numbered on 2026-11-11; everyone passes except the first candidate."""
    organization = filed_organization(org_user, city_bureau, today)
    batch = batch_in("publicity_closed", organization, org_user, today, candidates=candidates)
    segments_for(organization, province_center)
    issue_batch(batch, actor=org_user)
    return Batch.objects.get(pk=batch.pk)


@pytest.fixture
def batch(org_user, city_bureau, province_center, today, occupation_catalog) -> Batch:
    return issued_batch(org_user, city_bureau, province_center, today)


@pytest.fixture
def certificate(batch) -> Certificate:
    return batch.certificates.order_by("number").first()


def with_photo_and_seal(certificate: Certificate, org_user, city_bureau) -> None:
    upload_photo(certificate.candidate, upload("照片.jpg", portrait()), actor=org_user)
    seal = upload_seal(certificate.organization, upload("印章.png", seal_picture()), actor=org_user)
    decide_seal(seal, confirmed=True, note="", actor=city_bureau)


# --- the page --------------------------------------------------------------------------------


def test_one_a4_landscape_page_in_the_embedded_kai_font(certificate):
    data = render_certificate(certificate)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == (841.9, 595.3)
    assert (PAGE_WIDTH, PAGE_HEIGHT) == pytest.approx((297 * mm, 210 * mm))
    assert b"/FontFile2" in data  # a TrueType subset is embedded
    assert b"LXGWWenKai" in data
    assert b"/BaseFont /Helvetica" not in data  # and no font is merely named
    assert render_certificate(certificate) == data  # invariant: same certificate, same bytes


def test_text_of_the_certificate(certificate, tmp_path):
    text = pdf_text(render_certificate(certificate), tmp_path)
    flat = "".join(text.split())
    assert "职业技能等级证书" in flat
    assert certificate.name in flat
    assert certificate.number in flat
    assert certificate.id_number in flat
    assert "居民身份证" in flat  # the type's name, not its code
    assert "三级/高级工" in flat or "四级/中级工" in flat or "五级/初级工" in flat
    assert "2026年11月11日" in flat
    assert certificate.organization_name in flat
    assert "工种：——" in flat  # the sample welders have no work type
    assert f"{certificate.name}经考核评价，成绩合格，具备焊工" in flat
    assert "证书查询网址：https://zs.example.cn/verify" in flat
    assert "补发" not in flat
    for label in (
        "姓名",
        "证件类型",
        "证件号码",
        "职业名称",
        "职业技能等级",
        "发证日期",
        "评价机构",
    ):
        assert f"{label}：" in flat


def test_reissued_certificate_says_so(certificate, tmp_path):
    certificate.reissue_count = 1
    certificate.last_reissued_on = dt.date(2027, 3, 1)
    certificate.save()
    flat = "".join(pdf_text(render_certificate(certificate), tmp_path).split())
    assert "补发" in flat
    assert "2027年3月1日补发" in flat


def test_border_is_269_by_188_mm_at_2_25_pt(certificate):
    assert (BORDER_WIDTH, BORDER_HEIGHT, BORDER_LINE) == pytest.approx((269 * mm, 188 * mm, 2.25))
    assert BORDER_X == pytest.approx((PAGE_WIDTH - BORDER_WIDTH) / 2)  # centred
    assert BORDER_Y == pytest.approx((PAGE_HEIGHT - BORDER_HEIGHT) / 2)
    stream = content_stream(render_certificate(certificate))
    rects = [
        tuple(float(v) for v in match.groups())
        for match in re.finditer(r"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re", stream)
    ]
    border = [r for r in rects if r[2] > 700]
    assert len(border) == 1
    x, y, width, height = border[0]
    assert (x / mm, y / mm, width / mm, height / mm) == pytest.approx((14, 11, 269, 188), abs=0.01)
    assert re.search(r"(^|\s)2\.25 w\s", stream)


def drawn_qr(stream: str) -> tuple[list[list[bool]], float, float, float]:
    """The QR matrix as drawn: the runs of the path after the flipped one-module scale."""
    # translate(x, top) and scale(module, -module), written as one matrix
    match = re.search(r"([\d.]+) 0 0 -([\d.]+) ([\d.]+) ([\d.]+) cm(.*?)\sf\s", stream, re.S)
    assert match, "no QR code block in the page"
    module, x, top = float(match[1]), float(match[3]), float(match[4])
    count = round(QR_SIZE / module)
    matrix = [[False] * count for _ in range(count)]
    for run in re.finditer(r"(\d+) (\d+) (\d+) 1 re", match[5]):
        column, row, length = (int(v) for v in run.groups())
        for offset in range(length):
            matrix[row][column + offset] = True
    return matrix, x, top, module * count


def test_qr_code_is_30_mm_and_encodes_the_verify_address(certificate, tmp_path):
    data = render_certificate(certificate)
    matrix, x, top, size = drawn_qr(content_stream(data))
    url = f"https://zs.example.cn/verify/{certificate.number}"
    expected = [[bool(v) for v in row] for row in segno.make_qr(url, error="m").matrix]
    assert matrix == expected == qr_matrix(url)
    assert size == pytest.approx(30 * mm, abs=0.01)
    assert x + size <= BORDER_X + BORDER_WIDTH and top <= BORDER_Y + BORDER_HEIGHT
    zbarimg = shutil.which("zbarimg")  # optional (Debian zbar-tools): a real decoder
    if zbarimg:
        (tmp_path / "page.pdf").write_bytes(data)
        subprocess.run(
            [poppler("pdftoppm"), "-r", "200", "-png", "-singlefile", "page.pdf", "page"],
            cwd=tmp_path,
            check=True,
        )
        decoded = subprocess.run(
            [zbarimg, "--raw", "-q", str(tmp_path / "page.png")], capture_output=True, check=True
        )
        assert decoded.stdout.decode().strip() == url


def test_missing_font_is_503_not_a_blank_page(certificate, monkeypatch):
    monkeypatch.setenv("SKILLCERT_CJK_FONT", "/nonexistent/kai.ttf")
    cjk_font.cache_clear()
    try:
        with pytest.raises(FontMissing) as caught:
            render_certificate(certificate)
        assert caught.value.status == 503
        assert "fonts-lxgw-wenkai" in caught.value.message
    finally:
        monkeypatch.delenv("SKILLCERT_CJK_FONT")
        cjk_font.cache_clear()
    assert render_certificate(certificate).startswith(b"%PDF-")


def test_font_is_parsed_once_per_process(certificate, monkeypatch):
    cjk_font()
    calls = []
    original = fonts.TTFont
    monkeypatch.setattr(fonts, "TTFont", lambda *a, **k: calls.append(a) or original(*a, **k))
    render_certificate(certificate)
    render_certificate(certificate)
    assert calls == []


# --- photo and seal --------------------------------------------------------------------------


def test_without_photo_and_seal_a_placeholder_and_the_notes_say_so(certificate, tmp_path):
    assert not has_photo(certificate)
    assert document_notes(certificate) == [NOTE_NO_PHOTO, NOTE_NO_SEAL]
    assert "印章未确认" in NOTE_NO_SEAL
    data = render_certificate(certificate)
    assert b"/Subtype /Image" not in data
    assert "照片" in pdf_text(data, tmp_path)


def test_photo_and_confirmed_seal_are_drawn(certificate, org_user, city_bureau):
    upload_photo(certificate.candidate, upload("照片.jpg", portrait()), actor=org_user)
    seal = upload_seal(certificate.organization, upload("印章.png", seal_picture()), actor=org_user)
    certificate = Certificate.objects.get(pk=certificate.pk)
    assert has_photo(certificate)
    assert document_notes(certificate) == [NOTE_NO_SEAL]  # pending is not enough
    assert b"/SMask" not in render_certificate(certificate)
    decide_seal(seal, confirmed=True, note="", actor=city_bureau)
    assert document_notes(certificate) == []
    data = render_certificate(certificate)
    assert b"/DCTDecode" in data  # the JPEG photo, passed through
    assert b"/SMask" in data  # the transparent seal
    assert data.count(b"/Subtype /Image") == 3  # photo, seal, seal's mask
    assert render_certificate(certificate) == data


# --- refusals --------------------------------------------------------------------------------


def test_revoked_certificate_is_not_rendered(certificate):
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_on = dt.date(2027, 1, 5)
    certificate.revocation_reason = "考试作弊"
    certificate.save()
    with pytest.raises(Conflict) as caught:
        render_certificate(certificate)
    assert caught.value.status == 409
    assert "已于2027年1月5日撤销" in caught.value.message
    assert "考试作弊" in caught.value.message
    assert document_notes(certificate) == [refusal(certificate)]


def test_superseded_certificate_points_to_the_new_one(batch):
    old, new = batch.certificates.order_by("number")[:2]
    old.status = CertificateStatus.SUPERSEDED
    old.superseded_by = new
    old.save()
    with pytest.raises(Conflict, match=f"已更正.*{new.number}"):
        render_certificate(old)


# --- batch printing --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=False)
def test_batch_in_two_processes_equals_one(
    org_user, city_bureau, province_center, today, occupation_catalog
):
    batch = issued_batch(org_user, city_bureau, province_center, today, candidates=45)
    revoked = batch.certificates.order_by("number")[3]
    revoked.status = CertificateStatus.REVOKED
    revoked.save()
    numbers = list(
        batch.certificates.filter(status="valid")
        .order_by("number")
        .values_list("number", flat=True)
    )
    assert len(numbers) == 43 >= 2 * certificate_pdf.MIN_CHUNK
    reports: list[tuple[int, int]] = []
    one = render_batch(batch, processes=1)
    two = render_batch(
        batch, processes=2, progress=lambda done, total: reports.append((done, total))
    )
    texts_one, texts_two = page_texts(one), page_texts(two)
    assert len(texts_one) == len(texts_two) == 43
    assert [NUMBER.findall(t) for t in texts_two] == [[n] for n in numbers]
    assert texts_two == texts_one
    assert reports[-1] == (43, 43)
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(reports))
    assert revoked.number not in "".join(texts_one)


def test_progress_in_one_process(batch):
    reports: list[tuple[int, int]] = []
    data = render_batch(batch, progress=lambda done, total: reports.append((done, total)))
    assert len(PdfReader(io.BytesIO(data)).pages) == 5
    assert reports == [(5, 5)]


def test_batch_without_valid_certificates_is_409(batch):
    batch.certificates.update(status=CertificateStatus.REVOKED)
    with pytest.raises(Conflict):
        render_batch(batch)


def test_render_command(batch, tmp_path):
    out = tmp_path / "证书.pdf"
    stdout = io.StringIO()
    call_command(
        "certificates", "render", "--batch", str(batch.pk), "--out", str(out), stdout=stdout
    )
    assert len(PdfReader(out).pages) == 5
    assert "已生成 5/5" in stdout.getvalue()
    assert str(out) in stdout.getvalue()


# --- line breaking ---------------------------------------------------------------------------


def test_wrap_keeps_punctuation_off_line_starts():
    font = cjk_font()
    width = 16 * 6  # six characters of 16 pt
    lines = wrap("一二三四五六，七八九十（甲乙）丙丁", font, 16, width)
    assert lines[0] == "一二三四五六，"  # the comma hangs rather than start a line
    assert not any(line.startswith(("，", "）")) for line in lines)
    assert not any(line.endswith("（") for line in lines)
    assert "".join(lines) == "一二三四五六，七八九十（甲乙）丙丁"


# --- reference picture -----------------------------------------------------------------------


def reference_face(tmp_path: Path) -> CertificateFace:
    """A fixed certificate with a photo, a seal and a reissue date (no database)."""
    photo = tmp_path / "photo.jpg"
    picture = images.load_image(portrait())
    photo.write_bytes(images.encode_jpeg(images.fit(images.on_white(picture), 413, 579, top=0.3)))
    seal = tmp_path / "seal.png"
    seal.write_bytes(images.encode_png(_stamp(images.load_image(seal_picture()))))
    return CertificateFace(
        number="S000034010001263000001",
        name="张三",
        id_type="居民身份证",
        id_number="34010419900101123X",
        occupation="焊工",
        work_type="电焊工",
        level="三级/高级工",
        issued_on=dt.date(2026, 11, 11),
        organization="合肥市示范职业技能培训学校",
        base_url="https://zs.example.cn",
        reissued_on=dt.date(2027, 3, 1),
        photo=str(photo),
        seal=str(seal),
    )


def rendered_png(data: bytes, tmp_path: Path) -> Image.Image:
    (tmp_path / "reference.pdf").write_bytes(data)
    subprocess.run(
        [
            poppler("pdftoppm"),
            "-r",
            str(REFERENCE_DPI),
            "-gray",
            "-png",
            "-singlefile",
            "reference.pdf",
            "rendered",
        ],
        cwd=tmp_path,
        check=True,
    )
    return Image.open(tmp_path / "rendered.png").convert("L")


def difference(actual: Image.Image, expected: Image.Image) -> tuple[float, float]:
    """Mean absolute difference (0-255) and the share of pixels that differ by more than 64."""
    assert actual.size == expected.size, (actual.size, expected.size)
    histogram = ImageChops.difference(actual, expected).histogram()
    pixels = sum(histogram)
    mean = sum(value * count for value, count in enumerate(histogram)) / pixels
    return mean, sum(histogram[65:]) / pixels


def compare_with_reference(data: bytes, tmp_path: Path) -> tuple[float, float]:
    actual = rendered_png(data, tmp_path)
    with Image.open(REFERENCE) as expected:
        return difference(actual, expected.convert("L"))


def test_reference_picture(tmp_path):
    """The certificate as a picture, against the committed one. A deliberate layout change
    regenerates it: SKILLCERT_UPDATE_REFERENCE=1 .venv/bin/pytest tests/certificates/test_pdf.py
    -k reference, then look at tests/certificates/reference/certificate.png and commit it."""
    data = render_faces([reference_face(tmp_path)])
    if os.environ.get(UPDATE_REFERENCE):
        picture = rendered_png(data, tmp_path)
        REFERENCE.parent.mkdir(exist_ok=True)
        picture.save(REFERENCE, optimize=True)
        pytest.skip(f"reference regenerated: {REFERENCE}")
    mean, changed = compare_with_reference(data, tmp_path)
    assert mean <= 1.0 and changed <= 0.002, (
        f"the certificate no longer looks like {REFERENCE} (mean difference {mean:.2f}/255, "
        f"{changed:.2%} of pixels changed; rendered: {tmp_path / 'rendered.png'}). If the layout "
        f"change is deliberate, regenerate it with {UPDATE_REFERENCE}=1 .venv/bin/pytest "
        "tests/certificates/test_pdf.py -k reference, look at the picture and commit it."
    )


def test_reference_catches_a_small_layout_change(tmp_path, monkeypatch):
    face = reference_face(tmp_path)
    drawing = certificate_pdf.drawing  # the module that reads it
    monkeypatch.setattr(drawing, "TITLE_BASELINE", drawing.TITLE_BASELINE - 3 * mm)
    mean, changed = compare_with_reference(render_faces([face]), tmp_path)
    assert mean > 1.0 or changed > 0.002
    monkeypatch.undo()
    moved = dataclasses.replace(face, name="张三丰")
    mean, changed = compare_with_reference(render_faces([moved]), tmp_path)
    assert mean > 1.0 or changed > 0.002
