"""Read queries on certificate numbers: how many serials a segment still holds."""

from __future__ import annotations

from collections.abc import Iterable


def serials_left(segments: Iterable[tuple[int, int]], last_used: int) -> int:
    """Serials after ``last_used`` still inside the segments (numbers are taken in order)."""
    return sum(max(0, last - max(first, last_used + 1) + 1) for first, last in segments)
