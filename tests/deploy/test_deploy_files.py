"""The deployment files (deploy/): what is deployed is what is tested here.

The nginx site is rendered from ``skillcert.ops.deploy`` and the committed copy must equal the
rendering; nginx itself checks it (``nginx -t``) and serves it in front of two small HTTP
servers. The systemd units are verified by ``systemd-analyze`` (else parsed) and name real
``skillcert`` commands. The environment example and the code read the same variables.
"""

from __future__ import annotations

import configparser
import datetime as dt
import functools
import http.client
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import get_commands
from django.test import RequestFactory

import skillcert
from skillcert.ops.deploy import FORM_OVERHEAD_MB, NginxSite, Tls, render_site
from skillcert.web.ratelimit import client_ident
from tests.support import nginx

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SRC = Path(skillcert.__file__).parent
INSTALLED_SKILLCERT = "/opt/skillcert/venv/bin/skillcert"
CLIENT_ADDRESS = "127.0.0.2"  # the test's requests come from here; nginx reaches the apps from .1


# --- the nginx site ---------------------------------------------------------------------


def test_committed_site_is_the_rendering():
    committed = (DEPLOY / "nginx" / "skillcert.conf").read_text(encoding="utf-8")
    assert committed == render_site(NginxSite()), (
        "deploy/nginx/skillcert.conf differs from its generator: "
        "python -m skillcert.ops.deploy > deploy/nginx/skillcert.conf"
    )


def test_body_limit_follows_the_upload_limit(settings):
    site = NginxSite()
    assert (
        site.max_upload_mb
        == settings.SKILLCERT_MAX_UPLOAD_MB
        == env_example()["SKILLCERT_MAX_UPLOAD_MB"]
    )
    assert f"client_max_body_size {site.max_upload_mb + FORM_OVERHEAD_MB}m;" in render_site(site)


def test_retries_exclude_requests_already_sent_with_side_effects():
    text = render_site(NginxSite())
    assert "proxy_next_upstream error timeout http_502 http_503;" in text
    assert "non_idempotent" not in text.replace("(no `non_idempotent`)", "")


def test_nginx_accepts_the_site(tmp_path):
    site = render_site(
        site_for(tmp_path, [nginx.free_port(), nginx.free_port()], nginx.free_port())
    )
    result = nginx.check(site, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_accepts_the_https_example(tmp_path):
    certificate, key = self_signed(tmp_path)
    tls = Tls(
        certificate=str(certificate),
        key=str(key),
        listen=f"127.0.0.1:{nginx.free_port()} ssl",
        redirect_listen=f"127.0.0.1:{nginx.free_port()}",
    )
    site = site_for(tmp_path, [nginx.free_port()], nginx.free_port(), tls=tls)
    text = render_site(site)
    assert 'add_header Strict-Transport-Security "max-age=31536000" always;' in text
    result = nginx.check(text, tmp_path)
    assert result.returncode == 0, result.stderr
    # The committed file carries this rendering (with Tls()'s paths) as its commented example.


# --- nginx in front of two app servers -----------------------------------------------------


@dataclass
class Seen:
    port: int
    method: str
    path: str
    headers: dict[str, str]
    peer: str
    body_length: int


@dataclass
class Apps:
    ports: list[int]
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def requests(self, method: str, path: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.method == method and s.path == path]


def make_handler(apps: Apps, unavailable_on: int) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # quiet
            pass

        def answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            received = 0
            while received < length:
                chunk = self.rfile.read(min(65536, length - received))
                if not chunk:
                    break
                received += len(chunk)
            port = self.server.server_address[1]
            with apps.lock:
                apps.seen.append(
                    Seen(
                        port,
                        self.command,
                        self.path,
                        dict(self.headers),
                        self.client_address[0],
                        received,
                    )
                )
            status = 503 if self.path == "/unavailable" and port == unavailable_on else 200
            payload = json.dumps({"port": port}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("X-Request-ID", "set-by-the-app-server")
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = answer

    return Handler


@pytest.fixture
def apps() -> Iterator[Apps]:
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) for _ in range(2)]
    state = Apps(ports=[s.server_address[1] for s in servers])
    threads = []
    for server in servers:
        server.RequestHandlerClass = make_handler(state, unavailable_on=state.ports[0])
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        threads.append(thread)
    yield state
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def proxy(apps, tmp_path) -> Iterator[tuple[int, NginxSite]]:
    port = nginx.free_port()
    site = site_for(tmp_path, apps.ports, port)
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "site.0123456789ab.css").write_text("body{}", encoding="utf-8")
    (tmp_path / "static" / "plain.css").write_text("p{}", encoding="utf-8")
    with nginx.running(render_site(site), tmp_path, port):
        yield port, site


