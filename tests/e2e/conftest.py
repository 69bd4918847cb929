"""Browser journeys against a served instance: Playwright driving Debian's Chromium.

The instance is started the way a user starts it (``skillcert setup``, ``skillcert demo``,
``skillcert serve``) in a fresh data directory with its own SQLite database, and the tests talk
to it over HTTP only: they never touch pytest-django's test database.

Under pytest-xdist every worker starts its own instance on its own free port (a few seconds
each), which keeps the workers independent: nothing to share, nothing to clean up across them.

Skipped (at collection, with the reason) when ``SKILLCERT_SKIP_E2E=1``, or when
/usr/bin/chromium is missing and ``CI`` is not set; in CI a missing browser is a failure.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

E2E_DIR = Path(__file__).resolve().parent
SCREENSHOT_DIR = E2E_DIR / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SKILLCERT = Path(sys.executable).parent / "skillcert"
# A fixed platform date: the pages show it (演练模式 banner, footer), screenshots stay stable.
FIXED_TODAY = "2026-09-18"
STARTUP_TIMEOUT = 30.0  # seconds for gunicorn to answer "/"
COMMAND_TIMEOUT = 120.0  # seconds for `skillcert setup` / `skillcert demo`
LOG_TAIL = 200  # lines of the server log shown with a failure

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# The server log of this process's instance (one per xdist worker), for failure reports.
_server_log: Path | None = None


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def _skip_reason() -> str | None:
    if os.environ.get("SKILLCERT_SKIP_E2E", "").strip() == "1":
        return "browser journeys skipped: SKILLCERT_SKIP_E2E=1"
    if not CHROMIUM.exists() and not _in_ci():
        return (
            f"browser journeys skipped: {CHROMIUM} not found (install Debian's chromium; "
            "with CI set, a missing browser fails instead)"
        )
    return None


def _is_e2e(item: pytest.Item) -> bool:
    return E2E_DIR in Path(item.path).resolve().parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test of this directory ``e2e``, skip them when told to, and run them last.

    Running them last matters: while Playwright's sync API is started, the process's event
    loop counts as running, and Django refuses ORM calls from other tests in the same
    process (SynchronousOnlyOperation). Last in collection order is last on every worker
    with xdist's load scheduling too, and the session-scoped browser is closed before
    pytest-django tears its databases down.
    """
    reason = _skip_reason()
    journeys: list[pytest.Item] = []
    others: list[pytest.Item] = []
    for item in items:
        if _is_e2e(item):
            item.add_marker(pytest.mark.e2e)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))
            journeys.append(item)
        else:
            others.append(item)
    items[:] = others + journeys


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item):
    """Attach the tail of the server's log to a failing journey's report."""
    report = yield
    if report.failed and _is_e2e(item) and _server_log is not None:
        report.sections.append(("served instance log (tail)", _tail(_server_log)))
    return report


