"""Organizations' seals: uploaded by the organization, confirmed or rejected by its filing
authority, and stamped on the filing receipt once confirmed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from skillcert.audit.models import AuditEntry
from skillcert.registry.models import OrganizationSeal, SealState
from skillcert.registry.receipt import render_receipt
from skillcert.registry.services.seals import (
    MAX_SIDE,
    current_seal,
    current_seal_path,
    decide_seal,
    upload_seal,
)
from skillcert.rules.errors import Conflict, Forbidden, InvalidInput, TooLarge
from tests.certificates.test_photos import portrait, seal_picture, stored_files, upload
from tests.registry.factories import filed_case


def seal_path(seal: OrganizationSeal) -> Path:
    """Where the default (file-system) storage keeps the seal."""
    return Path(default_storage.path(seal.stored_name))


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def pending(organization, org_user) -> OrganizationSeal:
    return upload_seal(organization, upload("印章.png", seal_picture()), actor=org_user)


def test_png_seal_is_stored_pending(organization, org_user, media_root):
    seal = upload_seal(organization, upload("印章.png", seal_picture(800)), actor=org_user)
    assert seal.state == SealState.PENDING
    assert seal.organization == organization
    assert seal.stored_name.startswith(f"seals/{organization.pk}/")
    path = seal_path(seal)
    assert path.is_relative_to(media_root / "seals")
    with Image.open(path) as stored:
        assert stored.format == "PNG"
        assert stored.mode == "RGBA"
        assert max(stored.size) <= MAX_SIDE  # scaled down from 800
        assert stored.getpixel((0, 0))[3] < 30  # transparent around the stamp
    assert current_seal(organization) is None  # not before it is confirmed
    entry = AuditEntry.objects.get(action="registry.seal.uploaded")
    assert json.loads(entry.after)["sha256"] == seal.sha256


def test_jpeg_on_white_paper_becomes_a_transparent_stamp(organization, org_user):
    seal = upload_seal(
        organization, upload("seal.jpg", seal_picture(transparent=False)), actor=org_user
    )
    with Image.open(seal_path(seal)) as stored:
        assert stored.mode == "RGBA"
        corner = stored.getpixel((2, 2))
        assert corner[3] < 30  # the white paper is gone
        inked = [p for p in stored.get_flattened_data() if p[3] > 200]
    assert inked, "the stamp keeps its ink"
    red, green, blue, _alpha = inked[len(inked) // 2]
    assert red > 150 and green < 90 and blue < 90  # one red ink colour


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("fake.png", b"just some text pretending to be a PNG", "仅支持 JPEG或PNG"),
        ("blank.png", portrait(300, 300, fmt="PNG", transparent=True)[:200], "无法识别或已损坏"),
    ],
)
def test_bad_seal_pictures_are_refused(organization, org_user, media_root, name, data, message):
    with pytest.raises(InvalidInput) as caught:
        upload_seal(organization, upload(name, data), actor=org_user)
    assert message in caught.value.message
    assert not OrganizationSeal.objects.exists()
    assert not (media_root / "seals").exists()


def test_blank_picture_has_no_stamp(organization, org_user, media_root):
    blank = Image.new("RGB", (300, 300), "white")
    from io import BytesIO

    buffer = BytesIO()
    blank.save(buffer, "JPEG")
    with pytest.raises(InvalidInput, match="没有可识别的印章图案"):
        upload_seal(organization, upload("blank.jpg", buffer.getvalue()), actor=org_user)
    assert not (media_root / "seals").exists()


def test_oversize_seal_is_413(organization, org_user, settings, media_root):
    settings.SKILLCERT_MAX_UPLOAD_MB = 1
    with pytest.raises(TooLarge):
        upload_seal(
            organization, upload("big.png", seal_picture() + b"\0" * 1024 * 1024), actor=org_user
        )
    assert not (media_root / "seals").exists()


def test_only_the_organization_uploads_its_seal(
    organization, other_org_user, city_bureau, province_dept, media_root
):
    for actor in (other_org_user, city_bureau, province_dept, None):
        with pytest.raises(Forbidden):
            upload_seal(organization, upload("印章.png", seal_picture()), actor=actor)
    assert not OrganizationSeal.objects.exists()
    assert not (media_root / "seals").exists()


def test_filing_bureau_confirms(pending, organization, city_bureau):
    seal = decide_seal(pending, confirmed=True, note="", actor=city_bureau)
    assert seal.state == SealState.CONFIRMED
    assert seal.decided_by == city_bureau and seal.decided_at is not None
    assert current_seal(organization) == seal
    assert current_seal_path(organization) == seal_path(seal)
    assert AuditEntry.objects.filter(action="registry.seal.confirmed").count() == 1


def test_the_seal_confirmed_last_is_current_even_across_a_drill_midnight(
    organization, org_user, city_bureau
):
    """In a drill (fixed date) the next real day's stamps restart at 00:00: the seal confirmed
    after a real midnight carries an earlier ``decided_at`` than the one before it."""
    import datetime as dt

    from skillcert.rules import clock

    first = upload_seal(organization, upload("印章.png", seal_picture()), actor=org_user)
    first = decide_seal(first, confirmed=True, note="", actor=city_bureau)
    second = upload_seal(organization, upload("新印章.png", seal_picture(500)), actor=org_user)
    second = decide_seal(second, confirmed=True, note="", actor=city_bureau)
    stamp = dt.datetime(2026, 9, 18, 23, 58, tzinfo=clock.LOCAL_TZ)
    OrganizationSeal.objects.filter(pk=first.pk).update(decided_at=stamp)
    OrganizationSeal.objects.filter(pk=second.pk).update(decided_at=stamp.replace(hour=0, minute=2))
    assert current_seal(organization) == second


def test_province_department_may_decide(pending, province_dept):
    seal = decide_seal(pending, confirmed=False, note="印章图案不清晰", actor=province_dept)
    assert seal.state == SealState.REJECTED
    assert seal.note == "印章图案不清晰"
    assert current_seal(seal.organization) is None


def test_others_may_not_decide(
    pending, org_user, other_org_user, city_center, other_city_bureau, province_center, inspector
):
    for actor in (
        org_user,
        other_org_user,
        city_center,
        other_city_bureau,
        province_center,
        inspector,
        None,
    ):
        with pytest.raises(Forbidden) as caught:
            decide_seal(pending, confirmed=True, note="", actor=actor)
        assert caught.value.status == 403
    pending.refresh_from_db()
    assert pending.state == SealState.PENDING


def test_rejection_needs_a_reason(pending, city_bureau):
    with pytest.raises(InvalidInput):
        decide_seal(pending, confirmed=False, note="  ", actor=city_bureau)


def test_decided_seal_is_409(pending, city_bureau):
    decide_seal(pending, confirmed=True, note="", actor=city_bureau)
    with pytest.raises(Conflict) as caught:
        decide_seal(pending, confirmed=False, note="重复", actor=city_bureau)
    assert caught.value.status == 409


def test_new_upload_withdraws_the_pending_one_and_replaces_once_confirmed(
    organization, org_user, city_bureau
):
    first = upload_seal(organization, upload("a.png", seal_picture()), actor=org_user)
    decide_seal(first, confirmed=True, note="", actor=city_bureau)
    second = upload_seal(organization, upload("b.png", seal_picture(400)), actor=org_user)
    third = upload_seal(organization, upload("c.png", seal_picture(420)), actor=org_user)
    second.refresh_from_db()
    assert second.state == SealState.REJECTED and "取代" in second.note
    assert current_seal(organization) == first  # the confirmed one until the new one is
    decide_seal(third, confirmed=True, note="", actor=city_bureau)
    assert current_seal(organization) == third


def test_receipt_carries_the_confirmed_seal(
    org_user, city_bureau, today, media_root, occupation_catalog
):
    organization = org_user.membership.organization
    case = filed_case(organization, org_user, city_bureau, today)
    without = render_receipt(case)
    assert b"/SMask" not in without
    seal = upload_seal(organization, upload("印章.png", seal_picture()), actor=org_user)
    assert render_receipt(case) == without  # pending: nothing drawn
    decide_seal(seal, confirmed=True, note="", actor=city_bureau)
    stamped = render_receipt(case)
    assert b"/Subtype /Image" in stamped and b"/SMask" in stamped
    assert render_receipt(case) == stamped  # still the same bytes every time
    seal_path(seal).unlink()  # a missing file draws nothing rather than failing
    assert render_receipt(case) == without
    assert stored_files(media_root, "seals") == []
