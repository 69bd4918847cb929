"""Several app servers and workers on one PostgreSQL, behind nginx (issue 12, `.ci/run`).

Started here, on loopback: Redis, two app servers (``skillcert serve``, each with its own data
directory — its own cache, static files and metrics — sharing only the database, Redis and the
file-storage folder, as servers on separate hosts would with an NFS mount), two workers
(``skillcert worker``) and nginx on the deployed configuration (``skillcert.ops.deploy``).
Production settings: a given secret key and master key, no DEBUG, named hosts.

Runs when ``SKILLCERT_SCALEOUT_DATABASE_URL`` names an empty PostgreSQL database (`.ci/run`
creates one); skipped otherwise, and failed under CI when that database is not given.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.support.nginx import CI, free_port, running

pytestmark = pytest.mark.scaleout

URL = os.environ.get("SKILLCERT_SCALEOUT_DATABASE_URL", "")
PASSWORD = "Demo-2026-skill"
SKILLCERT = str(Path(sys.executable).with_name("skillcert"))


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Browser:
    """A cookie jar and plain HTTP: what a browser keeps between requests."""

    jar: CookieJar = field(default_factory=CookieJar)

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.jar if c.name == name and c.value)

    def go(
        self,
        url: str,
        *,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        method: str | None = None,
    ) -> Answer:
        request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        try:
            with self.opener.open(request, timeout=60) as response:
                return Answer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, dict(exc.headers), exc.read())

    def post_form(self, url: str, fields: dict[str, str], referer: str) -> Answer:
        data = urllib.parse.urlencode(fields).encode()
        return self.go(
            url,
            data=data,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": self.cookie("csrftoken"),
                "Referer": referer,
            },
        )


@dataclass
class Cluster:
    base: Path
    env_a: dict[str, str]
    servers: list[str]  # http://127.0.0.1:port of app servers A and B
    balancer: str
    workers: dict[str, subprocess.Popen[bytes]]

    def sql(self, query: str, *params: object) -> list[tuple[object, ...]]:
        import psycopg

        with psycopg.connect(URL, autocommit=True) as connection:
            return list(connection.execute(query, params).fetchall())


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(0.3)
    pytest.fail(f"{url} not ready within 90 s:\n{log.read_text(errors='replace')[-3000:]}")


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped and killed as one
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGCONT)
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if not URL:
        reason = "SKILLCERT_SCALEOUT_DATABASE_URL is not set (an empty PostgreSQL database)"
        if CI and os.environ.get("SKILLCERT_SCALEOUT", "") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    redis_server = shutil.which("redis-server")
    if not redis_server:
        (pytest.fail if CI else pytest.skip)("redis-server is not installed")
    base = tmp_path_factory.mktemp("scaleout")
    processes: list[subprocess.Popen[bytes]] = []
    redis_port, port_a, port_b, port_lb = (free_port() for _ in range(4))
    redis = _start(
        [
            str(redis_server),
            "--port",
            str(redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(base),
        ],
        dict(os.environ),
        base / "redis.log",
    )
    processes.append(redis)
    balancer = f"http://127.0.0.1:{port_lb}"
    common = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SKILLCERT_", "DJANGO_", "DATABASE_URL", "PYTEST"))
    }
    common.update(
        DJANGO_SETTINGS_MODULE="skillcert.settings",
        DATABASE_URL=URL,
        SKILLCERT_ENV="production",
        SKILLCERT_SECRET_KEY=secrets.token_urlsafe(60),
        SKILLCERT_MASTER_KEY=secrets.token_hex(32),
        SKILLCERT_ALLOWED_HOSTS="127.0.0.1,localhost",
        SKILLCERT_REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        SKILLCERT_FILES_DIR=str(base / "shared-files"),
        SKILLCERT_NUM_PROXIES="1",
        SKILLCERT_BASE_URL=balancer,
        SKILLCERT_RATE_PUBLIC="12/min",
        SKILLCERT_WORKER_BEAT_SECONDS="1",
        SKILLCERT_WORKER_STALE_SECONDS="4",
        SKILLCERT_LOG_FORMAT="text",
    )
    env = {name: {**common, "SKILLCERT_DATA_DIR": str(base / name)} for name in ("a", "b")}
    try:
        for step in (["setup"], ["demo"]):
            done = subprocess.run(
                [SKILLCERT, *step], env=env["a"], capture_output=True, timeout=600, check=False
            )
            assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
        servers = []
        for name, port in (("a", port_a), ("b", port_b)):
            log = base / f"web-{name}.log"
            process = _start(
                [SKILLCERT, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
                env[name],
                log,
            )
            processes.append(process)
            _wait_ready(f"http://127.0.0.1:{port}", process, log)
            servers.append(f"http://127.0.0.1:{port}")
        workers = {}
        for name in ("a", "b"):
            worker_id = f"worker-{name}"
            process = _start(
                [SKILLCERT, "worker", "--worker-id", worker_id, "--interval", "0.2"],
                env[name],
                base / f"{worker_id}.log",
            )
            processes.append(process)
            workers[worker_id] = process
        from skillcert.ops.deploy import NginxSite, render_site

        site = render_site(
            NginxSite(
                upstreams=(f"127.0.0.1:{port_a}", f"127.0.0.1:{port_b}"),
                listen=f"127.0.0.1:{port_lb}",
                server_name="127.0.0.1",
                static_dir=str(base / "a" / "static"),
                log_dir=str(base),
            )
        )
        (base / "nginx").mkdir()
        with running(site, base / "nginx", port_lb):
            yield Cluster(base, env["a"], servers, balancer, workers)
    finally:
        for process in reversed(processes):
            _stop(process)


def signed_in(cluster: Cluster, username: str) -> Browser:
    browser = Browser()
    login = f"{cluster.balancer}/login"
    assert browser.go(login).status == 200
    answer = browser.post_form(
        login,
        {
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookie("csrftoken"),
        },
        referer=login,
    )
    assert answer.status == 302, answer.text[:500]
    return browser


def test_a_session_started_through_the_balancer_holds_on_every_server(cluster):
    browser = signed_in(cluster, "hefei_bureau")
    for server in [*cluster.servers, cluster.balancer] * 2:
        page = browser.go(f"{server}/dashboard")
        assert page.status == 200, (server, page.status)
        assert "退出" in page.text  # signed in, not sent to the login page
    # A form posted to B with the CSRF token A handed out is accepted (same secret key).
    logout = browser.post_form(f"{cluster.servers[1]}/logout", {}, referer=cluster.servers[1])
    assert logout.status == 302
    assert browser.go(f"{cluster.servers[0]}/dashboard").status == 302  # signed out everywhere


def test_both_servers_are_ready_with_redis_and_the_queue(cluster):
    for server in cluster.servers:
        body = Browser().go(f"{server}/readyz").json()
        assert body["status"] == "ok", body
        assert set(body["checks"]) >= {"database", "storage", "jobs", "cache"}


def test_a_photo_uploaded_on_one_server_is_served_by_the_other(cluster):
    from django.test import override_settings

    from skillcert.keystore.fields import open_value
    from tests.certificates.test_photos import portrait

    (batch, candidate, sealed_id), *_ = cluster.sql(
        "SELECT c.batch_id, c.id, c.id_number FROM assessment_candidate c "
        "JOIN assessment_batch b ON b.id = c.batch_id "
        "JOIN registry_membership m ON m.organization_id = b.organization_id "
        "JOIN accounts_user u ON u.id = m.user_id WHERE u.username = 'org_hefei' "
        "ORDER BY c.batch_id, c.id LIMIT 1"
    )
    # ID numbers are sealed at rest (SM4): open it under the cluster's master key.
    with override_settings(SKILLCERT_MASTER_KEY=cluster.env_a["SKILLCERT_MASTER_KEY"]):
        id_number = open_value(sealed_id)
    assert id_number and not id_number.startswith("sm4:")
    token_answer = Browser().go(
        f"{cluster.servers[0]}/api/v1/auth/token",
        data=json.dumps({"username": "org_hefei", "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert token_answer.status in (200, 201), token_answer.text
    token = token_answer.json()["token"]  # type: ignore[index]
    boundary = "scaleout" + secrets.token_hex(8)
    picture = portrait()
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + picture
        + f"\r\n--{boundary}--\r\n".encode()
    )
    uploaded = Browser().go(
        f"{cluster.servers[0]}/api/v1/batches/{batch}/candidates/{id_number}/photo",
        data=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    assert uploaded.status == 201, uploaded.text
    browser = signed_in(cluster, "org_hefei")
    photo = browser.go(f"{cluster.servers[1]}/org/batches/{batch}/photos/{candidate}.jpg")
    assert photo.status == 200 and photo.body[:3] == b"\xff\xd8\xff"  # a JPEG, from B


def _printable_batch(cluster: Cluster) -> tuple[int, int]:
    (batch, count), *_ = cluster.sql(
        "SELECT c.batch_id, count(*) FROM certificates_certificate c "
        "JOIN registry_membership m ON m.organization_id = c.organization_id "
        "JOIN accounts_user u ON u.id = m.user_id "
        "WHERE u.username = 'org_hefei' AND c.status = 'valid' "
        "GROUP BY c.batch_id ORDER BY count(*) DESC LIMIT 1"
    )
    return int(batch), int(count)  # type: ignore[arg-type]


def _start_print(cluster: Cluster, browser: Browser, batch: int, server: str) -> str:
    started = browser.post_form(f"{server}/batches/{batch}/print", {}, referer=server)
    assert started.status == 302, started.text[:500]
    match = re.search(r"/print/([0-9a-f]{32})$", started.headers["Location"])
    assert match, started.headers["Location"]
    return match.group(1)


def _wait_printed(browser: Browser, server: str, batch: int, job: str) -> dict[str, object]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        progress = browser.go(f"{server}/batches/{batch}/print/{job}/progress").json()
        assert isinstance(progress, dict)
        if progress["phase"] in ("done", "failed"):
            return progress
        time.sleep(0.3)
    pytest.fail(f"print job {job} not finished within 120 s")


def _page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def test_a_print_started_on_one_server_is_run_by_a_worker_and_downloaded_from_the_other(cluster):
    batch, count = _printable_batch(cluster)
    browser = signed_in(cluster, "org_hefei")
    job = _start_print(cluster, browser, batch, cluster.servers[0])
    progress = _wait_printed(browser, cluster.servers[1], batch, job)
    assert progress["phase"] == "done", progress
    pdf = browser.go(f"{cluster.servers[1]}{progress['file']}")
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF")
    assert _page_count(pdf.body) == count
    ((worker_ids,),) = cluster.sql(
        "SELECT r.worker_ids FROM django_tasks_database_dbtaskresult r "
        "JOIN jobs_job j ON j.task_result_id = r.id::text WHERE j.id = %s",
        job,
    )
    assert len(worker_ids) == 1 and worker_ids[0] in cluster.workers  # type: ignore[arg-type]


def test_a_rate_limit_counts_across_both_servers(cluster):
    client = "10.77.0.1"  # the balancer's X-Forwarded-For: one client, whichever server answers
    answers = []
    for n in range(14):
        server = cluster.servers[n % 2]
        answer = Browser().go(
            f"{server}/api/v1/public/organizations", headers={"X-Forwarded-For": client}
        )
        answers.append(answer.status)
    assert answers[:12] == [200] * 12, answers  # SKILLCERT_RATE_PUBLIC=12/min in all
    assert answers[12:] == [429, 429], answers  # the 13th is refused, on A and on B


def test_keys_rotated_on_one_host_are_the_same_on_both(cluster):
    from skillcert.certificates.credentials import verify_credential

    before = Browser().go(f"{cluster.servers[0]}/.well-known/jwks.json").json()
    rotated = subprocess.run(
        [SKILLCERT, "keys", "rotate"], env=cluster.env_a, capture_output=True, timeout=120
    )
    assert rotated.returncode == 0, rotated.stderr.decode()
    jwks = [Browser().go(f"{s}/.well-known/jwks.json").json() for s in cluster.servers]
    assert jwks[0] == jwks[1] and jwks[0] != before
    assert isinstance(jwks[0], dict)
    # `keys rotate` makes one new Ed25519 key and one new SM2 key (issue 13)
    current = [k["kid"] for k in jwks[0]["keys"] if "retired" not in k and k["kty"] == "OKP"]
    assert len(current) == 1 and len(jwks[0]["keys"]) == len(before["keys"]) + 2  # type: ignore[index]
    ((number, name),) = cluster.sql(
        "SELECT number, name FROM certificates_certificate WHERE status = 'valid' "
        "ORDER BY number LIMIT 1"
    )
    query = urllib.parse.urlencode({"name": name})
    token = Browser().go(
        f"{cluster.servers[0]}/api/v1/public/certificates/{number}/credential?{query}",
        headers={"X-Forwarded-For": "10.77.0.2"},
    )
    assert token.status == 200, token.text
    import jwt

    assert jwt.get_unverified_header(token.text.strip())["kid"] == current[0]  # signed anew
    payload = verify_credential(token.text.strip(), jwks[1])  # checked with B's keys
    assert number in json.dumps(payload, ensure_ascii=False)


def test_a_job_whose_worker_is_killed_is_finished_once_by_the_other(cluster):
    batch, count = _printable_batch(cluster)
    browser = signed_in(cluster, "org_hefei")
    victim, survivor = cluster.workers["worker-a"], cluster.workers["worker-b"]
    os.killpg(survivor.pid, signal.SIGSTOP)  # only worker-a may take the job
    try:
        job = _start_print(cluster, browser, batch, cluster.servers[1])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            rows = cluster.sql("SELECT phase FROM jobs_job WHERE id = %s", job)
            if rows and rows[0][0] == "running":  # worker-a has begun rendering
                break
            time.sleep(0.005)
        else:
            pytest.fail("worker-a did not take the job")
        os.killpg(victim.pid, signal.SIGKILL)  # mid-job: the worker and its render processes
        victim.wait(timeout=10)
    finally:
        os.killpg(survivor.pid, signal.SIGCONT)
    progress = _wait_printed(browser, cluster.servers[0], batch, job)
    assert progress["phase"] == "done", progress
    pdf = browser.go(f"{cluster.servers[0]}{progress['file']}")
    assert _page_count(pdf.body) == count
    ((status, worker_ids, attempts, phase),) = cluster.sql(
        "SELECT r.status, r.worker_ids, j.attempts, j.phase "
        "FROM django_tasks_database_dbtaskresult r "
        "JOIN jobs_job j ON j.task_result_id = r.id::text WHERE j.id = %s",
        job,
    )
    # Run by worker-a (killed), then once more, to the end, by worker-b: finished once.
    assert (status, worker_ids, attempts, phase) == (
        "SUCCESSFUL",
        ["worker-a", "worker-b"],
        2,
        "done",
    )
