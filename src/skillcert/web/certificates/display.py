"""What the batch page shows about the batch's certificates: counts, photos, printing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from skillcert.certificates.models import CertificateStatus

if TYPE_CHECKING:
    from skillcert.accounts.models import User
    from skillcert.registry.models import Organization


def dashboard_card(user: User, organization: Organization | None) -> dict[str, Any] | None:
    """The workbench's 证书 card: counts and the links the user has."""
    from skillcert.accounts.roles import Role
    from skillcert.certificates import national
    from skillcert.certificates.access import PROVINCE_OFFICERS, certificates_for
    from skillcert.certificates.counts import status_counts as cached_status_counts
    from skillcert.formal import seals as authority_seals
    from skillcert.formal.models import SealState as AuthoritySealState
    from skillcert.registry.models import SealState
    from skillcert.registry.services.seals import current_seal
    from skillcert.supervision.selectors import certificate_totals
    from skillcert.web.registry.seals import decides_seals, seals_for_decision

    if organization is None and (
        not getattr(user, "is_authenticated", False) or user.role == Role.INSPECTOR
    ):
        return None
    counts = {status: 0 for status in CertificateStatus.values}
    if organization is None and user.role in PROVINCE_OFFICERS:
        # The whole province: from the statistics summary, not a count of every certificate.
        counts.update(certificate_totals())
    else:
        # A city's or an organization's: counted once, then cached until a certificate
        # changes (the same figures as the list's status tabs).
        counts.update(cached_status_counts(certificates_for(user)))
    card: dict[str, Any] = {"counts": counts}
    if organization is not None:
        card["seal_confirmed"] = current_seal(organization) is not None
        card["seal_pending"] = organization.seals.filter(state=SealState.PENDING).exists()
        return card
    card["decides_seals"] = decides_seals(user)
    if card["decides_seals"]:
        card["seals_pending"] = seals_for_decision(user).filter(state=SealState.PENDING).count()
    if authority_seals.decides_seals(user):  # the authorities' own seals (机关印章)
        card["authority_seals_pending"] = (
            authority_seals.seals_for(user)
            .filter(state=AuthoritySealState.PENDING)
            .exclude(uploaded_by=user)
            .count()
        )
    card["reports"] = user.role in national.PROVINCE_REPORTERS or user.role == Role.CITY_CENTER
    if card["reports"]:
        card["unsent"] = national.unsent(user).count()
    return card
