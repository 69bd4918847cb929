"""``skillcert calendar load FILE``: load a year's holiday schedule (CSV ``date,kind``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from skillcert.audit.service import command_line_actor
from skillcert.reference.selectors import work_calendar
from skillcert.reference.services import load_calendar_schedule
from skillcert.rules.errors import DomainError


class Command(BaseCommand):
    help = "Holiday schedules. `calendar load FILE` loads a CSV with the columns date,kind."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "load", help="load a year's schedule: CSV date,kind (holiday|workday)"
        )
        load.add_argument("file", type=Path)
        sub.add_parser("status", help="show which years come from where")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "status":
            self._status()
            return
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取文件 {path}：{exc}") from exc
        try:
            years = load_calendar_schedule(text, source_name=path.name, actor=command_line_actor())
        except DomainError as exc:
            raise CommandError(f"{path}：{exc.message}") from exc
        self.stdout.write(
            f"已载入 {'、'.join(str(y) for y in years)} 年的节假日安排（{path.name}）"
        )

    def _status(self) -> None:
        calendar = work_calendar()
        library = calendar.library_years()
        for year in range(library.stop - 3, library.stop + 2):
            self.stdout.write(f"{year}: {calendar.source(year).value}")
