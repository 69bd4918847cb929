"""Roles, and which kind of authority each role belongs to (domain.md section 1)."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    ORGANIZATION = "organization", "评价组织"
    CITY_BUREAU = "city_bureau", "市人社局"
    CITY_CENTER = "city_center", "市鉴定中心"
    PROVINCE_DEPT = "province_dept", "省人社厅"
    PROVINCE_CENTER = "province_center", "省鉴定中心"
    INSPECTOR = "inspector", "督查员"
    # 三员分立 (domain.md §11): the system administrator (accounts, reference data; what the
    # single ``admin`` role was), the security administrator (locks, policies, keys) and the
    # audit administrator (reads, verifies and exports the audit record, changes nothing);
    # a certificate holder signs in to see their own certificates (domain.md §10).
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"
    HOLDER = "holder", "持证人"


# Names still accepted where a role is given as input (API, commands), answered as the role
# they stand for: ``admin`` was the system administrator's role before 三员分立. No stored
# value (migration accounts 0004 turned every stored ``admin`` into ``system_admin``).
ROLE_ALIASES: dict[str, Role] = {"admin": Role.SYSTEM_ADMIN}

# The three administrators (三员): separate accounts, one of these roles each.
ADMINISTRATOR_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


def role_from_input(value: str) -> Role | None:
    """The role named by ``value`` (a role's value or an alias such as ``admin``), or None."""
    key = (value or "").strip()
    if key in ROLE_ALIASES:
        return ROLE_ALIASES[key]
    try:
        return Role(key)
    except ValueError:
        return None


class AuthorityKind(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"


# The kinds of authority a role may belong to; an empty set means "no authority".
ROLE_AUTHORITY_KINDS: dict[str, frozenset[str]] = {
    Role.ORGANIZATION: frozenset(),
    Role.CITY_BUREAU: frozenset({AuthorityKind.CITY}),
    Role.CITY_CENTER: frozenset({AuthorityKind.CITY}),
    Role.PROVINCE_DEPT: frozenset({AuthorityKind.PROVINCE}),
    Role.PROVINCE_CENTER: frozenset({AuthorityKind.PROVINCE}),
    Role.INSPECTOR: frozenset({AuthorityKind.CITY, AuthorityKind.PROVINCE}),
    Role.SYSTEM_ADMIN: frozenset({AuthorityKind.PROVINCE}),
    Role.SECURITY_ADMIN: frozenset({AuthorityKind.PROVINCE}),
    Role.AUDIT_ADMIN: frozenset({AuthorityKind.PROVINCE}),
    Role.HOLDER: frozenset(),
}

# domain.md §10 is planned: a certificate holder's account cannot be made yet (the role exists
# so that the contract's role list is whole and nothing is designed out).
PLANNED_ROLES = frozenset({Role.HOLDER})

OFFICER_ROLES = frozenset(
    {
        Role.CITY_BUREAU,
        Role.CITY_CENTER,
        Role.PROVINCE_DEPT,
        Role.PROVINCE_CENTER,
        Role.SYSTEM_ADMIN,
    }
)
PROVINCE_ROLES = frozenset({Role.PROVINCE_DEPT, Role.PROVINCE_CENTER, Role.SYSTEM_ADMIN})
CITY_ROLES = frozenset({Role.CITY_BUREAU, Role.CITY_CENTER})
