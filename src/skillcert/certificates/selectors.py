"""Read queries on certificate numbers: how many serials a segment still holds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the models load late (see the imports below)
    from skillcert.registry.models import Organization


def serials_left(segments: Iterable[tuple[int, int]], last_used: int) -> int:
    """Serials after ``last_used`` still inside the segments (numbers are taken in order)."""
    return sum(max(0, last - max(first, last_used + 1) + 1) for first, last in segments)


def certified_levels(organization: Organization) -> set[int]:
    """The levels the organization is filed for (any occupation of its scope)."""
    levels: set[int] = set()
    for item_levels in organization.scope_items.values_list("levels", flat=True):
        levels.update(int(level) for level in item_levels or [])
    return levels


def levels_without_segments(organization: Organization, year: int) -> list[int]:
    """The levels the organization is filed for that have no segment for ``year`` (from
    December 1 the batch page warns about next year's: domain.md §8)."""
    from skillcert.certificates.models import Segment

    have = set(
        Segment.objects.filter(organization=organization, year=year).values_list("level", flat=True)
    )
    return sorted(certified_levels(organization) - have)


def certificate_numbers(candidate_ids: Iterable[int]) -> dict[int, str]:
    """Candidate → the number of its certificate (a correction's replacement, not the
    superseded one)."""
    from skillcert.certificates.models import Certificate, CertificateStatus

    return dict(
        Certificate.objects.filter(candidate_id__in=list(candidate_ids))
        .exclude(status=CertificateStatus.SUPERSEDED)
        .values_list("candidate_id", "number")
    )
