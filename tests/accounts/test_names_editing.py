"""姓名 and 部门 (issue 14): each user edits their own (the account page, ``PATCH
/api/v1/me``), the system administrator anyone's (account management, ``PATCH
/api/v1/users/{id}``), nobody else another's; histories show ``姓名（部门）`` instead of the
login name, without rewriting what they stored; the account page links to the password change."""

from __future__ import annotations

import pytest
from django.test import Client

from skillcert.accounts.display import person_label, person_labels
from skillcert.accounts.models import User
from skillcert.accounts.services import set_user_names
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM
from skillcert.rules.errors import Forbidden
from skillcert.workflow.models import StateChange

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def names(user) -> tuple[str, str]:
    fresh = User.objects.get(pk=user.pk)
    return fresh.display_name, fresh.department


def test_the_person_label_is_name_and_department_else_the_login(city_bureau):
    assert person_label(city_bureau) == "hf_bureau"
    set_user_names(city_bureau, display_name="张明", department="", actor=SYSTEM)
    assert person_label(city_bureau) == "张明"
    set_user_names(city_bureau, display_name="张明", department="审批科", actor=SYSTEM)
    assert person_label(city_bureau) == "张明（审批科）"


def test_an_organization_user_is_named_with_its_organization(org_user):
    set_user_names(org_user, display_name="李科长", department="合肥市人社局", actor=org_user)
    organization = org_user.membership.organization
    assert person_label(org_user) == f"李科长（{organization.name}）"
    assert person_labels([org_user.username]) == {
        org_user.username: f"李科长（{organization.name}）"
    }


def test_stored_names_are_shown_as_people_now(city_bureau, city_center, org_user):
    set_user_names(city_bureau, display_name="张明", department="合肥市人社局", actor=SYSTEM)
    assert person_labels(
        ["hf_bureau", "合肥市人社局 张明", "hf_center", "公众", "合肥测试培训学校"]
    ) == {
        "hf_bureau": "张明（合肥市人社局）",
        "合肥市人社局 张明": "张明（合肥市人社局）",
        "hf_center": "hf_center",
    }


def test_a_user_changes_their_own_names_but_nobody_else_s(city_bureau, city_center, org_user):
    set_user_names(city_bureau, display_name="张明", department="审批科", actor=city_bureau)
    assert names(city_bureau) == ("张明", "审批科")
    for stranger in (city_center, org_user):
        with pytest.raises(Forbidden):
            set_user_names(city_bureau, display_name="冒名", department="", actor=stranger)
    assert names(city_bureau) == ("张明", "审批科")


def test_the_system_administrator_changes_anyone_s(city_bureau, admin_user):
    set_user_names(city_bureau, display_name="李华", department="办公室", actor=admin_user)
    assert names(city_bureau) == ("李华", "办公室")
    entry = AuditEntry.objects.filter(action="accounts.user_names_set").latest("seq")
    assert entry.actor_id == admin_user.pk and "李华" in str(entry.after)


def test_me_shows_and_edits_the_own_names(city_bureau, city_center, client_for):
    client = client_for(city_bureau)
    response = client.patch(
        "/api/v1/me", {"display_name": "张明", "department": "审批科"}, format="json"
    )
    assert response.status_code == 200, response.content
    data = client.get("/api/v1/me").json()
    assert (data["display_name"], data["department"], data["person_label"]) == (
        "张明",
        "审批科",
        "张明（审批科）",
    )
    # A field left out keeps its value; too long is 400 naming the field, and changes nothing.
    assert (
        client.patch("/api/v1/me", {"department": "办公室"}, format="json").json()["display_name"]
        == "张明"
    )
    refused = client.patch("/api/v1/me", {"display_name": "张" * 61}, format="json")
    assert refused.status_code == 400 and "display_name" in refused.json()["error"]["fields"]
    assert names(city_bureau) == ("张明", "办公室")
    assert names(city_center) == ("", "")


def test_only_the_system_administrator_edits_another_account_by_api(
    city_bureau, city_center, admin_user, client_for
):
    path = f"/api/v1/users/{city_bureau.pk}"
    for stranger in (city_center, city_bureau):
        response = client_for(stranger).patch(path, {"display_name": "冒名"}, format="json")
        assert response.status_code == 403
    assert (
        client_for(city_center).patch("/api/v1/users/999999", {}, format="json").status_code == 403
    )
    assert names(city_bureau) == ("", "")
    response = client_for(admin_user).patch(
        path, {"display_name": "李华", "department": "办公室"}, format="json"
    )
    assert response.status_code == 200 and response.json()["person_label"] == "李华（办公室）"
    assert (
        client_for(admin_user).patch("/api/v1/users/999999", {}, format="json").status_code == 404
    )


def test_the_account_page_edits_the_own_names_and_links_the_password(city_bureau):
    client = signed_in(city_bureau)
    page = client.get("/account").content.decode()
    assert 'href="/account/password"' in page and "hf_bureau" in page
    assert 'href="/account"' in client.get("/").content.decode()  # in the navigation
    response = client.post("/account", {"display_name": "张明", "department": "审批科"})
    assert response.status_code == 302 and names(city_bureau) == ("张明", "审批科")
    assert "张明（审批科）" in client.get("/account").content.decode()
    response = client.post("/account", {"display_name": "张" * 61, "department": ""})
    assert response.status_code == 400 and names(city_bureau) == ("张明", "审批科")


def test_account_management_pages_are_the_system_administrator_s(
    city_bureau, city_center, admin_user
):
    admin = signed_in(admin_user)
    listing = admin.get("/account/users", {"q": "hf_"}).content.decode()
    assert "hf_bureau" in listing and f'href="/account/users/{city_bureau.pk}"' in listing
    response = admin.post(
        f"/account/users/{city_bureau.pk}", {"display_name": "李华", "department": "办公室"}
    )
    assert response.status_code == 302 and names(city_bureau) == ("李华", "办公室")
    other = signed_in(city_center)
    assert other.get("/account/users").status_code == 403
    refused = other.post(f"/account/users/{city_bureau.pk}", {"display_name": "冒名"})
    assert refused.status_code == 403 and names(city_bureau) == ("李华", "办公室")


def test_histories_show_the_person_without_rewriting_the_stored_rows(
    occupation_catalog, org_user, organization, city_bureau, client_for, today
):
    from skillcert.registry.services import filings
    from tests.registry.factories import submitted_case

    today("2026-09-18")
    case = submitted_case(organization, org_user)
    filings.accept_filing(case, actor=city_bureau)  # stored under the login name
    stored = StateChange.objects.get(workflow="filing", object_id=case.pk, action="accept")
    assert stored.actor == "hf_bureau"
    set_user_names(city_bureau, display_name="张明", department="审批科", actor=SYSTEM)
    page = signed_in(city_bureau).get(f"/review/filings/{case.pk}").content.decode()
    assert "张明（审批科）" in page
    history = client_for(city_bureau).get(f"/api/v1/filings/{case.pk}").json()["history"]
    assert "张明（审批科）" in [row["actor"] for row in history]
    stored.refresh_from_db()
    assert stored.actor == "hf_bureau"  # the row is as written
    # The audit record keeps the names it stored.
    assert AuditEntry.objects.filter(actor="hf_bureau", actor_id=city_bureau.pk).exists()
