"""Writes on accounts: adding officers and organization users, changing roles, issuing API
tokens.

三员分立 (domain.md §11) is enforced here, not in views: accounts are managed by the system
administrator (or the installation's command line); the three administrator roles
(system, security, audit) are given only from the command line, to separate accounts (an
account never moves from one of them to another); nobody changes their own role; every
role given or changed leaves an audit entry.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction

from skillcert.accounts.models import Authority, User
from skillcert.accounts.roles import (
    ADMINISTRATOR_ROLES,
    PLANNED_ROLES,
    ROLE_AUTHORITY_KINDS,
    Role,
    role_from_input,
)
from skillcert.audit import service as audit
from skillcert.audit.service import Actor, signed_in
from skillcert.rules.errors import Forbidden, InvalidInput
from skillcert.rules.regions import ANHUI, RegionTable

PROVINCE_AUTHORITY_CODE = "00"
# Organization users register themselves (``registry.services.register_organization``).
ADDABLE_ROLES = frozenset(Role) - {Role.ORGANIZATION} - PLANNED_ROLES


def load_authorities(regions: RegionTable = ANHUI, *, actor: Actor) -> int:
    """Create or rename the province and city authorities from the region table (idempotent)."""
    rows = [(regions.channel_code, regions.province_name, "province", regions.province_division)]
    rows += [(city.code, city.name, "city", city.division) for city in regions.cities]
    changed: dict[str, dict[str, str]] = {}
    with transaction.atomic():
        for code, name, kind, division in rows:
            values = {"name": name, "kind": kind, "division": division}
            current = Authority.objects.filter(code=code).values("name", "kind", "division").first()
            if current != values:
                Authority.objects.update_or_create(code=code, defaults=values)
                changed[code] = values
        if changed:
            audit.record(
                actor=actor,
                action="accounts.authorities_loaded",
                object_type="accounts.authority",
                after=changed,
            )
    return len(rows)


def resolve_authority(code: str | None) -> Authority | None:
    """``province`` or a city code (``01`` …) to its authority; unknown codes are an error."""
    if code is None or code == "":
        return None
    key = PROVINCE_AUTHORITY_CODE if code.strip().lower() == "province" else code.strip()
    try:
        return Authority.objects.get(code=key)
    except Authority.DoesNotExist:
        raise InvalidInput.for_field(
            "authority", f"未知的部门代码 {code!r}：应为 province 或地市代码（如 01）"
        ) from None


def check_username(username: str) -> str:
    username = (username or "").strip()
    if not username:
        raise InvalidInput.for_field("username", "请填写用户名")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise InvalidInput.for_field(
            "username", "用户名只能包含字母、数字和 @/./+/-/_ 字符"
        ) from None
    if len(username) > 150:
        raise InvalidInput.for_field("username", "用户名不能超过 150 个字符")
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput.for_field("username", f"用户名 {username} 已被使用")
    return username


def check_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password or "", user)
    except ValidationError as exc:
        raise InvalidInput("密码不符合要求", fields={"password": list(exc.messages)}) from None


NAME_LENGTH = 60  # 姓名 and 部门 (User.display_name, User.department)


def check_names(display_name: str, department: str) -> tuple[str, str]:
    """姓名 and 部门, stripped; each at most 60 characters."""
    name = (display_name or "").strip()
    unit = (department or "").strip()
    errors: dict[str, list[str]] = {}
    if len(name) > NAME_LENGTH:
        errors["display_name"] = [f"姓名不能超过 {NAME_LENGTH} 个字符"]
    if len(unit) > NAME_LENGTH:
        errors["department"] = [f"部门不能超过 {NAME_LENGTH} 个字符"]
    if errors:
        raise InvalidInput("姓名或部门有误", fields=errors)
    return name, unit


def parse_role(role: str, allowed: frozenset[Role] = frozenset(Role)) -> Role:
    """The role ``role`` names; ``admin`` is accepted as the alias of ``system_admin``."""
    chosen = role_from_input(role)
    if chosen is None or chosen not in allowed:
        names = "、".join(r.value for r in Role if r in allowed)
        raise InvalidInput.for_field("role", f"未知的角色 {role!r}：应为 {names}")
    return chosen


def add_user(
    username: str,
    *,
    password: str,
    role: str,
    authority: str | None = None,
    display_name: str = "",
    department: str = "",
    actor: Actor,
) -> User:
    """Add an officer, inspector or administrator, with the person's name and department
    (shown on pages and in histories as ``部门 姓名``).

    Enforces: a known role; the authority kind the role needs (city roles a city, province
    roles the province, inspectors either); a free username; Django's password rules.
    Organization users are created by ``registry.services.register_organization`` instead.
    """
    chosen = parse_role(role, ADDABLE_ROLES)
    check_may_manage_accounts(actor, chosen)
    display_name, department = check_names(display_name, department)
    place = authority_for_role(chosen, authority)
    with transaction.atomic():
        username = check_username(username)
        user = User(
            username=username,
            role=chosen,
            authority=place,
            display_name=display_name,
            department=department,
        )
        check_password(password, user)
        user.set_password(password)
        user.save()
        audit.record(
            actor=actor,
            action="accounts.user_added",
            obj=user,
            after=audit.snapshot(
                user, ["username", "role", "authority", "display_name", "department"]
            ),
        )
    return user


def authority_for_role(chosen: Role, authority: str | None) -> Authority | None:
    """The authority an account of role ``chosen`` belongs to: ``authority`` (a code or
    ``province``), of the kind the role needs; the administrators default to the province."""
    place = resolve_authority(authority)
    if place is None:
        if chosen in ADMINISTRATOR_ROLES:
            place = resolve_authority("province")
        else:
            raise InvalidInput.for_field("authority", f"角色「{chosen.label}」必须指定所属部门")
    if place is not None and place.kind not in ROLE_AUTHORITY_KINDS[chosen]:
        raise InvalidInput.for_field(
            "authority", f"角色「{chosen.label}」不能属于{place.name}（{place.get_kind_display()}）"
        )
    return place


def check_may_manage_accounts(actor: Actor, *roles: str) -> None:
    """Who may add accounts or change roles (三员分立): the system administrator, for every
    role but the three administrators'; those are given only from the command line (the
    installation's operator, recorded as ``cli:<name>``) or by the system itself (setup,
    demo). Anyone else signed in is refused."""
    if not signed_in(actor):
        return
    if actor.role != Role.SYSTEM_ADMIN:
        raise Forbidden("只有系统管理员可以管理用户账户和角色", code="forbidden")
    if any(role in ADMINISTRATOR_ROLES for role in roles):
        raise Forbidden(
            "系统管理员、安全管理员、审计管理员（三员）账户只能由系统部署人员通过命令行设置",
            code="forbidden",
        )


def change_role(user: User, *, role: str, authority: str | None = None, actor: Actor) -> User:
    """Give ``user`` another role (and, when the new role needs it, another authority).

    Enforces 三员分立: nobody changes their own role; only the system administrator (or the
    command line) changes roles, and the administrator roles only from the command line; an
    account holding one of the three administrator roles never takes another of them (the
    three are separate accounts); organization accounts stay bound to their organization.
    Every change leaves an ``accounts.role_changed`` entry with the role before and after.
    """
    chosen = parse_role(role, ADDABLE_ROLES)
    if signed_in(actor) and actor.pk == user.pk:
        raise Forbidden("不能变更自己的角色", code="own_role")
    check_may_manage_accounts(actor, chosen, user.role)
    if user.role == Role.ORGANIZATION:
        raise InvalidInput.for_field("role", "评价组织账户绑定其评价组织，不能改为其他角色")
    if user.role in ADMINISTRATOR_ROLES and chosen in ADMINISTRATOR_ROLES and chosen != user.role:
        raise InvalidInput.for_field(
            "role",
            f"三员须由不同账户担任：{Role(user.role).label}账户不能改为{chosen.label}，"
            "请另行添加账户",
        )
    place = authority_for_role(chosen, authority if authority else _authority_code(user))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.role == chosen and locked.authority_id == (place.pk if place else None):
            raise InvalidInput.for_field("role", f"该账户已是{chosen.label}，无需变更")
        before = audit.snapshot(locked, ["role", "authority"])
        locked.role, locked.authority = chosen, place
        locked.save(update_fields=["role", "authority"])
        audit.record(
            actor=actor,
            action="accounts.role_changed",
            obj=locked,
            before=before,
            after=audit.snapshot(locked, ["role", "authority"]),
        )
    user.role, user.authority = locked.role, locked.authority
    return user


def _authority_code(user: User) -> str | None:
    """The user's current authority as ``resolve_authority`` reads it (None when none)."""
    return user.authority.code if user.authority_id and user.authority else None


