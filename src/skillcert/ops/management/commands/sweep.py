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
        "filings past their validity, close result publicities that are over, record plans "
        "and result filings as received when the center did not answer in 3 working days."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = run_sweep(actor=command_line_actor())
        self.stdout.write(
            f"{clock.today()}：标记受理超期 {result['overdue_flagged']} 件，"
            f"备案到期注销 {result['expired']} 个，"
            f"结果公示期满 {result['publicities_closed']} 个批次，"
            f"逾期未签收视为已签收 {result['received_by_time']} 项"
        )
