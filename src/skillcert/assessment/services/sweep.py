"""The sweep: flag acceptance replies past due, expire filings past their validity, close the
result publicities that are over, record as received the filings the center left unanswered.
Run every hour by the workers (``assessment.tasks.sweep``)
and on demand by ``skillcert sweep``; each step is guarded, so running it twice changes
nothing the second time."""

from __future__ import annotations

from skillcert.assessment.services.results import close_due_publicities, record_receipts_by_time
from skillcert.audit.service import Actor
from skillcert.registry.services.sweep import sweep as registry_sweep


def run_sweep(*, actor: Actor) -> dict[str, int]:
    registry = registry_sweep(actor=actor)
    closed = close_due_publicities(actor=actor)
    received = record_receipts_by_time(actor=actor)
    return {
        "overdue_flagged": registry.overdue_flagged,
        "expired": registry.expired,
        "publicities_closed": closed,
        "received_by_time": received,
    }