def _tail(path: Path, lines: int = LOG_TAIL) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"(no server log: {exc})"
    return "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_environment(data_dir: Path) -> dict[str, str]:
    """The environment of a user's shell, minus anything that would point elsewhere.

    pytest-django exported DJANGO_SETTINGS_MODULE=tests.testsettings (and the test settings
    a secret key) into this process; a developer's shell may carry DATABASE_URL or
    SKILLCERT_* settings (secure cookies, allowed hosts...). None of that reaches the server.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SKILLCERT_")
        and key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PORT"}
    }
    env.update(
        SKILLCERT_DATA_DIR=str(data_dir),
        SKILLCERT_WORKERS="2",
        SKILLCERT_TODAY=FIXED_TODAY,
        PYTHONUNBUFFERED="1",
    )
    return env


def _run_command(args: list[str], env: dict[str, str], log: Path) -> str:
    with log.open("a", encoding="utf-8") as out:
        out.write(f"$ skillcert {' '.join(args)}\n")
    completed = subprocess.run(
        [str(SKILLCERT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    output = completed.stdout + completed.stderr
    with log.open("a", encoding="utf-8") as out:
        out.write(output)
    if completed.returncode != 0:
        pytest.fail(
            f"`skillcert {' '.join(args)}` exited with {completed.returncode}:\n{output}",
            pytrace=False,
        )
    return output


def _stop(process: subprocess.Popen) -> None:
    """Terminate gunicorn's whole process group (master and workers)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def _start_worker(env: dict[str, str], log: Path, base_url: str) -> subprocess.Popen:
    """``skillcert worker``: runs the jobs the pages start (a batch print) while the journeys
    watch their progress; the certificates it prints encode the served address."""
    with log.open("a", encoding="utf-8") as out:
        out.write("$ skillcert worker\n")
        out.flush()
        return subprocess.Popen(
            [str(SKILLCERT), "worker", "--interval", "0.5"],
            env={**env, "SKILLCERT_BASE_URL": base_url},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def _start_server(
    env: dict[str, str], log: Path, port: int | None = None
) -> tuple[subprocess.Popen, str]:
    """``skillcert serve`` on a free port; retried on another port if that one got taken.

    With ``port`` (a restart on the address the browsers already use): that port only, retried
    a moment later while the previous server's socket is being released."""
    fixed_port = port
    problems: list[str] = []
    for _attempt in range(3):
        port = fixed_port or _free_port()
        base_url = f"http://127.0.0.1:{port}"
        with log.open("a", encoding="utf-8") as out:
            out.write(f"$ skillcert serve --host 127.0.0.1 --port {port}\n")
            out.flush()
            process = subprocess.Popen(
                [str(SKILLCERT), "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: gunicorn execs and forks
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                problems.append(f"port {port}: server exited with {process.returncode}")
                break
            try:
                with urllib.request.urlopen(base_url + "/", timeout=2) as response:
                    if response.status == 200:
                        return process, base_url
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.2)
        else:
            problems.append(f"port {port}: no answer from / within {STARTUP_TIMEOUT:.0f}s")
        _stop(process)
        if "Address already in use" not in _tail(log, 20):
            break
        if fixed_port:
            time.sleep(1.0)
    pytest.fail(
        "the served instance did not start (" + "; ".join(problems) + ")\n"
        f"--- server log {log} ---\n{_tail(log)}",
        pytrace=False,
    )


def demo_data_dir(name: str) -> tuple[Path, dict[str, str], Path]:
    """A fresh data directory where ``skillcert setup`` and ``skillcert demo`` have run (the
    demo built on FIXED_TODAY): the directory, the server's environment and its log, which
    a failing journey's report shows."""
    global _server_log
    data_dir = Path(tempfile.mkdtemp(prefix=f"skillcert-e2e-{name}-"))
    log = data_dir / "server.log"
    _server_log = log
    env = _server_environment(data_dir)
    _run_command(["setup"], env, log)
    demo_output = _run_command(["demo"], env, log)
    if not re.search(r"\bhefei_bureau\b", demo_output):
        pytest.fail(f"`skillcert demo` printed no hefei_bureau login:\n{demo_output}")
    return data_dir, env, log


@contextlib.contextmanager
def demo_instance(name: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """A freshly set up instance with the demo data; yields its base URL (no trailing slash).

    Journeys that change what the demo shows run on an instance of their own, so the other
    journeys' pages keep their meaning. ``env`` adds settings for the server and its worker
    (``SKILLCERT_EMAIL_URL`` for a test's SMTP server), after setup and demo have run."""
    data_dir, base_env, log = demo_data_dir(name)
    env = {**base_env, **(env or {})}
    process, base_url = _start_server(env, log)
    worker = _start_worker(env, log, base_url)  # as ``make run``: prints and sweeps need one
    try:
        yield base_url
    finally:
        _stop(worker)
        _stop(process)
    shutil.rmtree(data_dir, ignore_errors=True)  # kept when the instance failed to start


@pytest.fixture(scope="session")
def served_instance() -> Iterator[str]:
    """Base URL (no trailing slash) of a freshly set up instance with the demo data."""
    with demo_instance("shared") as base_url:
        yield base_url


def page_opener(browser, base_url: str) -> Iterator:
    """For a fixture: yields ``make()``, a desktop page in a fresh context (own cookies,
    downloads accepted) on ``base_url``; closes the contexts afterwards."""
    contexts = []

    def make():
        context = browser.new_context(
            base_url=base_url,
            viewport=DESKTOP,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            accept_downloads=True,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing (CI is set, so the browser journeys must run)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser, served_instance):
    """``new_page(viewport=PHONE)``: a page in a fresh context (own cookies) on the instance."""
    contexts = []

    def make(viewport: dict[str, int] | None = None, **options):
        context = browser.new_context(
            base_url=served_instance,
            viewport=viewport or DESKTOP,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            **options,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-sized page (1280x800) in a context of its own, ``base_url`` set."""
    return new_page()


def save_screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save ``tests/e2e/screenshots/<name>.png`` (the directory is gitignored)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture
def screenshot():
    """``screenshot(page, "name")``: the fixture form of :func:`save_screenshot`."""
    return save_screenshot


# --- QR codes printed in PDFs ------------------------------------------------------------


@pytest.fixture(scope="module")
def qr_tools() -> dict[str, str]:
    """pdftoppm (poppler-utils) and zbarimg (zbar-tools), which .ci/run installs."""
    tools = {name: shutil.which(name) for name in ("pdftoppm", "zbarimg")}
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        message = f"{', '.join(missing)} missing: the printed QR code cannot be read"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return tools  # type: ignore[return-value]


def read_qr(pdf: Path, tools: dict[str, str]) -> str:
    """The address in the QR code of the PDF's first page."""
    image = pdf.with_suffix("")
    first_page = ["-f", "1", "-l", "1", "-r", "150", "-png", "-singlefile"]
    subprocess.run([tools["pdftoppm"], *first_page, str(pdf), str(image)], check=True, timeout=60)
    decoded = subprocess.run(
        [tools["zbarimg"], "--raw", "-q", f"{image}.png"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return decoded.stdout.strip()
