"""Candidates' 2-inch photos: content-checked, cropped to 35 × 49 mm, stored as JPEG, or refused
with nothing stored. Also the synthetic pictures the certificate and seal tests use."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from skillcert.assessment.models import Batch, Candidate
from skillcert.audit.models import AuditEntry
from skillcert.certificates.models import CandidatePhoto
from skillcert.certificates.services.photos import PHOTO_PIXELS, photo_path, upload_photo
from skillcert.documents.fonts import font_path
from skillcert.rules.errors import Forbidden, InvalidInput, TooLarge
from tests.assessment.factories import batch_in, filed_organization

# --- synthetic pictures ----------------------------------------------------------------------


def portrait(
    width: int = 600, height: int = 800, *, fmt: str = "JPEG", transparent: bool = False
) -> bytes:
    """A head-and-shoulders figure on white (or on a transparent background)."""
    background = (255, 255, 255, 0) if transparent else (255, 255, 255, 255)
    image = Image.new("RGBA", (width, height), background)
    draw = ImageDraw.Draw(image)
    cx = width / 2
    draw.ellipse(
        (cx - 0.42 * width, 0.62 * height, cx + 0.42 * width, 1.25 * height), fill=(40, 60, 110)
    )
    draw.rectangle(
        (cx - 0.07 * width, 0.45 * height, cx + 0.07 * width, 0.66 * height), fill=(230, 190, 160)
    )
    draw.ellipse(
        (cx - 0.2 * width, 0.16 * height, cx + 0.2 * width, 0.56 * height), fill=(235, 200, 170)
    )
    draw.chord(
        (cx - 0.21 * width, 0.13 * height, cx + 0.21 * width, 0.45 * height),
        180,
        360,
        fill=(30, 25, 20),
    )
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(buffer, "JPEG", quality=90)
    else:
        image.save(buffer, fmt)
    return buffer.getvalue()


def seal_picture(
    size: int = 480, *, transparent: bool = True, text: str = "合肥测试培训学校"
) -> bytes:
    """A round red seal: ring, star, the name along the top, 专用章 below (PNG or JPEG)."""
    red = (210, 20, 30, 255)
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0 if transparent else 255))
    draw = ImageDraw.Draw(image)
    ring = size // 28
    draw.ellipse((ring, ring, size - ring, size - ring), outline=red, width=ring)
    centre = size / 2
    points = []
    for index in range(10):
        angle = -math.pi / 2 + index * math.pi / 5
        radius = size * (0.14 if index % 2 == 0 else 0.056)
        points.append((centre + radius * math.cos(angle), centre + radius * math.sin(angle)))
    draw.polygon(points, fill=red)
    font = ImageFont.truetype(str(font_path()), int(size * 0.085))
    for index, char in enumerate(text):
        angle = math.radians(-150 + index * 120 / max(1, len(text) - 1))
        x = centre + size * 0.36 * math.cos(angle)
        y = centre + size * 0.36 * math.sin(angle)
        glyph = Image.new("RGBA", (int(size * 0.12),) * 2, (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text(
            (glyph.width / 2, glyph.height / 2), char, font=font, fill=red, anchor="mm"
        )
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.Resampling.BICUBIC)
        image.alpha_composite(glyph, (int(x - glyph.width / 2), int(y - glyph.height / 2)))
    small = ImageFont.truetype(str(font_path()), int(size * 0.07))
    draw.text((centre, size * 0.76), "专用章", font=small, fill=red, anchor="mm")
    buffer = io.BytesIO()
    if transparent:
        image.save(buffer, "PNG")
    else:
        image.convert("RGB").save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def stored_files(root: Path, folder: str) -> list[Path]:
    return sorted(p for p in (root / folder).rglob("*") if p.is_file())


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def batch(org_user, city_bureau, today, occupation_catalog) -> Batch:
    organization = filed_organization(org_user, city_bureau, today)
    return batch_in("plan_filed", organization, org_user, today, candidates=2)


@pytest.fixture
def candidate(batch) -> Candidate:
    return batch.candidates.order_by("position").first()


# --- uploads -----------------------------------------------------------------------------------


def test_jpeg_is_cropped_to_the_two_inch_ratio_and_stored(candidate, org_user, media_root):
    photo = upload_photo(candidate, upload("照片.jpg", portrait(600, 800)), actor=org_user)
    assert (photo.width, photo.height) == PHOTO_PIXELS == (413, 579)
    assert abs(413 / 579 - 35 / 49) < 0.001
    path = photo_path(candidate)
    assert path is not None and path.is_relative_to(media_root / "photos")
    assert photo.stored_name.startswith(f"photos/{candidate.batch_id}/")
    with Image.open(path) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (413, 579)
        assert stored.mode == "RGB"
    assert len(photo.sha256) == 64
    entry = AuditEntry.objects.filter(action="certificates.photo.uploaded").get()
    assert json.loads(entry.after)["uploaded"]["width"] == 600


def test_transparent_png_goes_on_white_and_landscape_is_cropped(candidate, org_user):
    data = portrait(900, 600, fmt="PNG", transparent=True)
    upload_photo(candidate, upload("photo.png", data), actor=org_user)
    with Image.open(photo_path(candidate)) as stored:
        assert stored.size == (413, 579)
        corner = stored.getpixel((3, 3))
    assert min(corner) > 245  # white, not black, where the PNG was transparent


def test_a_new_photo_replaces_the_old_one(
    candidate, org_user, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = upload_photo(candidate, upload("a.jpg", portrait()), actor=org_user)
    old = media_root / first.stored_name
    with django_capture_on_commit_callbacks(execute=True):
        second = upload_photo(candidate, upload("b.png", portrait(fmt="PNG")), actor=org_user)
    assert CandidatePhoto.objects.filter(candidate=candidate).get() == second
    assert not old.exists()
    assert stored_files(media_root, "photos") == [media_root / second.stored_name]
    entries = AuditEntry.objects.filter(action="certificates.photo.uploaded").order_by("pk")
    assert json.loads(entries.last().before)["sha256"] == first.sha256


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("fake.jpg", "我不是图片，只是文字".encode(), "仅支持 JPEG或PNG"),
        ("doc.png", b"%PDF-1.4\n%%EOF\n", "仅支持 JPEG或PNG"),
        ("cut.jpg", portrait()[:1500], "无法识别或已损坏"),
        ("tiny.jpg", portrait(100, 140), "分辨率过低"),
        ("anim.gif", b"GIF89a" + b"\0" * 64, "仅支持 JPEG或PNG"),
    ],
)
def test_bad_pictures_are_refused_and_nothing_is_stored(
    candidate, org_user, media_root, name, data, message
):
    with pytest.raises(InvalidInput) as caught:
        upload_photo(candidate, upload(name, data), actor=org_user)
    assert caught.value.status == 400
    assert message in caught.value.message
    assert caught.value.fields == {"file": [caught.value.message]}
    assert not CandidatePhoto.objects.exists()
    assert not (media_root / "photos").exists()


def test_oversize_upload_is_413(candidate, org_user, media_root, settings):
    settings.SKILLCERT_MAX_UPLOAD_MB = 1
    data = portrait() + b"\0" * (1024 * 1024)
    with pytest.raises(TooLarge) as caught:
        upload_photo(candidate, upload("big.jpg", data), actor=org_user)
    assert caught.value.status == 413
    assert not CandidatePhoto.objects.exists()
    assert not (media_root / "photos").exists()


def test_only_the_candidates_organization_uploads(
    candidate, other_org_user, city_bureau, province_dept, media_root
):
    for actor in (other_org_user, city_bureau, province_dept, None):
        with pytest.raises(Forbidden):
            upload_photo(candidate, upload("照片.jpg", portrait()), actor=actor)
    assert not CandidatePhoto.objects.exists()
    assert not (media_root / "photos").exists()
    assert not AuditEntry.objects.filter(action="certificates.photo.uploaded").exists()


def test_photo_path_is_none_without_a_photo_or_its_file(candidate, org_user, media_root):
    assert photo_path(candidate) is None
    assert photo_path(None) is None
    photo = upload_photo(candidate, upload("照片.jpg", portrait()), actor=org_user)
    (media_root / photo.stored_name).unlink()
    candidate = Candidate.objects.get(pk=candidate.pk)
    assert photo_path(candidate) is None


def test_exif_orientation_is_applied(candidate, org_user):
    upright = Image.new("RGB", (600, 800), (220, 30, 30))
    upright.paste((30, 30, 220), (0, 400, 600, 800))  # red above, blue below
    sideways = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    buffer = io.BytesIO()
    sideways.save(buffer, "JPEG", exif=exif)
    upload_photo(candidate, upload("phone.jpg", buffer.getvalue()), actor=org_user)
    with Image.open(photo_path(candidate)) as stored:
        top, bottom = stored.getpixel((206, 20)), stored.getpixel((206, 560))
    assert top[0] > 150 and top[2] < 100  # red at the top, as the phone showed it
    assert bottom[2] > 150 and bottom[0] < 100


def test_too_many_pixels_are_refused_before_decoding(candidate, org_user, media_root):
    huge = Image.new("1", (8000, 6000), 1)  # 48 megapixels, a few kilobytes as PNG
    buffer = io.BytesIO()
    huge.save(buffer, "PNG")
    with pytest.raises(InvalidInput, match="像素过多"):
        upload_photo(candidate, upload("huge.png", buffer.getvalue()), actor=org_user)
    assert not (media_root / "photos").exists()