def send(port: int, method: str, path: str, body: bytes | None = None, headers=None):
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=10, source_address=(CLIENT_ADDRESS, 0)
    )
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_requests_spread_over_both_app_servers(apps, proxy):
    port, _ = proxy
    answered_by = [json.loads(send(port, "GET", f"/page/{n}")[2])["port"] for n in range(6)]
    assert sorted(set(answered_by)) == sorted(apps.ports)
    assert min(answered_by.count(p) for p in apps.ports) >= 2


def test_app_sees_the_client_address_and_not_a_forged_one(apps, proxy, settings):
    port, _ = proxy
    status, _, _ = send(port, "GET", "/who", headers={"X-Forwarded-For": "203.0.113.9"})
    assert status == 200
    (seen,) = apps.requests("GET", "/who")
    assert seen.headers["X-Forwarded-For"] == CLIENT_ADDRESS
    assert seen.peer == "127.0.0.1"  # nginx's own address: the app must read the header
    assert seen.headers["X-Forwarded-Proto"] == "http"
    assert seen.headers["Host"] == "127.0.0.1"
    # The application's reading of it, with SKILLCERT_NUM_PROXIES=1 as in the env example.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "NUM_PROXIES": env_example()["SKILLCERT_NUM_PROXIES"],
    }
    request = RequestFactory().get(
        "/", REMOTE_ADDR=seen.peer, HTTP_X_FORWARDED_FOR=seen.headers["X-Forwarded-For"]
    )
    assert client_ident(request) == CLIENT_ADDRESS


def test_request_id_reaches_the_app_and_the_client(apps, proxy):
    port, _ = proxy
    _, headers, _ = send(port, "GET", "/traced")
    (seen,) = apps.requests("GET", "/traced")
    assert re.fullmatch(r"[0-9a-f]{32}", seen.headers["X-Request-ID"])
    assert headers["X-Request-ID"] == seen.headers["X-Request-ID"]


def test_body_over_the_limit_is_refused_by_nginx(apps, proxy):
    port, site = proxy
    limit = (site.max_upload_mb + FORM_OVERHEAD_MB) * 1024 * 1024
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest("POST", "/upload")
        connection.putheader("Content-Type", "application/octet-stream")
        connection.putheader("Content-Length", str(limit + 1))
        connection.endheaders()
        response = connection.getresponse()
        assert response.status == 413
        assert response.getheader("X-Request-ID")
    finally:
        connection.close()
    assert apps.requests("POST", "/upload") == []
    # Within the limit, the whole body reaches an app server.
    status, _, _ = send(port, "POST", "/upload", body=b"x" * (2 * 1024 * 1024))
    assert status == 200
    assert [s.body_length for s in apps.requests("POST", "/upload")] == [2 * 1024 * 1024]


def test_only_idempotent_requests_move_to_the_other_server(apps, proxy):
    port, _ = proxy
    posts = [send(port, "POST", "/unavailable", body=b"form")[0] for _ in range(4)]
    assert len(apps.requests("POST", "/unavailable")) == 4  # none sent twice
    assert 503 in posts  # the failing server's answer reached the person, not a second server
    gets = [send(port, "GET", "/unavailable")[0] for _ in range(4)]
    assert gets == [200, 200, 200, 200]


