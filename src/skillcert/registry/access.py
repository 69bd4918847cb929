"""Who may see and change which organization. Every view and list goes through here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from skillcert.accounts.roles import CITY_ROLES, PROVINCE_ROLES, Role
from skillcert.registry.models import Organization
from skillcert.rules.errors import NotFound


def organization_of(user: Any) -> Organization | None:
    """The organization an organization user acts for (None for everyone else)."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.ORGANIZATION:
        return None
    membership = getattr(user, "membership", None)
    return membership.organization if membership else None


def organizations_for(user: Any) -> QuerySet[Organization]:
    """The organizations a user may read: its own; its city's; all for the province."""
    everything = Organization.objects.all()
    if not getattr(user, "is_authenticated", False):
        return everything.none()
    if user.role in PROVINCE_ROLES:
        return everything
    if user.role in CITY_ROLES or (user.role == Role.INSPECTOR and user.authority_id):
        if user.authority and user.authority.is_province:
            return everything
        return everything.filter(home_city_id=user.authority_id)
    if user.role == Role.ORGANIZATION:
        own = organization_of(user)
        return everything.filter(pk=own.pk) if own else everything.none()
    return everything.none()


@dataclass(frozen=True)
class OrganizationAccess:
    organization: Organization
    can_write: bool


def get_organization_for_user(user: Any, pk: int) -> OrganizationAccess:
    """The organization if the user may read it, and whether they may change it; else 404."""
    organization = organizations_for(user).filter(pk=pk).first()
    if organization is None:
        raise NotFound("未找到该评价组织", code="not_found")
    own = organization_of(user)
    can_write = (own is not None and own.pk == organization.pk) or user.role in {
        Role.CITY_BUREAU,
        Role.PROVINCE_DEPT,
        Role.ADMIN,
    }
    return OrganizationAccess(organization, can_write)
