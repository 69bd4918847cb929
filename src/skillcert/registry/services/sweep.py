"""The daily sweep: flag late acceptance replies, expire filings past their validity."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.registry.machines import ORGANIZATION_MACHINE
from skillcert.registry.models import FilingCase
from skillcert.registry.workflow import FilingState
from skillcert.rules import clock


@dataclass(frozen=True)
class SweepResult:
    overdue_flagged: int
    expired: int


def flag_overdue_cases(*, actor: Actor) -> int:
    """Mark submitted cases whose acceptance reply is past due (guarded: each once)."""
    today = clock.today()
    with transaction.atomic():
        due = list(
            FilingCase.objects.filter(
                state=FilingState.SUBMITTED, overdue=False, acceptance_due__lt=today
            ).values_list("pk", flat=True)
        )
        flagged = 0
        for pk in due:
            # The WHERE repeats the conditions: a case accepted meanwhile, or flagged by a
            # concurrent sweep, is left alone.
            if FilingCase.objects.filter(pk=pk, state=FilingState.SUBMITTED, overdue=False).update(
                overdue=True
            ):
                flagged += 1
                audit.record(
                    actor=actor,
                    action="registry.filing.flagged_overdue",
                    object_type="registry.filingcase",
                    object_id=pk,
                    after={"overdue": True, "today": today.isoformat()},
                )
    return flagged


def expire_filings(*, actor: Actor | None = None) -> int:
    """Filings past their validity expire (time-driven; reading one does the same)."""
    return ORGANIZATION_MACHINE.catch_up_all()


def sweep(*, actor: Actor) -> SweepResult:
    return SweepResult(flag_overdue_cases(actor=actor), expire_filings(actor=actor))