def check_may_set_names(user: User, actor: Actor) -> None:
    """Who may change an account's 姓名 and 部门: its holder, and the system administrator
    (account management); the command line and the system itself. Anyone else: 403."""
    if not signed_in(actor) or actor.pk == user.pk:
        return
    if actor.role != Role.SYSTEM_ADMIN:
        raise Forbidden("只能修改本人的姓名和部门", code="forbidden")


def set_user_names(user: User, *, display_name: str, department: str, actor: Actor) -> User:
    """Record the person behind an account: 姓名 and 部门 (e.g. an organization's contact),
    by its holder or the system administrator (``check_may_set_names``)."""
    check_may_set_names(user, actor)
    display_name, department = check_names(display_name, department)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = audit.snapshot(locked, ["display_name", "department"])
        locked.display_name, locked.department = display_name, department
        locked.save(update_fields=["display_name", "department"])
        audit.record(
            actor=actor,
            action="accounts.user_names_set",
            obj=locked,
            before=before,
            after=audit.snapshot(locked, ["display_name", "department"]),
        )
    user.display_name, user.department = display_name, department
    return user


def create_organization_user(username: str, *, password: str, actor: Actor) -> User:
    """The user an organization registers with (called inside the registration's transaction)."""
    username = check_username(username)
    user = User(username=username, role=Role.ORGANIZATION)
    check_password(password, user)
    user.set_password(password)
    user.save()
    audit.record(
        actor=actor,
        action="accounts.user_added",
        obj=user,
        after=audit.snapshot(user, ["username", "role"]),
    )
    return user


def issue_token(user: User) -> tuple[str, Any]:
    """A new Bearer token and its expiry; only the token's hash is stored (django-rest-knox)."""
    from knox.models import AuthToken

    with transaction.atomic():
        instance, token = AuthToken.objects.create(user)
        audit.record(
            actor=user,
            action="accounts.token_issued",
            obj=user,
            after={"token_key": instance.token_key, "expiry": instance.expiry},
        )
    return token, instance.expiry
