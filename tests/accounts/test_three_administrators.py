"""三员分立 (domain.md §11): the system, security and audit administrators are separate
accounts; nobody changes their own role; only the system administrator manages accounts,
and the administrator roles are set only from the command line; every role change is
recorded; ``admin`` stays accepted as the alias of ``system_admin``."""

from __future__ import annotations

import importlib
from itertools import permutations

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from skillcert.accounts.models import User
from skillcert.accounts.roles import ADMINISTRATOR_ROLES, Role, role_from_input
from skillcert.accounts.services import add_user, change_role
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM, command_line_actor
from skillcert.rules.errors import Forbidden, InvalidInput

PASSWORD = "Officer-pass-2026"
ALL_ROLES = [r.value for r in Role if r not in {Role.ORGANIZATION, Role.HOLDER}]
AUTHORITY = {"city_bureau": "01", "city_center": "01", "inspector": "01"}


def person(username: str, role: str) -> User:
    return add_user(
        username,
        password=PASSWORD,
        role=role,
        authority=AUTHORITY.get(role, "province"),
        actor=SYSTEM,
    )


def test_admin_is_no_stored_choice_but_an_accepted_alias():
    assert "admin" not in Role.values
    assert Role.SYSTEM_ADMIN.value == "system_admin"
    assert Role.SYSTEM_ADMIN.label == "系统管理员"
    assert role_from_input("admin") is Role.SYSTEM_ADMIN
    assert role_from_input(" system_admin ") is Role.SYSTEM_ADMIN
    assert role_from_input("superuser") is None


def test_adding_with_the_alias_stores_system_admin(authorities):
    user = add_user("chen", password=PASSWORD, role="admin", actor=SYSTEM)
    assert user.role == "system_admin"
    user.refresh_from_db()
    assert user.role == Role.SYSTEM_ADMIN
    assert user.authority is not None and user.authority.is_province


def test_migration_turns_stored_admin_into_system_admin(authorities):
    old = person("old_admin", "system_admin")
    other = person("dept", "province_dept")
    User.objects.filter(pk=old.pk).update(role="admin")  # as stored before 三员分立
    migration = importlib.import_module("skillcert.accounts.migrations.0004_system_admin_role")
    migration.admin_to_system_admin(apps, None)
    old.refresh_from_db()
    other.refresh_from_db()
    assert old.role == "system_admin"
    assert other.role == "province_dept"
    assert not User.objects.filter(role="admin").exists()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_nobody_changes_their_own_role(authorities, role):
    user = person("me", role)
    entries = AuditEntry.objects.count()
    target = "city_center" if role != "city_center" else "city_bureau"
    with pytest.raises(Forbidden) as info:
        change_role(user, role=target, authority="01", actor=user)
    assert info.value.message == "不能变更自己的角色"
    user.refresh_from_db()
    assert user.role == role
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if r != "system_admin"])
def test_only_the_system_administrator_manages_accounts(authorities, role):
    actor = person("actor", role)
    target = person("target", "city_bureau")
    entries = AuditEntry.objects.count()
    with pytest.raises(Forbidden) as info:
        change_role(target, role="city_center", actor=actor)
    assert "只有系统管理员" in info.value.message
    with pytest.raises(Forbidden):
        add_user("new1", password=PASSWORD, role="city_center", authority="01", actor=actor)
    target.refresh_from_db()
    assert target.role == "city_bureau"
    assert not User.objects.filter(username="new1").exists()
    assert AuditEntry.objects.count() == entries


def test_system_administrator_changes_an_officer_s_role_recorded(authorities):
    admin = person("sys", "system_admin")
    target = person("target", "city_bureau")
    change_role(target, role="city_center", actor=admin)
    target.refresh_from_db()
    assert target.role == "city_center"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "accounts.role_changed"
    assert entry.actor_id == admin.pk and entry.actor_role == "system_admin"
    assert entry.object_id == str(target.pk)
    assert '"role":"city_bureau"' in entry.before
    assert '"role":"city_center"' in entry.after


def test_system_administrator_adds_officers_recorded(authorities):
    admin = person("sys", "system_admin")
    user = add_user("hf2", password=PASSWORD, role="city_center", authority="01", actor=admin)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "accounts.user_added" and entry.actor_id == admin.pk
    assert entry.object_id == str(user.pk)


@pytest.mark.parametrize("role", sorted(ADMINISTRATOR_ROLES))
def test_system_administrator_cannot_give_or_take_administrator_roles(authorities, role):
    admin = person("sys", "system_admin")
    officer = person("dept", "province_dept")
    holder = person("holder", role) if role != "system_admin" else person("sys2", role)
    entries = AuditEntry.objects.count()
    with pytest.raises(Forbidden) as info:
        change_role(officer, role=role, actor=admin)
    assert "命令行" in info.value.message
    with pytest.raises(Forbidden):
        change_role(holder, role="province_dept", actor=admin)
    with pytest.raises(Forbidden):
        add_user("adm2", password=PASSWORD, role=role, actor=admin)
    officer.refresh_from_db()
    holder.refresh_from_db()
    assert (officer.role, holder.role) == ("province_dept", role)
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize(("source", "target"), permutations(sorted(ADMINISTRATOR_ROLES), 2))
def test_one_account_never_holds_two_administrator_roles(authorities, source, target):
    account = person("adm", source)
    entries = AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as info:
        change_role(account, role=target, actor=command_line_actor())
    assert "三员须由不同账户担任" in info.value.message
    account.refresh_from_db()
    assert account.role == source
    assert AuditEntry.objects.count() == entries


def test_command_line_sets_an_administrator_role_recorded(authorities):
    account = person("li", "province_dept")
    change_role(account, role="audit_admin", actor=command_line_actor())
    account.refresh_from_db()
    assert account.role == "audit_admin"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "accounts.role_changed"
    assert entry.actor.startswith("cli:")


def test_organization_accounts_keep_their_role(authorities, org_user):
    admin = person("sys", "system_admin")
    with pytest.raises(InvalidInput) as info:
        change_role(org_user, role="city_bureau", authority="01", actor=admin)
    assert "评价组织账户" in info.value.message
    org_user.refresh_from_db()
    assert org_user.role == "organization"


def test_unchanged_role_is_refused(authorities):
    admin = person("sys", "system_admin")
    target = person("target", "city_bureau")
    with pytest.raises(InvalidInput) as info:
        change_role(target, role="city_bureau", actor=admin)
    assert "无需变更" in info.value.message


def test_user_role_command_accepts_the_alias(authorities, capsys):
    person("zhao", "province_dept")
    call_command("user", "role", "zhao", "--role", "admin")
    assert User.objects.get(username="zhao").role == "system_admin"
    assert "系统管理员" in capsys.readouterr().out


def test_user_role_command_refuses_in_chinese(authorities):
    person("qian", "security_admin")
    with pytest.raises(CommandError, match="三员须由不同账户担任"):
        call_command("user", "role", "qian", "--role", "audit_admin")
    with pytest.raises(CommandError, match="不存在"):
        call_command("user", "role", "nobody", "--role", "city_bureau")
    assert User.objects.get(username="qian").role == "security_admin"
