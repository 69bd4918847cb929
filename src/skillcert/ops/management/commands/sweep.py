"""``skillcert sweep``: run daily (cron). Flags what is overdue and ends what has run out."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from skillcert.assessment.services.results import close_due_publicities
from skillcert.audit.service import command_line_actor
from skillcert.registry.services.sweep import sweep as registry_sweep
from skillcert.rules import clock


class Command(BaseCommand):
    help = (
        "Daily sweep: flag acceptance replies past due, expire filings past their validity, "
        "close result publicities that are over."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = command_line_actor()
        registry = registry_sweep(actor=actor)
        closed = close_due_publicities(actor=actor)
        self.stdout.write(
            f"{clock.today()}：标记受理超期 {registry.overdue_flagged} 件，"
            f"备案到期注销 {registry.expired} 个，结果公示期满 {closed} 个批次"
        )
