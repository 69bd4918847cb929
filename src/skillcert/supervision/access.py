"""Who may draw, inspect, publish and read what in supervision."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from skillcert.accounts.actors import is_signed_in
from skillcert.accounts.models import Authority, User
from skillcert.accounts.roles import Role
from skillcert.audit.service import Actor
from skillcert.registry.access import organization_of
from skillcert.rules.errors import Forbidden, NotFound
from skillcert.supervision.models import Inspection, InspectionState

if TYPE_CHECKING:  # not importable before the app registry is ready
    from django.contrib.auth.models import AnonymousUser

DRAWING_ROLES = {Role.CITY_BUREAU, Role.CITY_CENTER, Role.PROVINCE_DEPT, Role.PROVINCE_CENTER}
DECIDING_ROLES = {Role.CITY_BUREAU, Role.PROVINCE_DEPT}


def officer_authority(user: Actor | None, *, deciding: bool = False) -> Authority:
    """The authority an officer acts for; 403 for anyone else (and for an officer's account
    that names no authority, which the account forms do not allow)."""
    roles = DECIDING_ROLES if deciding else DRAWING_ROLES
    if not is_signed_in(user) or user.role not in roles or user.authority is None:
        raise Forbidden("只有人社部门或鉴定中心工作人员可以办理", code="forbidden")
    return user.authority


def inspections_for(user: Actor | None) -> QuerySet[Inspection]:
    """Inspections a user may read: assigned ones for inspectors; its authority's (or, for the
    province, all) for officers; its own, once concluded, for an organization."""
    everything = Inspection.objects.all()
    if not is_signed_in(user):
        return everything.none()
    if user.role == Role.INSPECTOR:
        return everything.filter(inspectors=user)
    if user.role in {Role.PROVINCE_DEPT, Role.PROVINCE_CENTER, Role.SYSTEM_ADMIN}:
        return everything
    if user.role in {Role.CITY_BUREAU, Role.CITY_CENTER}:
        return everything.filter(
            Q(authority_id=user.authority_id)
            | Q(organization__filing_authority_id=user.authority_id)
        )
    own = organization_of(user)
    if own is None:
        return everything.none()
    # Its own once concluded: a drawn target is not told of the inspection in advance, nor of
    # one its withdrawn plan ended (the pages show the same).
    return everything.filter(
        organization=own, state__in=(InspectionState.CONCLUDED, InspectionState.PUBLISHED)
    )


def get_inspection_for_user(user: User | AnonymousUser, pk: int) -> Inspection:
    inspection = inspections_for(user).filter(pk=pk).distinct().first()
    if inspection is None:
        raise NotFound("未找到该检查", code="not_found")
    return inspection


def is_assigned(user: Actor | None, inspection: Inspection) -> bool:
    pk = getattr(user, "pk", None)  # None: not signed in, assigned to nothing
    return pk is not None and inspection.inspectors.filter(pk=pk).exists()


def may_publish(user: Actor | None, inspection: Inspection) -> bool:
    """The officers of the authority that drew it (the bureau/center), or the province."""
    if not is_signed_in(user):
        return False
    if user.role in {Role.PROVINCE_DEPT, Role.PROVINCE_CENTER}:
        return True
    return (
        user.role in {Role.CITY_BUREAU, Role.CITY_CENTER}
        and user.authority_id == inspection.authority_id
    )
