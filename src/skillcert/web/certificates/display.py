"""What the batch page shows about the batch's certificates: counts, photos, printing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count

from skillcert.certificates.models import CertificateStatus

if TYPE_CHECKING:
    from skillcert.accounts.models import User
    from skillcert.registry.models import Organization


def dashboard_card(user: User, organization: Organization | None) -> dict[str, Any] | None:
    """The workbench's 证书 card: counts and the links the user has."""
    from skillcert.accounts.roles import Role
    from skillcert.certificates import national
    from skillcert.certificates.access import PROVINCE_OFFICERS, certificates_for
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
        rows = certificates_for(user).order_by().values("status").annotate(n=Count("pk"))
        counts.update({row["status"]: row["n"] for row in rows})
    card: dict[str, Any] = {"counts": counts}
    if organization is not None:
        card["seal_confirmed"] = current_seal(organization) is not None
        card["seal_pending"] = organization.seals.filter(state=SealState.PENDING).exists()
        return card
    card["decides_seals"] = decides_seals(user)
    if card["decides_seals"]:
        card["seals_pending"] = seals_for_decision(user).filter(state=SealState.PENDING).count()
    card["reports"] = user.role in national.PROVINCE_REPORTERS or user.role == Role.CITY_CENTER
    if card["reports"]:
        card["unsent"] = national.unsent(user).count()
    return card
