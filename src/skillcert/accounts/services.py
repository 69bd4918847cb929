"""Writes on accounts: adding officers and organization users, issuing API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction

from skillcert.accounts.models import Authority, User
from skillcert.accounts.roles import ROLE_AUTHORITY_KINDS, Role
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.rules.errors import InvalidInput
from skillcert.rules.regions import ANHUI, RegionTable

PROVINCE_AUTHORITY_CODE = "00"
# Organization users register themselves (``registry.services.register_organization``).
ADDABLE_ROLES = frozenset(Role) - {Role.ORGANIZATION}


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
    try:
        chosen = Role(role)
    except ValueError:
        chosen = None
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
    display_name, department = check_names(display_name, department)
    place = resolve_authority(authority)
    allowed_kinds = ROLE_AUTHORITY_KINDS[chosen]
    if place is None:
        if chosen == Role.ADMIN:
            place = resolve_authority("province")
        else:
            raise InvalidInput.for_field("authority", f"角色「{chosen.label}」必须指定所属部门")
    if place is not None and place.kind not in allowed_kinds:
        raise InvalidInput.for_field(
            "authority", f"角色「{chosen.label}」不能属于{place.name}（{place.get_kind_display()}）"
        )
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


def set_user_names(user: User, *, display_name: str, department: str, actor: Actor) -> User:
    """Record the person behind an account: 姓名 and 部门 (e.g. an organization's contact)."""
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
