"""``skillcert sweep``: the hourly sweep the workers run, on demand (see assessment.tasks)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from skillcert.assessment.services.sweep import run_sweep
from skillcert.audit.service import command_line_actor
from skillcert.rules import clock


class Command(BaseCommand):
    help = (
        "Sweep now (the workers do it every hour): flag acceptance replies past due, expire "
        "filings past their validity, close result publicities that are over."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = run_sweep(actor=command_line_actor())
        self.stdout.write(
            f"{clock.today()}：标记受理超期 {result['overdue_flagged']} 件，"
            f"备案到期注销 {result['expired']} 个，"
            f"结果公示期满 {result['publicities_closed']} 个批次"
        )