def test_static_files_come_from_nginx(apps, proxy):
    port, _ = proxy
    status, headers, body = send(port, "GET", "/static/site.0123456789ab.css")
    assert (status, body) == (200, b"body{}")
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    status, headers, body = send(port, "GET", "/static/plain.css")
    assert (status, body, headers["Cache-Control"]) == (200, b"p{}", "max-age=3600")
    assert not [s for s in apps.seen if s.path.startswith("/static/")]


def test_probes_are_not_logged(apps, proxy, tmp_path):
    port, site = proxy
    send(port, "GET", "/healthz")
    send(port, "GET", "/readyz")
    send(port, "GET", "/logged")
    log = Path(site.log_dir) / "skillcert.access.log"
    deadline = time.monotonic() + 5  # nginx writes the line just after the answer
    while '"GET /logged HTTP/1.1" 200' not in (text := log.read_text(encoding="utf-8")):
        assert time.monotonic() < deadline, text
        time.sleep(0.02)
    assert "/healthz" not in text and "/readyz" not in text
    assert len(apps.requests("GET", "/healthz")) == 1


# --- systemd units ------------------------------------------------------------------------

UNITS = {
    "skillcert-web@.service": "skillcert-web@8001.service",
    "skillcert-worker@.service": "skillcert-worker@1.service",
    "skillcert-backup.service": "skillcert-backup.service",
    "skillcert-backup.timer": "skillcert-backup.timer",
}


