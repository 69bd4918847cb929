"""Who may read and act on which certificate: the issuer, its city, the province."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from skillcert.accounts.actors import is_signed_in
from skillcert.accounts.models import User
from skillcert.accounts.roles import Role
from skillcert.audit.service import Actor
from skillcert.certificates.models import Certificate, SegmentRequest
from skillcert.registry.access import organization_of
from skillcert.rules.errors import NotFound

if TYPE_CHECKING:  # not importable before the app registry is ready
    from django.contrib.auth.models import AnonymousUser

CITY_OFFICERS = {Role.CITY_BUREAU, Role.CITY_CENTER}
PROVINCE_OFFICERS = {Role.PROVINCE_DEPT, Role.PROVINCE_CENTER, Role.SYSTEM_ADMIN}


def certificates_for(user: Actor | None) -> QuerySet[Certificate]:
    """Full records: the issuing organization's; its city's officers'; the province's."""
    everything = Certificate.objects.all()
    if not is_signed_in(user):
        return everything.none()
    own = organization_of(user)
    if own is not None:
        return everything.filter(organization=own)
    if user.role in PROVINCE_OFFICERS:
        return everything
    if user.role in CITY_OFFICERS:
        city = user.authority_id
        return everything.filter(
            Q(organization__filing_authority_id=city) | Q(organization__home_city_id=city)
        )
    return everything.none()


def get_certificate_for_user(user: User | AnonymousUser, number: str) -> Certificate:
    certificate = (
        certificates_for(user)
        .select_related("organization", "batch", "candidate", "superseded_by")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if certificate is None:
        raise NotFound("未找到该证书", code="not_found")
    return certificate


def is_issuer(user: Actor | None, certificate: Certificate) -> bool:
    own = organization_of(user)
    return own is not None and own.pk == certificate.organization_id


def oversees(user: Actor | None, certificate: Certificate) -> bool:
    """An officer over the issuer: the province's, or the bureau or center of the city that
    filed it or that it is based in (``certificates_for``'s rule, on the loaded record)."""
    if not is_signed_in(user):
        return False
    if user.role in PROVINCE_OFFICERS:
        return True
    if user.role not in CITY_OFFICERS or user.authority_id is None:
        return False
    organization = certificate.organization
    return user.authority_id in {organization.filing_authority_id, organization.home_city_id}


def segment_requests_for(user: Actor | None) -> QuerySet[SegmentRequest]:
    """Segment requests: an organization's own; the province's officers see every one."""
    everything = SegmentRequest.objects.select_related("organization", "segment")
    if not is_signed_in(user):
        return everything.none()
    if user.role in PROVINCE_OFFICERS:
        return everything
    own = organization_of(user)
    return everything.filter(organization=own) if own else everything.none()


def get_segment_request_for_user(user: User | AnonymousUser, pk: int) -> SegmentRequest:
    request = segment_requests_for(user).filter(pk=pk).first()
    if request is None:
        raise NotFound("未找到该号段申请", code="not_found")
    return request
