"""Writes on the registry of evaluation organizations."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from skillcert.accounts import services as accounts
from skillcert.accounts.models import Authority
from skillcert.audit import service as audit
from skillcert.registry.models import Membership, Organization
from skillcert.rules.credit_code import validate_credit_code
from skillcert.rules.errors import InvalidInput
from skillcert.rules.regions import ANHUI


def check_organization_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput.for_field("name", "请填写单位名称")
    if len(name) > 200:
        raise InvalidInput.for_field("name", "单位名称不能超过 200 个字符")
    return name


def home_city_for(credit_code: str) -> Authority | None:
    """The Anhui city whose division the credit code carries, if any."""
    city = ANHUI.city_for_division(validate_credit_code(credit_code).division)
    return Authority.objects.filter(code=city.code).first() if city else None


def register_organization(
    *, username: str, password: str, credit_code: str, name: str, actor: Any = None
) -> Organization:
    """An organization registers itself: a new organization record and its first user.

    Enforces: a valid unified social credit code (GB 32100 check character and the embedded
    GB 11714 organization code), one registration per credit code, a free username and
    Django's password rules. Registration does not file anything: the organization is
    ``applying`` until a filing case ends in ``filed``.
    """
    code = validate_credit_code(credit_code).code
    name = check_organization_name(name)
    actor = actor or audit.PUBLIC
    try:
        with transaction.atomic():
            if Organization.objects.filter(credit_code=code).exists():
                raise InvalidInput.for_field(
                    "credit_code", f"统一社会信用代码 {code} 已注册，请使用已有账户登录"
                )
            user = accounts.create_organization_user(username, password=password, actor=actor)
            organization = Organization.objects.create(
                name=name, credit_code=code, home_city=home_city_for(code)
            )
            Membership.objects.create(user=user, organization=organization)
            audit.record(
                actor=actor,
                action="registry.organization_registered",
                obj=organization,
                after={**audit.snapshot(organization), "user": user.username},
            )
    except IntegrityError:
        # Two registrations raced past the checks; the unique constraints kept one.
        raise InvalidInput("用户名或统一社会信用代码已被注册", code="duplicate") from None
    return organization
