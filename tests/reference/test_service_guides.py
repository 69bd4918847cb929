"""办事指南 and the site footer's settings: seeded, edited only by whom may, audited."""

from __future__ import annotations

import pytest

from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM
from skillcert.reference.models import ServiceGuide, SiteSettings
from skillcert.reference.selectors import site_settings
from skillcert.reference.services import (
    seed_service_guides,
    update_service_guide,
    update_site_settings,
)
from skillcert.rules.errors import InvalidInput
from tests.support import personas

pytestmark = pytest.mark.django_db

SLUGS = ["filing", "change", "renewal", "cross-city", "plan", "results", "verify"]


def _guide_data(guide: ServiceGuide, **changes: str) -> dict[str, str]:
    data = {
        name: getattr(guide, name)
        for name in [
            "title",
            "summary",
            "basis",
            "conditions",
            "materials",
            "process",
            "time_limit",
            "fees",
            "channel",
            "contact",
        ]
    }
    data.update(changes)
    return data


def test_the_seven_guides_are_seeded_with_the_notice_text():
    guides = {g.slug: g for g in ServiceGuide.objects.all()}
    assert list(guides) == SLUGS  # in their order
    for guide in guides.values():
        assert "皖人社秘〔2020〕65号" in guide.basis
        assert guide.fees == "不收费。"
        assert guide.conditions and guide.materials and guide.process and guide.contact
    assert "10个工作日" in guides["filing"].time_limit
    assert "5个工作日" in guides["filing"].time_limit
    assert "一次性告知" in guides["filing"].time_limit
    assert "3个工作日" in guides["plan"].time_limit
    assert "10个工作日" in guides["plan"].time_limit
    assert "7天" in guides["results"].time_limit
    assert "10个工作日" in guides["results"].time_limit
    assert "异地" in guides["cross-city"].title


def test_seeding_again_keeps_the_province_edits_and_adds_only_missing_guides():
    guide = ServiceGuide.objects.get(slug="filing")
    update_service_guide("filing", _guide_data(guide, fees="不收费（已核对）"), actor=SYSTEM)
    ServiceGuide.objects.filter(slug="verify").delete()
    assert seed_service_guides(actor=SYSTEM) == 1
    assert ServiceGuide.objects.get(slug="filing").fees == "不收费（已核对）"
    assert ServiceGuide.objects.filter(slug="verify").exists()
    assert seed_service_guides(actor=SYSTEM) == 0


def test_editing_a_guide_is_audited_and_checked():
    dept = personas.province_officer()
    guide = ServiceGuide.objects.get(slug="plan")
    update_service_guide("plan", _guide_data(guide, contact="电话 0551-1234567"), actor=dept.user)
    entry = AuditEntry.objects.filter(action="reference.guide_updated").latest("seq")
    assert entry.actor_id == dept.user.pk
    assert "0551-1234567" in str(entry.after)
    assert ServiceGuide.objects.get(slug="plan").updated_on is not None
    before = AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as refused:
        update_service_guide("plan", _guide_data(guide, conditions="  "), actor=dept.user)
    assert "conditions" in refused.value.fields
    with pytest.raises(InvalidInput):
        update_service_guide("plan", _guide_data(guide, fees="x" * 501), actor=dept.user)
    assert AuditEntry.objects.count() == before
    assert ServiceGuide.objects.get(slug="plan").conditions == guide.conditions


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("dept", 302),
        ("bureau", 403),
        ("pcenter", 403),
        ("admin", 403),
        ("org", 403),
    ],
)
def test_only_the_province_department_edits_guides(who, status):
    persona = {
        "dept": lambda: personas.province_officer(),
        "bureau": lambda: personas.city_officer("01"),
        "pcenter": lambda: personas.province_officer("province_center"),
        "admin": lambda: personas.province_officer("system_admin"),
        "org": lambda: personas.organization_user(),
    }[who]()
    guide = ServiceGuide.objects.get(slug="renewal")
    assert persona.web.get("/guide/renewal/edit").status_code == (200 if status == 302 else status)
    response = persona.web.post("/guide/renewal/edit", _guide_data(guide, fees="不收取任何费用"))
    assert response.status_code == status
    changed = ServiceGuide.objects.get(slug="renewal").fees == "不收取任何费用"
    assert changed is (status == 302)


def test_anonymous_visitors_are_sent_to_sign_in_before_editing():
    response = personas.anonymous().web.get("/guide/filing/edit")
    assert response.status_code == 302
    assert "/login" in response["Location"]


# --- the site footer -------------------------------------------------------------------------


def test_footer_defaults_say_what_must_be_set(monkeypatch):
    monkeypatch.delenv("SKILLCERT_SITE_ICP", raising=False)
    values = site_settings()
    assert values["sponsor"] == "安徽省人力资源和社会保障厅"
    assert "待设置" in values["icp_record"]
    assert values["icp_record_set"] is False


def test_footer_defaults_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SKILLCERT_SITE_ICP", "皖ICP备12345678号-1")
    values = site_settings()
    assert values["icp_record"] == "皖ICP备12345678号-1"
    assert values["icp_record_set"] is True


def test_footer_is_one_cached_read_and_a_save_resets_it(django_assert_num_queries):
    site_settings()
    with django_assert_num_queries(0):
        site_settings()
    admin = personas.province_officer("system_admin")
    update_site_settings(
        {"sponsor": "某省人社厅", "police_record": "皖公网安备 34010402000123号"},
        actor=admin.user,
    )
    values = site_settings()
    assert values["sponsor"] == "某省人社厅"
    assert values["police_code"] == "34010402000123"
    entry = AuditEntry.objects.filter(action="reference.site_settings_updated").latest("seq")
    assert entry.actor_id == admin.user.pk
    assert "某省人社厅" in str(entry.after)


def test_bad_site_values_change_nothing():
    admin = personas.province_officer("system_admin")
    before = AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as refused:
        update_site_settings({"site_code": "12"}, actor=admin.user)
    assert "site_code" in refused.value.fields
    with pytest.raises(InvalidInput):
        update_site_settings({"police_record": "皖公网安备"}, actor=admin.user)
    assert AuditEntry.objects.count() == before
    assert not SiteSettings.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("system_admin", 302), ("province_dept", 403), ("security_admin", 403)],
)
def test_only_the_system_administrator_edits_the_footer(role, status):
    persona = personas.province_officer(role)
    response = persona.web.post(
        "/account/site", {"sponsor": "测试主办单位", "site_code": "3400000001"}
    )
    assert response.status_code == status
    assert SiteSettings.objects.filter(sponsor="测试主办单位").exists() is (status == 302)
