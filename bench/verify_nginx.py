"""Public verification through nginx: one app server behind it, then two (issue 12, "Speed").

Run: nice .venv/bin/python bench/verify_nginx.py [--duration 15] [--connections 32]
     [--threads 2] [--warmup 3] [--rounds 1] [--sample 400] [--paths api,page]

- A throwaway instance: a temporary folder, ``skillcert setup`` and ``skillcert demo`` (the
  console script next to this Python), production settings as deployed (a given secret key and
  master key, named hosts, ``SKILLCERT_NUM_PROXIES=1``, ``SKILLCERT_BASE_URL`` = nginx's
  address). SQLite by default: both servers then use the same data directory (the same
  database file, rate-limit table and cache); with ``DATABASE_URL`` (an empty PostgreSQL
  database) each server has a data directory of its own, sharing only the database, as in
  ``tests/scaleout``. ``SKILLCERT_RATE_VERIFY`` and ``SKILLCERT_RATE_PUBLIC`` are 1000000/min, so
  the load (all from 127.0.0.1) is not answered 429; the count still runs on every request.
- Two app servers, ``skillcert serve --host 127.0.0.1 --port P --workers 2`` each, and nginx
  on the deployed site (``skillcert.ops.deploy.render_site``) inside the test suite's
  standalone wrapper (``tests/support/nginx.py``: one nginx worker, logs under the folder).
- wrk (Debian's ``wrk``; ``apt-get install -y wrk``) through nginx, a Lua script cycling over
  the valid demo certificates, each asked twice: the API ``/api/v1/public/certificates/<n>
  ?name=`` and the page's lookup ``/verify?number=<n>&name=`` (what the form on ``/verify/<n>``
  sends); ``--paths api`` or ``--paths page`` asks one of them only. Per round: nginx with an
  upstream of ONE server (A), then of TWO (A, B), each a fresh nginx on a newly rendered site;
  a warm-up, then the measured run with the same settings.
- Printed per phase: requests/s, p50, p99 (wrk ``--latency``), wrk's non-2xx answers and
  socket errors, and from nginx's access log (the measured run only) its answers other than
  200, the requests it passed to a second server after an upstream error (``us=502, 200``),
  and each server's share. Then two / one. The exit status is 1 if any phase had an error.
- Every subprocess has a timeout; servers and nginx are stopped and the folder removed in
  every case.

The point is that the second server adds no error and no loss, not speed: on 2 cores shared by
wrk, nginx and four gunicorn workers, a second server cannot add CPU.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.support.nginx import free_port, running  # noqa: E402

from skillcert.ops.deploy import NginxSite, render_site  # noqa: E402

SKILLCERT = str(Path(sys.executable).with_name("skillcert"))
RATE = "1000000/min"
API = "/api/v1/public/certificates/"
PAGE = "/verify"
KINDS = {"api": f"{API}<n>?name=", "page": f"{PAGE}?number=<n>&name="}
# nginx's `skillcert` log format (skillcert.ops.deploy.HEADER).
LOG_LINE = re.compile(
    r'"(?P<request>[^"]*)" (?P<status>\d{3}) .*? upstream=(?P<upstream>.*?) '
    r"us=(?P<us>.*?) urt="
)


def instance_env(base: Path, balancer: str, database_url: str) -> dict[str, dict[str, str]]:
    """The environment of servers A and B: production settings, the same keys on both."""
    common = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SKILLCERT_", "DJANGO_", "DATABASE_URL", "PROMETHEUS_"))
    }
    common.update(
        DJANGO_SETTINGS_MODULE="skillcert.settings",
        SKILLCERT_ENV="production",
        SKILLCERT_SECRET_KEY=secrets.token_urlsafe(60),
        SKILLCERT_MASTER_KEY=secrets.token_hex(32),
        SKILLCERT_ALLOWED_HOSTS="127.0.0.1,localhost",
        SKILLCERT_FILES_DIR=str(base / "shared-files"),
        SKILLCERT_NUM_PROXIES="1",
        SKILLCERT_BASE_URL=balancer,
        SKILLCERT_RATE_VERIFY=RATE,
        SKILLCERT_RATE_PUBLIC=RATE,
        SKILLCERT_LOG_FORMAT="text",
    )
    if database_url:
        common["DATABASE_URL"] = database_url
    # SQLite: one database file, so one data directory for both servers.
    dirs = {"a": "a", "b": "b" if database_url else "a"}
    return {name: {**common, "SKILLCERT_DATA_DIR": str(base / d)} for name, d in dirs.items()}


def skillcert(step: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [SKILLCERT, step], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"skillcert {step} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    return time.perf_counter() - started


def valid_certificates(data_dir: Path, database_url: str, limit: int) -> list[tuple[str, str]]:
    query = (
        "SELECT number, name FROM certificates_certificate WHERE status = 'valid' "
        f"ORDER BY number LIMIT {int(limit)}"
    )
    if database_url:
        import psycopg

        with psycopg.connect(database_url, connect_timeout=10) as connection:
            rows = connection.execute(query).fetchall()
    else:
        with sqlite3.connect(data_dir / "skillcert.sqlite3", timeout=30) as connection:
            rows = connection.execute(query).fetchall()
        connection.close()
    return [(str(number), str(name)) for number, name in rows]


def start_server(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [SKILLCERT, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    with log.open("wb") as out:
        return subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} not ready within 90 s:\n{log.read_text(errors='replace')[-3000:]}")


def paths(pairs: list[tuple[str, str]], kinds: set[str]) -> list[str]:
    out = []
    for number, name in pairs:
        if "api" in kinds:
            out.append(f"{API}{number}?name={quote(name)}")
        if "page" in kinds:
            out.append(f"{PAGE}?number={number}&name={quote(name)}")
    return out


def lua_script(path: Path, targets: list[str]) -> Path:
    """A wrk script cycling over ``targets``, each thread from its own offset."""
    lines = ",\n".join(f'  "{target}"' for target in targets)
    path.write_text(
        f"local paths = {{\n{lines}\n}}\n"
        "local counter = 0\n"
        "function setup(thread)\n"
        '  thread:set("offset", counter * 7919)\n'
        "  counter = counter + 1\n"
        "end\n"
        "function init(args)\n"
        "  i = (offset or 0) % #paths\n"
        "end\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\n'
        "end\n",
        encoding="utf-8",
    )
    return path


def check_answers(balancer: str, number: str, name: str) -> None:
    """One API and one page lookup through nginx: 200 and the certificate found valid."""
    for target, expected in (
        (f"{API}{number}?name={quote(name)}", f'"number":"{number}"'),
        (f"{PAGE}?number={number}&name={quote(name)}", 'data-status="valid"'),
    ):
        try:
            with urllib.request.urlopen(balancer + target, timeout=10) as answer:
                body = answer.read().decode("utf-8", "replace")
                status = answer.status
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{target}: {exc.code}") from exc
        if status != 200 or expected not in body:
            raise RuntimeError(f"{target}: {status}, {expected!r} not in the answer")


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    assert found, text
    return float(found.group(1)) * _UNITS[found.group(2)]


def wrk(url: str, script: Path, duration: int, threads: int, connections: int) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
    command += ["--latency", "-s", str(script), url]
    out = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 60, check=True
    ).stdout

    def find(pattern: str) -> str:
        found = re.search(pattern, out, re.MULTILINE)
        if not found:
            raise RuntimeError(f"wrk's output has no {pattern!r}:\n{out}")
        return found.group(1)

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(find(r"Requests/sec:\s+([\d.]+)")),
        "p50": _ms(find(r"^\s+50%\s+(\S+)")),
        "p99": _ms(find(r"^\s+99%\s+(\S+)")),
        "answers": int(find(r"(\d+) requests in")),
        "non2xx": int(bad.group(1)) if bad else 0,
        "socket": sum(int(n) for n in errors.groups()) if errors else 0,
        "output": out,
    }


def read_log(log: Path, offset: int) -> dict:
    """What nginx logged from ``offset`` on: statuses, retried requests, each server's count."""
    statuses: Counter[str] = Counter()
    servers: Counter[str] = Counter()
    retried = upstream_errors = unparsed = 0
    with log.open("rb") as file:
        file.seek(offset)
        for raw in file:
            found = LOG_LINE.search(raw.decode("utf-8", "replace"))
            if not found:
                unparsed += 1
                continue
            statuses[found["status"]] += 1
            addresses = found["upstream"].split(", ")
            servers[addresses[-1]] += 1
            retried += len(addresses) > 1
            # A request the client closed (499, wrk at the stop) has no upstream status ("-").
            upstream_errors += any(
                s.isdigit() and not s.startswith("2") for s in found["us"].split(", ")
            )
    return {
        "lines": sum(statuses.values()),
        "statuses": statuses,
        "servers": servers,
        "retried": retried,
        "upstream_errors": upstream_errors,
        "unparsed": unparsed,
    }