def unit(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str  # keep the keys' case (ExecStart, not execstart)
    parser.read(DEPLOY / "systemd" / name, encoding="utf-8")
    return parser


def command_of(name: str) -> list[str]:
    """The ExecStart's argv as systemd passes it (%% and $$ unescaped), through the shell's -c."""
    line = unit(name)["Service"]["ExecStart"].replace("%%", "%").replace("$$", "$")
    argv = shlex.split(line)
    if argv[:2] == ["/bin/sh", "-c"]:
        argv = shlex.split(argv[2].removeprefix("exec "))
    return argv


def test_units_pass_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is missing: the units are only parsed (tests below)")
    skillcert_bin = Path(sys.executable).parent / "skillcert"
    for source, instance in UNITS.items():
        text = (DEPLOY / "systemd" / source).read_text(encoding="utf-8")
        (tmp_path / instance).write_text(text.replace(INSTALLED_SKILLCERT, str(skillcert_bin)))
    result = subprocess.run(
        [analyze, "verify", *(str(tmp_path / i) for i in UNITS.values())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert str(tmp_path) not in result.stderr, result.stderr  # no warning about our files


@pytest.mark.parametrize(
    ("name", "subcommand"),
    [
        ("skillcert-web@.service", "serve"),
        ("skillcert-worker@.service", "worker"),
        ("skillcert-backup.service", "backup"),
    ],
)
def test_units_run_real_skillcert_commands(name, subcommand):
    argv = command_of(name)
    assert argv[0] == INSTALLED_SKILLCERT
    assert argv[1] == subcommand
    assert subcommand in get_commands(), f"`skillcert {subcommand}` does not exist"
    service = unit(name)["Service"]
    assert service["User"] == "skillcert"
    assert service["EnvironmentFile"] == "/etc/skillcert/skillcert.env"
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["PrivateTmp"] == "yes"
    assert "/var/lib/skillcert" in service["ReadWritePaths"].split()


def test_web_instance_serves_its_port_on_loopback():
    assert command_of("skillcert-web@.service")[2:] == ["--host", "127.0.0.1", "--port", "%i"]
    assert unit("skillcert-web@.service")["Service"]["Restart"] == "on-failure"


def test_worker_stops_after_its_job():
    service = unit("skillcert-worker@.service")["Service"]
    assert service["KillSignal"] == "SIGTERM"
    assert service["KillMode"] == "mixed"
    minutes = int(service["TimeoutStopSec"].removesuffix("min"))
    assert minutes >= 10


def test_backup_goes_to_a_folder_named_by_the_day(tmp_path):
    argv = command_of("skillcert-backup.service")
    assert argv[2] == "--out"
    # The shell expands the date: run the same command line with echo for skillcert.
    script = shlex.split(
        unit("skillcert-backup.service")["Service"]["ExecStart"]
        .replace("%%", "%")
        .replace("$$", "$")
    )[2]
    out = subprocess.run(
        ["/bin/sh", "-c", script.replace(f"exec {INSTALLED_SKILLCERT}", "echo")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out[:2] == ["backup", "--out"]
    assert out[2] in {
        f"/var/backups/skillcert/{d:%Y%m%d}"
        for d in (dt.date.today(), dt.date.today() - dt.timedelta(days=1))
    }
    timer = unit("skillcert-backup.timer")["Timer"]
    assert timer["OnCalendar"].endswith("02:30:00")
    assert timer["Persistent"] == "true"


# --- the environment example ----------------------------------------------------------------

NAME = re.compile(r"^(SKILLCERT_[A-Z0-9_]+|DATABASE_URL)$")


def env_example() -> dict[str, str | int]:
    """The example's variables, the commented-out ones included; numbers as numbers."""
    names: dict[str, str] = {}
    for line in (DEPLOY / "skillcert.env.example").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            names[match.group(1)] = match.group(2).strip()
    return {k: (int(v) if v.isdigit() else v) for k, v in names.items()}


QUOTED_NAME = re.compile(r"[\"'](SKILLCERT_[A-Z0-9_]+|DATABASE_URL)[\"']")


@functools.cache
def read_by_the_code() -> frozenset[str]:
    """Names of environment variables in the product's code: the quoted names (string
    constants, as env_str("SKILLCERT_...") and getattr(settings, "SKILLCERT_...") spell them)."""
    return frozenset(
        name
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts
        for name in QUOTED_NAME.findall(path.read_text(encoding="utf-8"))
    )


def test_env_example_names_only_variables_the_code_reads():
    unknown = set(env_example()) - read_by_the_code()
    assert not unknown, (
        f"deploy/skillcert.env.example names variables nothing reads: {sorted(unknown)}"
    )


def test_every_variable_the_code_reads_is_documented():
    readme = set(
        re.findall(
            r"`(SKILLCERT_[A-Z0-9_]+|DATABASE_URL)`",
            (ROOT / "README.md").read_text(encoding="utf-8"),
        )
    )
    missing = read_by_the_code() - set(env_example()) - readme
    assert not missing, (
        f"read by the code, in neither README.md nor the env example: {sorted(missing)}"
    )


def test_env_example_is_a_production_configuration_that_starts(tmp_path):
    """The example, its placeholders filled, passes the production checks of settings.py."""
    env = {
        k: v for k, v in os.environ.items() if not NAME.match(k) and k != "DJANGO_SETTINGS_MODULE"
    }
    for line in (DEPLOY / "skillcert.env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    assert env["SKILLCERT_ENV"] == "production"
    env["SKILLCERT_SECRET_KEY"] = "s" * 60
    env["SKILLCERT_DATA_DIR"] = str(tmp_path)
    master = tmp_path / "master.key"
    master.write_text("00" * 32, encoding="utf-8")
    env["SKILLCERT_MASTER_KEY_FILE"] = str(master)
    result = subprocess.run(
        [sys.executable, "-c", "import skillcert.settings as s; print(s.DEBUG, s.LOG_FORMAT)"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "json"]


# --- helpers --------------------------------------------------------------------------------


def site_for(
    tmp_path: Path, upstream_ports: list[int], port: int, tls: Tls | None = None
) -> NginxSite:
    return NginxSite(
        upstreams=tuple(f"127.0.0.1:{p}" for p in upstream_ports),
        listen=f"127.0.0.1:{port}",
        server_name="localhost",
        static_dir=str(tmp_path / "static"),
        log_dir=str(tmp_path),
        tls=tls,
    )


def self_signed(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "tls.crt", directory / "tls.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path
