"""``skillcert sweep``: run daily; flags overdue replies and expires filings past validity."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from skillcert.audit.service import command_line_actor
from skillcert.registry.services.sweep import sweep
from skillcert.rules import clock


class Command(BaseCommand):
    help = "Daily sweep: flag acceptance replies past due, expire filings past their validity."

    def handle(self, *args: Any, **options: Any) -> None:
        result = sweep(actor=command_line_actor())
        self.stdout.write(
            f"{clock.today()}：标记受理超期 {result.overdue_flagged} 件，"
            f"备案到期注销 {result.expired} 个"
        )
