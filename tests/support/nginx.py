"""Run nginx on the deployed site's configuration, as any user, on loopback.

``standalone_conf`` wraps the site (``skillcert.ops.deploy.render_site``) in a main nginx.conf
whose pid file, logs and temporary files are all under one directory, with ``daemon off`` so
the test owns the process. Skipped outside CI when nginx is missing, failed in CI.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CI = os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def nginx_binary() -> str:
    """nginx's path; skips the test outside CI when it is missing, fails it in CI."""
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None
    )
    if found:
        return found
    reason = "nginx is not installed (Debian: apt-get install nginx-light)"
    if CI:
        pytest.fail(f"{reason}; CI is set, so the deployment checks must run")
    pytest.skip(f"{reason}: nginx checks skipped (CI is unset)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def standalone_conf(site: str, prefix: Path) -> str:
    """A whole nginx.conf around ``site`` that writes only under ``prefix``."""
    for name in TEMP_PATHS:
        (prefix / "temp" / name).mkdir(parents=True, exist_ok=True)
    temp = "\n".join(f"    {name}_temp_path {prefix}/temp/{name};" for name in TEMP_PATHS)
    # As root, the workers would switch to nobody, who cannot read a test's 0700 directory.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    body = "\n".join("    " + line if line else "" for line in site.splitlines())
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {prefix}/nginx.pid;\n"
        "error_log stderr notice;\n"
        "events { worker_connections 128; }\n"
        "http {\n"
        "    types { text/html html; text/css css; application/javascript js; }\n"
        "    default_type application/octet-stream;\n"
        f"    access_log {prefix}/access.log;\n"
        f"{temp}\n{body}\n}}\n"
    )


def write_conf(site: str, prefix: Path) -> Path:
    conf = prefix / "nginx.conf"
    conf.write_text(standalone_conf(site, prefix), encoding="utf-8")
    return conf


def check(site: str, prefix: Path) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` on the site."""
    conf = write_conf(site, prefix)
    command = [nginx_binary(), "-t", "-e", "stderr", "-p", str(prefix), "-c", str(conf)]
    return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)


@contextmanager
def running(site: str, prefix: Path, port: int) -> Iterator[subprocess.Popen[str]]:
    """nginx serving ``site`` (which listens on 127.0.0.1:``port``) until the block ends."""
    conf = write_conf(site, prefix)
    process = subprocess.Popen(
        [nginx_binary(), "-e", "stderr", "-p", str(prefix), "-c", str(conf)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for(port, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"nginx exited with {process.returncode}:\n{output}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nginx did not listen on 127.0.0.1:{port} within 10 s")
