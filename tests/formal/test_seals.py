"""Authorities' seals: a city's by its bureau, confirmed by the province department; the
province's by one province department officer, confirmed by another."""

from __future__ import annotations

import pytest

from skillcert.accounts.models import Authority
from skillcert.accounts.services import add_user
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM
from skillcert.formal.models import SealState
from skillcert.formal.seals import (
    current_seal,
    decide_seal,
    may_decide,
    seals_for,
    upload_seal,
    uploads_for,
)
from skillcert.rules.errors import Conflict, Forbidden, InvalidInput, TooLarge
from tests.certificates.test_photos import seal_picture, upload
from tests.conftest import PASSWORD


@pytest.fixture
def second_province_dept(authorities):
    return add_user(
        "prov_dept2", password=PASSWORD, role="province_dept", authority="province", actor=SYSTEM
    )


def test_who_uploads_for_which_authority(
    city_bureau, city_center, province_dept, province_center, inspector, org_user
):
    assert uploads_for(city_bureau) == Authority.objects.get(code="01")
    assert uploads_for(province_dept) == Authority.objects.get(code="00")
    for user in (city_center, province_center, inspector, org_user, None):
        assert uploads_for(user) is None


def test_city_seal_confirmed_by_the_province(city_bureau, province_dept):
    hefei = city_bureau.authority
    seal = upload_seal(hefei, upload("章.png", seal_picture()), actor=city_bureau)
    assert seal.state == SealState.PENDING and current_seal(hefei) is None
    with pytest.raises(Forbidden):
        decide_seal(seal, confirmed=True, note="", actor=city_bureau)  # not the bureau itself
    decide_seal(seal, confirmed=True, note="", actor=province_dept)
    assert current_seal(hefei) == seal
    with pytest.raises(Conflict):
        decide_seal(seal, confirmed=False, note="重复", actor=province_dept)
    actions = list(
        AuditEntry.objects.filter(action__startswith="formal.seal.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["formal.seal.uploaded", "formal.seal.confirmed"]


def test_rejection_needs_a_reason(city_bureau, province_dept):
    seal = upload_seal(city_bureau.authority, upload("章.png", seal_picture()), actor=city_bureau)
    with pytest.raises(InvalidInput):
        decide_seal(seal, confirmed=False, note="", actor=province_dept)
    decide_seal(seal, confirmed=False, note="印章与备案不一致", actor=province_dept)
    seal.refresh_from_db()
    assert seal.state == SealState.REJECTED and current_seal(city_bureau.authority) is None


def test_only_the_own_authority_uploads(
    city_bureau, other_city_bureau, province_dept, city_center, org_user
):
    hefei = city_bureau.authority
    for actor in (other_city_bureau, province_dept, city_center, org_user):
        with pytest.raises(Forbidden):
            upload_seal(hefei, upload("章.png", seal_picture()), actor=actor)
    with pytest.raises(Forbidden):
        upload_seal(
            Authority.objects.get(code="00"), upload("章.png", seal_picture()), actor=city_bureau
        )


def test_province_seal_is_never_self_confirmed(province_dept, second_province_dept):
    province = province_dept.authority
    seal = upload_seal(province, upload("章.png", seal_picture()), actor=province_dept)
    assert not may_decide(province_dept, seal)
    with pytest.raises(Forbidden):
        decide_seal(seal, confirmed=True, note="", actor=province_dept)
    assert may_decide(second_province_dept, seal)
    decide_seal(seal, confirmed=True, note="", actor=second_province_dept)
    assert current_seal(province) == seal


def test_bad_pictures_and_size(city_bureau, settings):
    hefei = city_bureau.authority
    with pytest.raises(InvalidInput):
        upload_seal(hefei, upload("fake.png", b"not a picture at all"), actor=city_bureau)
    with pytest.raises(InvalidInput):
        upload_seal(hefei, None, actor=city_bureau)
    settings.SKILLCERT_MAX_UPLOAD_MB = 1
    with pytest.raises(TooLarge):
        upload_seal(
            hefei, upload("big.png", seal_picture() + b"\0" * 1024 * 1024), actor=city_bureau
        )
    assert not seals_for(city_bureau).exists()


def test_new_upload_withdraws_the_pending_one(city_bureau, province_dept, other_city_bureau):
    hefei = city_bureau.authority
    first = upload_seal(hefei, upload("a.png", seal_picture()), actor=city_bureau)
    second = upload_seal(hefei, upload("b.png", seal_picture(400)), actor=city_bureau)
    first.refresh_from_db()
    assert first.state == SealState.REJECTED and second.state == SealState.PENDING
    assert set(seals_for(city_bureau)) == {first, second}
    assert not seals_for(other_city_bureau).exists()  # another city sees none of them
    assert set(seals_for(province_dept)) == {first, second}


def test_the_deciders_and_the_uploader_are_told(city_bureau, province_dept, second_province_dept):
    """A seal waiting for confirmation reaches the province department's inbox; the uploader
    hears the decision (with the reason of a refusal)."""
    from skillcert.inbox.models import Message

    hefei = city_bureau.authority
    seal = upload_seal(hefei, upload("章.png", seal_picture()), actor=city_bureau)
    for officer in (province_dept, second_province_dept):
        told = Message.objects.get(recipient=officer, event="seal.uploaded")
        assert told.title == f"机关印章待确认：{hefei.name}" and told.link == "/authority/seals"
    assert not Message.objects.filter(recipient=city_bureau).exists()
    decide_seal(seal, confirmed=False, note="印章与备案不一致", actor=province_dept)
    refused = Message.objects.get(recipient=city_bureau, event="seal.rejected")
    assert "未予确认" in refused.title and "印章与备案不一致" in refused.body

    again = upload_seal(hefei, upload("章.png", seal_picture()), actor=city_bureau)
    decide_seal(again, confirmed=True, note="", actor=second_province_dept)
    assert Message.objects.filter(recipient=city_bureau, event="seal.confirmed").exists()


def test_the_province_uploader_is_not_told_of_its_own_seal(province_dept, second_province_dept):
    from skillcert.inbox.models import Message

    province = province_dept.authority
    upload_seal(province, upload("章.png", seal_picture()), actor=province_dept)
    assert not Message.objects.filter(recipient=province_dept).exists()
    assert Message.objects.filter(recipient=second_province_dept, event="seal.uploaded").exists()


def test_a_refused_upload_tells_nobody(city_bureau, province_dept):
    from skillcert.inbox.models import Message

    with pytest.raises(InvalidInput):
        upload_seal(city_bureau.authority, upload("章.png", b"not a picture"), actor=city_bureau)
    assert not Message.objects.exists()


def test_the_workbench_counts_seals_awaiting_the_reader(
    city_bureau, province_dept, second_province_dept
):
    from tests.support.personas import web_client

    upload_seal(city_bureau.authority, upload("章.png", seal_picture()), actor=city_bureau)
    upload_seal(province_dept.authority, upload("章.png", seal_picture()), actor=province_dept)

    def count(user) -> str | None:
        html = web_client(user).get("/dashboard").content.decode()
        label = '机关印章待确认</span> <strong class="count">'
        return html.split(label)[1].split("<")[0] if label in html else None

    assert count(second_province_dept) == "2"
    assert count(province_dept) == "1"  # not the seal it uploaded itself
    assert count(city_bureau) is None  # the bureau does not decide seals
