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
    ADMIN = "admin", "系统管理员"
    # 三员分立 (domain.md §11): the security and the audit administrator beside the system one;
    # a certificate holder signs in to see their own certificates (domain.md §10).
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"
    HOLDER = "holder", "持证人"


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
    Role.ADMIN: frozenset({AuthorityKind.PROVINCE}),
    Role.SECURITY_ADMIN: frozenset({AuthorityKind.PROVINCE}),
    Role.AUDIT_ADMIN: frozenset({AuthorityKind.PROVINCE}),
    Role.HOLDER: frozenset(),
}

OFFICER_ROLES = frozenset(
    {Role.CITY_BUREAU, Role.CITY_CENTER, Role.PROVINCE_DEPT, Role.PROVINCE_CENTER, Role.ADMIN}
)
PROVINCE_ROLES = frozenset({Role.PROVINCE_DEPT, Role.PROVINCE_CENTER, Role.ADMIN})
CITY_ROLES = frozenset({Role.CITY_BUREAU, Role.CITY_CENTER})
