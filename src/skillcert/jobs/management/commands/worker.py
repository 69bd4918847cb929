"""``skillcert worker [--burst]``: run the background jobs (see ``skillcert.jobs.worker``)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from skillcert.jobs.worker import Worker


class Command(BaseCommand):
    help = (
        "Run background jobs (prints, exports, national sends, sweeps) and schedule the "
        "periodic ones; --burst runs what is due and exits."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--burst", action="store_true", help="run what is due, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument("--worker-id", default=None)
        parser.add_argument(
            "--no-scheduler", action="store_true", help="never enqueue the periodic jobs"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker = Worker(
            worker_id=options["worker_id"],
            interval=max(0.1, options["interval"]),
            burst=options["burst"],
            scheduler=not options["no_scheduler"],
        )
        worker.install_signals()
        if not options["burst"]:
            self.stdout.write(f"后台任务处理程序已启动（{worker.worker_id}），按 Ctrl+C 停止")
            self.stdout.flush()
        ran = worker.run()
        if options["burst"]:
            self.stdout.write(f"已处理 {ran} 个后台任务")
