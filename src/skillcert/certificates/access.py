"""Who may read and act on which certificate: the issuer, its city, the province."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from skillcert.accounts.roles import Role
from skillcert.certificates.models import Certificate
from skillcert.registry.access import organization_of
from skillcert.rules.errors import NotFound

CITY_OFFICERS = {Role.CITY_BUREAU, Role.CITY_CENTER}
PROVINCE_OFFICERS = {Role.PROVINCE_DEPT, Role.PROVINCE_CENTER, Role.ADMIN}


def certificates_for(user: Any) -> QuerySet[Certificate]:
    """Full records: the issuing organization's; its city's officers'; the province's."""
    everything = Certificate.objects.all()
    if not getattr(user, "is_authenticated", False):
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


def get_certificate_for_user(user: Any, number: str) -> Certificate:
    certificate = (
        certificates_for(user)
        .select_related("organization", "batch", "candidate", "superseded_by")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if certificate is None:
        raise NotFound("未找到该证书", code="not_found")
    return certificate


def is_issuer(user: Any, certificate: Certificate) -> bool:
    own = organization_of(user)
    return own is not None and own.pk == certificate.organization_id


def may_revoke(user: Any, certificate: Certificate) -> bool:
    """The issuer, or an officer over it (its city's bureau or center, the province)."""
    return is_issuer(user, certificate) or (
        getattr(user, "role", None) in CITY_OFFICERS | PROVINCE_OFFICERS
        and certificates_for(user).filter(pk=certificate.pk).exists()
    )