def phase(
    args: argparse.Namespace,
    site: NginxSite,
    prefix: Path,
    port: int,
    script: Path,
    pair: tuple[str, str],
) -> dict:
    """nginx on ``site``: a check, a warm-up, the measured run, nginx's log of that run."""
    prefix.mkdir(parents=True)
    url = f"http://127.0.0.1:{port}"
    log = prefix / "skillcert.access.log"
    with running(render_site(site), prefix, port):
        check_answers(url, *pair)
        wrk(url, script, args.warmup, args.threads, args.connections)
        time.sleep(0.5)  # the warm-up's last requests are logged (499) before the offset
        offset = log.stat().st_size
        load = os.getloadavg()[0]
        result = wrk(url, script, args.duration, args.threads, args.connections)
        time.sleep(0.5)
        result["nginx"] = read_log(log, offset)
    result["load"] = load
    return result


def errors_of(result: dict, connections: int) -> list[str]:
    """Every failure in a phase; 499 (wrk closing at the stop) counts up to one per connection."""
    nginx = result["nginx"]
    problems = []
    if result["non2xx"]:
        problems.append(f"{result['non2xx']} non-2xx answers (wrk)")
    if result["socket"]:
        problems.append(f"{result['socket']} socket errors (wrk)")
    other = {s: n for s, n in nginx["statuses"].items() if s not in {"200", "499"}}
    if other:
        problems.append(f"nginx answered {other}")
    if nginx["statuses"]["499"] > connections:
        problems.append(f"{nginx['statuses']['499']} requests closed by the client (499)")
    if nginx["retried"] or nginx["upstream_errors"]:
        problems.append(
            f"{nginx['upstream_errors']} upstream errors, {nginx['retried']} requests retried"
        )
    if nginx["unparsed"]:
        problems.append(f"{nginx['unparsed']} nginx log lines not understood")
    if nginx["lines"] < result["answers"]:
        problems.append(f"nginx logged {nginx['lines']} requests, wrk had {result['answers']}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--sample", type=int, default=400, help="certificates to cycle over")
    parser.add_argument(
        "--paths",
        default="api,page",
        help="what wrk asks: api (/api/v1/public/certificates/<n>), page (/verify?number=), both",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").is_file()):
        print("nginx is missing: apt-get install -y nginx-light", file=sys.stderr)
        return 2
    if not (1 <= args.duration <= 120 and 1 <= args.rounds <= 10 and 1 <= args.warmup <= 30):
        print("--duration 1-120, --rounds 1-10, --warmup 1-30", file=sys.stderr)
        return 2
    kinds = set(args.paths.split(","))
    if not kinds or not kinds <= {"api", "page"}:
        print("--paths: api, page or api,page", file=sys.stderr)
        return 2
    database_url = os.environ.get("DATABASE_URL", "")
    base = Path(tempfile.mkdtemp(prefix="skillcert-bench-nginx-"))
    servers: list[subprocess.Popen[bytes]] = []
    try:
        port_a, port_b, port_lb = free_port(), free_port(), free_port()
        balancer = f"http://127.0.0.1:{port_lb}"
        env = instance_env(base, balancer, database_url)
        took = {step: skillcert(step, env["a"]) for step in ("setup", "demo")}
        pairs = valid_certificates(base / "a", database_url, args.sample)
        if not pairs:
            raise RuntimeError("the demo data has no valid certificate")
        engine = "PostgreSQL (DATABASE_URL)" if database_url else "SQLite, one file"
        print(
            f"setup {took['setup']:.1f} s, demo {took['demo']:.1f} s; {engine}; "
            f"{len(pairs)} valid certificates cycled, each asked by "
            + " and by ".join(KINDS[k] for k in sorted(kinds))
        )
        for name, port in (("a", port_a), ("b", port_b)):
            log = base / f"server-{name}.log"
            servers.append(start_server(port, env[name], log))
            wait_ready(f"http://127.0.0.1:{port}", servers[-1], log)
        script = lua_script(base / "verify.lua", paths(pairs, kinds))
        upstreams = {
            "one": (f"127.0.0.1:{port_a}",),
            "two": (f"127.0.0.1:{port_a}", f"127.0.0.1:{port_b}"),
        }
        results: dict[str, list[dict]] = {key: [] for key in upstreams}
        for index in range(args.rounds):
            for key, upstream in upstreams.items():
                prefix = base / f"nginx-{key}-{index}"
                site = NginxSite(
                    upstreams=upstream,
                    listen=f"127.0.0.1:{port_lb}",
                    server_name="127.0.0.1",
                    static_dir=str(base / "a" / "static"),
                    log_dir=str(prefix),
                )
                results[key].append(phase(args, site, prefix, port_lb, script, pairs[0]))
        for process in servers:
            stop_server(process)
        tracebacks = {
            name: (base / f"server-{name}.log").read_text(errors="replace").count("Traceback")
            for name in ("a", "b")
        }
        return report(args, results, upstreams, tracebacks)
    finally:
        for process in servers:
            stop_server(process)
        shutil.rmtree(base, ignore_errors=True)


def report(
    args: argparse.Namespace,
    results: dict[str, list[dict]],
    upstreams: dict[str, tuple[str, ...]],
    tracebacks: dict[str, int],
) -> int:
    print(
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency --timeout 10s "
        f"(after a {args.warmup} s warm-up) through nginx (1 worker), each app server "
        f"`skillcert serve --workers 2`, SKILLCERT_RATE_VERIFY = SKILLCERT_RATE_PUBLIC = {RATE} "
        f"(no 429 under load); {args.rounds} round(s), medians:"
    )
    labels = {"one": "one server (A) behind nginx", "two": "two servers (A, B) behind nginx"}
    print(
        f"  {'':<32} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'answers':>8} {'non-2xx':>7} "
        f"{'socket':>6} {'nginx≠200':>9} {'retried':>7} {'499':>4}  shares  load"
    )
    failures = []
    figures = {}
    for key, runs in results.items():
        figures[key] = {f: statistics.median(run[f] for run in runs) for f in ("rps", "p50", "p99")}
        for run in runs:
            nginx = run["nginx"]
            not_200 = nginx["lines"] - nginx["statuses"]["200"] - nginx["statuses"]["499"]
            shares = "/".join(
                f"{nginx['servers'][address] / max(nginx['lines'], 1):.0%}"
                for address in upstreams[key]
            )
            print(
                f"  {labels[key]:<32} {run['rps']:8.1f} {run['p50']:7.2f} {run['p99']:7.2f} "
                f"{run['answers']:8d} {run['non2xx']:7d} {run['socket']:6d} {not_200:9d} "
                f"{nginx['retried']:7d} {nginx['statuses']['499']:4d}  {shares:<7} "
                f"{run['load']:.1f}"
            )
            failures += [f"{labels[key]}: {p}" for p in errors_of(run, args.connections)]
            if key == "two" and min(nginx["servers"][a] for a in upstreams[key]) == 0:
                failures.append(f"{labels[key]}: a server got no request")
    for name, count in tracebacks.items():
        if count:
            failures.append(f"server {name.upper()} logged {count} tracebacks")
    one, two = figures["one"], figures["two"]
    print(
        f"two / one: {two['rps'] / one['rps']:.2f} x requests/s, "
        f"p99 {two['p99'] / one['p99']:.2f} x (p99 {one['p99']:.1f} -> {two['p99']:.1f} ms)"
    )
    if failures:
        print("ERRORS:\n" + "\n".join(f"  {f}" for f in failures))
        return 1
    print("errors: none (no non-2xx, no socket error, no upstream error or retry, no traceback)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
