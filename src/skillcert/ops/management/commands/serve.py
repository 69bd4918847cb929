"""``skillcert serve``: the pages and the API behind gunicorn, static files through WhiteNoise."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from skillcert.env import env_int, env_str


def default_workers() -> int:
    return env_int("SKILLCERT_WORKERS", min(2 * (os.cpu_count() or 1) + 1, 5), minimum=1)


class Command(BaseCommand):
    help = "Serve the web pages and the API with gunicorn (several worker processes)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=env_str("SKILLCERT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("PORT", 8000, minimum=1))
        parser.add_argument("--workers", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        workers = options["workers"] or default_workers()
        if not (settings.STATIC_ROOT / "staticfiles.json").exists():
            call_command("collectstatic", interactive=False, verbosity=0)
        bind = f"{options['host']}:{options['port']}"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "skillcert.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
            "--timeout",
            str(env_int("SKILLCERT_REQUEST_TIMEOUT", 120, minimum=5)),
            # Several instances may run on one machine (drills, tests): no shared control socket.
            "--no-control-socket",
        ]
        self.stdout.write(f"服务地址：http://{bind}/ （{workers} 个工作进程，按 Ctrl+C 停止）")
        self.stdout.flush()
        try:
            os.execv(sys.executable, command)  # noqa: S606 - fixed argv, no shell
        except OSError as exc:  # pragma: no cover - exec only fails on a broken install
            raise CommandError(f"无法启动 gunicorn：{exc}") from exc
