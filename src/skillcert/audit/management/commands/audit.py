"""``skillcert audit verify``: check the audit chain end to end."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from skillcert.audit.chain import verify_chain


class Command(BaseCommand):
    help = "Audit chain tools. `audit verify` checks every entry and the chain head."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="check the whole chain; exit 0 with 'ok: N entries'")

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if not result.ok:
            raise CommandError(result.describe())
        self.stdout.write(result.describe())
