"""Who may see and change which organization or filing case. Every view and list goes here.

One helper per object type: ``*_for(user)`` scopes a queryset, ``get_*_for_user`` returns one
object or raises 404 (absent and not-yours look the same), and the party helpers say what a
person may do with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from skillcert.accounts.actors import is_signed_in
from skillcert.accounts.models import User
from skillcert.accounts.roles import CITY_ROLES, OFFICER_ROLES, PROVINCE_ROLES, Role
from skillcert.audit.service import Actor
from skillcert.registry.models import (
    FILED_STATUSES,
    FilingCase,
    FilingMaterial,
    Organization,
    OrganizationSeal,
)
from skillcert.registry.workflow import Party
from skillcert.rules.errors import NotFound

if TYPE_CHECKING:  # not importable before the app registry is ready
    from django.contrib.auth.models import AnonymousUser

PROVINCE_CODE = "00"


def organization_of(user: Actor | None) -> Organization | None:
    """The organization an organization user acts for (None for everyone else)."""
    if not is_signed_in(user) or user.role != Role.ORGANIZATION:
        return None
    membership = getattr(user, "membership", None)
    return membership.organization if membership else None


def sees_full_phone(user: Actor | None, organization_id: int | None) -> bool:
    """Whether ``user`` sees an organization's phone numbers in full: its own members and the
    officers (``OFFICER_ROLES``); everyone else (inspectors, experts, the public) sees them
    masked (``rules.disclosure.mask_phone``, domain.md §11)."""
    if not is_signed_in(user):
        return False
    if user.role in OFFICER_ROLES:
        return True
    own = organization_of(user)
    return own is not None and organization_id is not None and own.pk == organization_id


def _city_of(user: User) -> int | None:
    """The authority id of a city officer or city inspector; None for everyone else."""
    if user.role in CITY_ROLES or user.role == Role.INSPECTOR:
        authority = user.authority
        if authority is not None and not authority.is_province:
            return authority.pk
    return None


def _sees_everything(user: User) -> bool:
    if user.role in PROVINCE_ROLES:
        return True
    return bool(user.role == Role.INSPECTOR and user.authority and user.authority.is_province)


# --- organizations ---------------------------------------------------------------------


def organizations_for(user: Actor | None) -> QuerySet[Organization]:
    """Organizations a user may read: its own; for a city, those registered, filed, serving
    (province-wide ones serve every city) or applying there; all for the province."""
    if not is_signed_in(user):
        return Organization.objects.none()
    catch_up_organizations()
    everything = Organization.objects.all()
    if _sees_everything(user):
        return everything
    city = _city_of(user)
    if city is not None:
        return everything.filter(
            Q(home_city_id=city)
            | Q(filing_authority_id=city)
            | Q(service_areas__city_id=city)
            | Q(filing_cases__authority_id=city)
            | Q(scope="province", status__in=FILED_STATUSES)
        ).distinct()
    own = organization_of(user)
    return everything.filter(pk=own.pk) if own else everything.none()


def catch_up_organizations() -> None:
    """Filings past their validity expire before anyone reads them (domain.md §8)."""
    from skillcert.registry.machines import ORGANIZATION_MACHINE  # binds access: imported late

    ORGANIZATION_MACHINE.catch_up_all()


def get_organization_for_user(user: User | AnonymousUser, pk: int) -> Organization:
    organization = organizations_for(user).filter(pk=pk).first()
    if organization is None:
        raise NotFound("未找到该评价组织", code="not_found")
    return organization


def decides_for_organization(user: Actor | None, organization: Organization) -> bool:
    """Pilot results, revocation: the bureau that filed it, or the province department."""
    if not is_signed_in(user):
        return False
    if user.role == Role.PROVINCE_DEPT:
        return True
    # Before its first filing an organization answers to the bureau of its home city.
    authority = organization.filing_authority or organization.home_city
    return (
        user.role == Role.CITY_BUREAU
        and authority is not None
        and not authority.is_province
        and user.authority_id == authority.pk
    )


# --- filing cases ----------------------------------------------------------------------


def filings_for(user: Actor | None) -> QuerySet[FilingCase]:
    """Cases a user may read: its organization's; filed with or about its city; all."""
    everything = FilingCase.objects.all()
    if not is_signed_in(user):
        return everything.none()
    if _sees_everything(user):
        return everything
    city = _city_of(user)
    if city is not None:
        return everything.filter(Q(authority_id=city) | Q(organization__home_city_id=city))
    own = organization_of(user)
    return everything.filter(organization=own) if own else everything.none()


def get_filing_for_user(user: User | AnonymousUser, pk: int, *, lock: bool = False) -> FilingCase:
    cases = filings_for(user).select_related("organization", "authority")
    if lock:
        cases = cases.select_for_update(of=("self",))
    case = cases.filter(pk=pk).first()
    if case is None:
        raise NotFound("未找到该备案申请", code="not_found")
    return case


def parties_for_case(user: Actor | None, case: FilingCase) -> frozenset[Party]:
    """The parties ``user`` is for ``case``: applicant, reviewer (decides), evaluator."""
    if not is_signed_in(user):
        return frozenset()
    parties: set[Party] = set()
    own = organization_of(user)
    if own is not None and own.pk == case.organization_id:
        parties.add(Party.APPLICANT)
    authority = case.authority
    if authority.is_province:
        if user.role == Role.PROVINCE_DEPT:
            parties.update({Party.REVIEWER, Party.EVALUATOR})
        elif user.role == Role.PROVINCE_CENTER:
            parties.add(Party.EVALUATOR)
    elif user.authority_id == authority.pk:
        if user.role == Role.CITY_BUREAU:
            parties.update({Party.REVIEWER, Party.EVALUATOR})
        elif user.role == Role.CITY_CENTER:
            parties.add(Party.EVALUATOR)
    return frozenset(parties)


def may_read_materials(user: User | AnonymousUser, case: FilingCase) -> bool:
    """Materials: the applicant, the officers handling the case, and the province."""
    if not is_signed_in(user):
        return False
    if user.role in {Role.PROVINCE_DEPT, Role.PROVINCE_CENTER, Role.SYSTEM_ADMIN}:
        return True
    return bool(parties_for_case(user, case))


def get_material_for_user(
    user: User | AnonymousUser, case_pk: int, material_pk: int
) -> FilingMaterial:
    case = get_filing_for_user(user, case_pk)
    material = case.materials.filter(pk=material_pk).first()
    if material is None or not may_read_materials(user, case):
        raise NotFound("未找到该材料", code="not_found")
    return material


def seals_for_decision(user: User | AnonymousUser) -> QuerySet[OrganizationSeal]:
    """Seals the user decides on (as ``registry.access.decides_for_organization``): all for
    the province department; for a city's bureau those of the organizations it filed (or,
    before their first filing, registered in its city)."""
    seals = OrganizationSeal.objects.select_related(
        "organization", "organization__filing_authority", "organization__home_city"
    )
    if not is_signed_in(user) or user.role not in {Role.PROVINCE_DEPT, Role.CITY_BUREAU}:
        return seals.none()
    if user.role == Role.PROVINCE_DEPT:
        return seals
    city = user.authority_id
    return seals.filter(
        Q(organization__filing_authority_id=city)
        | Q(organization__filing_authority__isnull=True, organization__home_city_id=city)
    )
