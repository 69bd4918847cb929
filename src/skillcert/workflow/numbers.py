"""Case numbers (办件编号, domain.md §9): type letters + province + authority + year + serial,
``HD-3400-2026-000012``, from a counter row locked in the caller's transaction."""

from __future__ import annotations

from django.db import transaction

from skillcert.rules.regions import ANHUI
from skillcert.workflow.models import CaseCounter


def next_case_number(kind: str, authority_code: str, year: int) -> str:
    """The next number of ``kind`` (BA, JH, JG, HD, YY) for the authority and year."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("case numbers are taken inside the transaction that uses them")
    counter, _ = CaseCounter.objects.select_for_update().get_or_create(
        kind=kind, authority=authority_code, year=year
    )
    counter.last_serial += 1
    counter.save(update_fields=["last_serial"])
    return f"{kind}-{ANHUI.province_code}{authority_code}-{year}-{counter.last_serial:06d}"
