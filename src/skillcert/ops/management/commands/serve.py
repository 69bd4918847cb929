"""``skillcert serve``: the pages and the API behind gunicorn, static files through WhiteNoise."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from skillcert.env import env_int, env_str, is_wildcard_host, served_base_url

BASE_URL_VARIABLE = "SKILLCERT_BASE_URL"
METRICS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


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
        host, port = options["host"], options["port"]
        bind = f"{host}:{port}"
        base_url = export_base_url(host, port)
        export_metrics_dir(host, port)
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "skillcert.wsgi:application",
            "--config",
            "python:skillcert.ops.gunicorn_conf",
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
        served = served_base_url(host, port)
        self.stdout.write(f"服务地址：{served}/ （{workers} 个工作进程，按 Ctrl+C 停止）")
        if base_url != served:
            self.stdout.write(f"证书和二维码上的查询地址：{base_url}/verify")
        elif is_wildcard_host(host):
            self.stdout.write(
                f"提示：正在监听所有网络接口，证书和二维码上的查询地址是 {base_url}/verify；"
                f"请把 {BASE_URL_VARIABLE} 设为公众访问本平台的地址。"
            )
        self.stdout.flush()
        try:
            os.execv(sys.executable, command)  # noqa: S606 - fixed argv, no shell
        except OSError as exc:  # pragma: no cover - exec only fails on a broken install
            raise CommandError(f"无法启动 gunicorn：{exc}") from exc


def export_base_url(host: str, port: int) -> str:
    """The address certificates print and QR codes encode, put into the environment that
    gunicorn's workers inherit (their settings read it): SKILLCERT_BASE_URL when it is set,
    else the address served here, so ``make run PORT=8611`` prints and encodes port 8611."""
    base_url = env_str(BASE_URL_VARIABLE).rstrip("/") or served_base_url(host, port)
    os.environ[BASE_URL_VARIABLE] = base_url
    return base_url


def export_metrics_dir(host: str, port: int) -> Path:
    """A fresh directory where this server's workers write their metrics (prometheus_client's
    multiprocess mode), one per address served, emptied at start: the previous run's counts
    belong to processes that are gone."""
    name = re.sub(r"[^A-Za-z0-9.-]+", "_", host.strip("[]") or "all") + f"-{port}"
    directory = Path(settings.DATA_DIR) / "metrics" / name
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ[METRICS_VARIABLE] = str(directory)
    return directory
