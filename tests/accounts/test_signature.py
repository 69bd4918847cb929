"""People are named by person and department, not by login: in histories, the audit trail
and the navigation (部门 姓名, e.g. 合肥市人社局 张明)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from skillcert.accounts.models import User
from skillcert.accounts.services import set_user_names
from skillcert.audit import service as audit
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM
from skillcert.certificates.models import Certificate, CertificateEvent
from skillcert.certificates.services.lifecycle import reissue_certificate, revoke_certificate
from skillcert.rules.errors import InvalidInput
from tests.assessment.factories import filed_organization, issued

pytestmark = pytest.mark.django_db


def test_a_named_officer_signs_as_department_and_name(city_bureau):
    set_user_names(city_bureau, display_name="张明", department="合肥市人社局", actor=SYSTEM)
    who = audit.actor_ref(User.objects.get(pk=city_bureau.pk))
    assert (who.name, who.id, who.role) == ("合肥市人社局 张明", city_bureau.pk, "city_bureau")


def test_without_a_name_an_organization_user_signs_as_its_organization(org_user, city_center):
    assert audit.actor_ref(org_user).name == "合肥测试培训学校"
    assert audit.actor_ref(city_center).name == "hf_center"  # nothing else on record
    set_user_names(city_center, display_name="赵丽", department="", actor=SYSTEM)
    assert audit.actor_ref(city_center).name == "赵丽"


def test_the_audit_trail_names_the_person_and_keeps_the_account(city_bureau):
    set_user_names(city_bureau, display_name="张明", department="合肥市人社局", actor=SYSTEM)
    with transaction.atomic():
        entry = audit.record(actor=city_bureau, action="test.named", object_type="x")
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.actor, entry.actor_id) == ("合肥市人社局 张明", city_bureau.pk)


def test_certificate_histories_name_the_person_or_the_organization(
    occupation_catalog, org_user, city_bureau, city_center, province_center, today
):
    organization = filed_organization(org_user, city_bureau, today)
    batch = issued(organization, org_user, province_center, today)
    first, second = Certificate.objects.filter(batch=batch).order_by("number")[:2]
    reissue_certificate(first, reason="证书遗失，本人申请补发", actor=org_user)
    set_user_names(
        city_center, display_name="赵丽", department="合肥市职业技能鉴定中心", actor=SYSTEM
    )
    revoke_certificate(second, reason="经核查冒名顶替", actor=city_center)
    assert CertificateEvent.objects.get(certificate=first, kind="reissued").actor == (
        "合肥测试培训学校"
    )
    revoked = CertificateEvent.objects.get(certificate=second, kind="revoked")
    assert revoked.actor == "合肥市职业技能鉴定中心 赵丽"


def test_the_navigation_greets_the_person(city_bureau, org_user):
    set_user_names(city_bureau, display_name="张明", department="合肥市人社局", actor=SYSTEM)
    for user, shown in ((city_bureau, "合肥市人社局 张明"), (org_user, "合肥测试培训学校")):
        client = Client()
        client.force_login(user)
        page = client.get("/").content.decode()
        assert f'<span class="nav-user">{shown}</span>' in page


def test_names_longer_than_the_columns_are_refused_in_chinese(city_bureau):
    with pytest.raises(InvalidInput) as info:
        set_user_names(city_bureau, display_name="张" * 61, department="部" * 61, actor=SYSTEM)
    assert info.value.fields == {
        "display_name": ["姓名不能超过 60 个字符"],
        "department": ["部门不能超过 60 个字符"],
    }
    city_bureau.refresh_from_db()
    assert (city_bureau.display_name, city_bureau.department) == ("", "")
