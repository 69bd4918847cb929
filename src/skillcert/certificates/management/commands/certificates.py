"""``skillcert certificates render --batch ID --out FILE [--processes N]``: print a batch.

All valid certificates of the batch, one page each in number order, into one PDF. Progress
goes to stdout as pages complete ("已生成 120/1000"), then the output path. The file is
written next to its final name and moved into place at the end, so a failed run never
leaves half a PDF behind.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from skillcert.assessment.models import Batch
from skillcert.certificates.pdf import render_batch
from skillcert.rules.errors import DomainError


class Command(BaseCommand):
    help = "Certificates. `certificates render --batch ID --out FILE` prints a batch to one PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        render = sub.add_parser(
            "render", help="all valid certificates of a batch, in number order, into one PDF"
        )
        render.add_argument("--batch", type=int, required=True, help="the batch id")
        render.add_argument("--out", type=Path, required=True, help="the PDF file to write")
        render.add_argument(
            "--processes",
            type=int,
            default=1,
            help="worker processes (default 1; up to the number of cores helps)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch = Batch.objects.select_related("organization").filter(pk=options["batch"]).first()
        if batch is None:
            raise CommandError(f"未找到认定批次 {options['batch']}")
        if options["processes"] < 1:
            raise CommandError("--processes 应为正整数")
        out: Path = options["out"]
        if not out.parent.is_dir():
            raise CommandError(f"输出目录不存在：{out.parent}")

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"已生成 {done}/{total}")
            self.stdout.flush()

        started = time.perf_counter()
        try:
            data = render_batch(batch, processes=options["processes"], progress=progress)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"已写入 {out}（{len(data) / 1024 / 1024:.1f} MB，用时 {seconds:.1f} 秒）"
        )
