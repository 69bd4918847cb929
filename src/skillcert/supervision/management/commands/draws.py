"""``skillcert draws recompute ID | --file PUBLIC.json``: check a draw from its public record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from skillcert.rules.errors import DomainError
from skillcert.supervision.models import InspectionDraw
from skillcert.supervision.services.draws import recompute


class Command(BaseCommand):
    help = (
        "Random inspection draws. `draws recompute ID` (or --file with the public JSON from "
        "/api/v1/public/inspection-draws/ID) recomputes the draw from its seed and pools."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        again = sub.add_parser("recompute", help="recompute a draw and compare with its result")
        again.add_argument("id", nargs="?", type=int)
        again.add_argument("--file", type=Path, default=None, help="the draw's public JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["file"]:
            try:
                record: Any = json.loads(options["file"].read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"无法读取文件：{exc}") from exc
        elif options["id"]:
            record = InspectionDraw.objects.filter(pk=options["id"]).first()
            if record is None:
                raise CommandError(f"没有编号为 {options['id']} 的抽取记录")
        else:
            raise CommandError("请给出抽取记录编号或 --file")
        try:
            matches, recomputed = recompute(record)
        except (DomainError, KeyError, TypeError, ValueError) as exc:
            raise CommandError(f"无法重算：{exc}") from exc
        if not matches:
            raise CommandError(
                "重算结果与公布结果不一致：" + json.dumps(recomputed, ensure_ascii=False)
            )
        self.stdout.write("重算结果与公布结果一致：" + json.dumps(recomputed, ensure_ascii=False))
