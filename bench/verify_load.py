"""Public verification under load: the real endpoint against a minimal view, same server.

Run: .venv/bin/python bench/verify_load.py [--duration 15] [--threads 2] [--connections 32]
     [--workers 2] [--rounds 1] [--profile 300]

- A temporary data directory with SQLite, migrated; 100,000 certificates written with
  ``bulk_create`` (one organization, one batch, no candidates: ``Certificate.candidate`` is
  nullable), levels 3-5, random names.
- gunicorn on 127.0.0.1 with the argv of ``skillcert serve`` (2 workers, access log on), but
  serving ``bench/verify_load_wsgi.py``: the product's WSGI application plus a minimal view at
  ``/bench/minimal/<number>?name=`` (one indexed lookup over Django's connection, a small JSON)
  in the same worker processes. ``SKILLCERT_RATE_VERIFY=1000000/min`` so that throttling does
  not refuse requests (it still runs: the counter is read and written on every request).
- wrk (Debian's ``wrk``; ``apt-get install -y wrk``) with a Lua script rotating through 4,000
  real numbers and names: a warm-up of each, then for every round the minimal view and the
  real ``/api/v1/public/certificates/<number>?name=``, with the same settings (``--latency``).
  Requests/s and p99 are printed with the ratio; any non-2xx answer makes the run fail.
- ``--profile N``: afterwards, N requests to the real endpoint in-process (Django's test
  client) under cProfile; the time per request of each part and the top functions by own time
  are printed.
- Every round also loads the real endpoint through a second handler without the fast path
  (``/bench/full-stack/…``, every middleware), to show what ``api.fastpath`` saves.
- ``--floor``: also load ``/bench/django-noop`` and ``/bench/drf-noop`` (the framework's own
  cost per request, without the database).
- The server's process group is stopped and the data directory removed in every case.

Aim: the real endpoint >= 0.5 x the minimal view's requests/s.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from fnmatch import fnmatch
from pathlib import Path
from urllib.parse import quote

N = 100_000
SAMPLE = 4_000
ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
ISSUED_ON = dt.date(2026, 10, 27)
FILING_NUMBER = "S000034010001"
ORG_NAME = "合肥市示范职业技能培训学校"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅文斌辉鹏飞宇浩然"
REAL = "/api/v1/public/certificates/"
MINIMAL = "/bench/minimal/"
RATE = "1000000/min"
FLOOR = ("django-noop", "drf-noop")
LABELS = {
    "minimal": "minimal view (/bench/minimal/<n>)",
    "real": f"{REAL}<n>",
    "full-stack": "the same, every middleware (no fast path)",
    "django-noop": "floor: Django view, empty JSON",
    "drf-noop": "floor: DRF APIView, empty JSON",
}


def setup_django(data_dir: Path) -> None:
    os.environ["SKILLCERT_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "skillcert.settings"
    os.environ.setdefault("SKILLCERT_SECRET_KEY", "bench-only-secret-key")
    os.environ["SKILLCERT_RATE_VERIFY"] = RATE
    os.environ.pop("DATABASE_URL", None)  # always the temporary SQLite database
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    from skillcert.accounts.services import load_authorities
    from skillcert.audit.service import SYSTEM

    call_command("migrate", verbosity=0)
    load_authorities(actor=SYSTEM)


def make_certificates(n: int, seed: int = 2026) -> list[tuple[str, str]]:
    """``n`` valid certificates of one organization and batch; returns (number, name) pairs."""
    from skillcert.accounts.models import Authority
    from skillcert.assessment.models import Batch
    from skillcert.certificates.models import Certificate
    from skillcert.registry.models import Organization
    from skillcert.rules.idtypes import id_check_char

    hefei = Authority.objects.get(code="01")
    organization = Organization.objects.create(
        name=ORG_NAME,
        credit_code="52340100MJB000001X",
        category="S",
        home_city=hefei,
        status="active",
        filing_number=FILING_NUMBER,
        filing_authority=hefei,
        channel="city",
        filed_on=dt.date(2026, 1, 5),
        valid_until=dt.date(2029, 1, 4),
    )
    batch = Batch.objects.create(
        organization=organization,
        title="2026年第四期职业技能等级认定",
        start_date=dt.date(2026, 10, 19),
        end_date=dt.date(2026, 10, 20),
        site_city=hefei,
        site_address="合肥市蜀山区测试路1号",
        subjects=["理论知识", "操作技能"],
        pass_marks={"理论知识": "60", "操作技能": "60"},
        state="certificates_issued",
        plan_filed_on=dt.date(2026, 9, 1),
        publicity_start=dt.date(2026, 10, 20),
        publicity_end=dt.date(2026, 10, 26),
    )
    rng = random.Random(seed)
    serials = {3: 0, 4: 0, 5: 0}
    rows = []
    for index in range(n):
        level = (3, 4, 5)[index % 3]
        serials[level] += 1
        born = f"{1970 + index % 35}{1 + index % 12:02d}{1 + index % 28:02d}"
        first17 = f"340104{born}{index % 1000:03d}"
        rows.append(
            Certificate(
                number=f"{FILING_NUMBER}{ISSUED_ON.year % 100:02d}{level}{serials[level]:06d}",
                batch=batch,
                organization=organization,
                year=ISSUED_ON.year,
                level=level,
                serial=serials[level],
                issued_on=ISSUED_ON,
                name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))),
                id_type="201",
                id_number=first17 + id_check_char(first17),
                work_unit="安徽江淮汽车有限公司",
                city="01",
                occupation_code="6-18-02-04",
                occupation_name="焊工",
                work_type="",
                organization_name=ORG_NAME,
                filing_number=FILING_NUMBER,
            )
        )
    Certificate.objects.bulk_create(rows, batch_size=2000)
    assert Certificate.objects.count() == n
    return [(c.number, c.name) for c in rows]


def lua_script(path: Path, prefix: str, pairs: list[tuple[str, str]]) -> Path:
    """A wrk script that rotates through ``pairs`` (each thread from its own offset)."""
    lines = ",\n".join(f'  "{prefix}{number}?name={quote(name)}"' for number, name in pairs)
    path.write_text(
        f"local paths = {{\n{lines}\n}}\n"
        "local i = math.random(#paths)\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\n'
        "end\n",
        encoding="utf-8",
    )
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data_dir: Path, port: int, workers: int) -> subprocess.Popen:
    """gunicorn with ``skillcert serve``'s argv, serving the wrapper, in its own process group."""
    env = {**os.environ, "SKILLCERT_RATE_VERIFY": RATE, "SKILLCERT_BENCH_MINIMAL_VIEW": "1"}
    env["PYTHONPATH"] = os.pathsep.join([str(BENCH), str(ROOT / "src")])
    log = (data_dir / "server.log").open("wb")
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "verify_load_wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
        "--timeout",
        "120",
        "--no-control-socket",
    ]
    return subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)
    except ProcessLookupError:
        pass


def wait_until_up(base: str, path: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(base + path, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"the server did not answer {path} within {seconds:.0f} s")


def check(base: str, path: str) -> None:
    with urllib.request.urlopen(base + path, timeout=5) as response:
        assert response.status == 200, (path, response.status)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * _UNITS[unit]


def wrk(base: str, script: Path, duration: int, threads: int, connections: int) -> dict:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        base,
    ]
    out = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 60, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    if bad or errors:
        raise RuntimeError(f"wrk saw failures:\n{out}")
    return {"rps": rps, "p50": p50, "p99": p99, "requests": requests}


# (label, file names, function name): the cumulative time of the outermost such function, per
# request, from cProfile.
COMPONENTS = (
    ("whole request (Django test client)", ("client.py",), "request"),
    ("  middleware and Django's handler", ("base.py",), "get_response"),
    ("    the fast path (api/public/fastpath.py)", ("fastpath.py",), "__call__"),
    ("    DRF APIView.dispatch", ("views.py",), "dispatch"),
    ("      throttle (allow_request)", ("throttling.py",), "allow_request"),
    ("        the count (accounts/ratelimit.hit)", ("ratelimit.py",), "hit"),
    ("      find_public (the lookup)", ("verification.py",), "find_public"),
    ("        SQL execute (cursor)", ("utils.py",), "_execute"),
    ("      public_view (the answer's fields)", ("verification.py",), "public_view"),
    ("      JSON (JsonResponse)", ("response.py",), "__init__"),
)


def profile(pairs: list[tuple[str, str]], count: int, data_dir: Path) -> None:
    """``count`` requests to the real endpoint in-process under cProfile."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="127.0.0.1")
    targets = [f"{REAL}{number}?name={quote(name)}" for number, name in pairs[:count]]

    def run() -> float:
        started = time.perf_counter()
        for target in targets:
            response = client.get(target)
            assert response.status_code == 200, response.content
        return (time.perf_counter() - started) / len(targets) * 1e3

    def profiled(label: str) -> None:
        run()  # warm: imports, connection
        plain = statistics.median(run() for _ in range(3))
        profiler = cProfile.Profile()
        profiler.enable()
        run()
        profiler.disable()
        stats = pstats.Stats(profiler)
        print(f"\nprofile: {label}")
        print(f"{len(targets)} requests, {plain:.2f} ms each without the profiler; ms per request")
        print("under cProfile (cumulative):")
        for name, file_names, function in COMPONENTS:
            total = max(
                (
                    row[3]
                    for (path, _line, func), row in stats.stats.items()
                    if fnmatch(func, function) and Path(path).name in file_names
                ),
                default=0.0,
            )
            if total:
                print(f"  {name:<58} {total / len(targets) * 1e3:6.2f}")
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats("tottime").print_stats(12)
        print("  top own time:")
        for line in stream.getvalue().splitlines()[7:]:
            if line.strip():
                print(f"  {line}")

    profiled("as is")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also load /bench/django-noop and /bench/drf-noop (the framework's own cost)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    if not (1 <= args.duration <= 120 and 1 <= args.rounds <= 10):
        print("--duration 1-120 and --rounds 1-10", file=sys.stderr)
        return 2

    data_dir = Path(tempfile.mkdtemp(prefix="skillcert-bench-"))
    server = None
    try:
        started = time.perf_counter()
        setup_django(data_dir)
        (data_dir / "static").mkdir(exist_ok=True)
        pairs = make_certificates(N)
        print(f"setup: {N} certificates in {time.perf_counter() - started:.1f} s ({data_dir})")
        sample = random.Random(7).sample(pairs, SAMPLE)
        scripts = {
            "minimal": lua_script(data_dir / "minimal.lua", MINIMAL, sample),
            "real": lua_script(data_dir / "real.lua", REAL, sample),
            "full-stack": lua_script(data_dir / "full.lua", f"/bench/full-stack{REAL}", sample),
        }
        if args.floor:
            for key in FLOOR:
                scripts[key] = lua_script(data_dir / f"{key}.lua", f"/bench/{key}", [("", "")])
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        number, name = sample[0]
        from django.db import connections

        connections.close_all()  # the server opens its own
        server = start_server(data_dir, port, args.workers)
        wait_until_up(base, f"{MINIMAL}{number}?name={quote(name)}", server)
        check(base, f"{REAL}{number}?name={quote(name)}")
        for script in scripts.values():
            wrk(base, script, args.warmup, args.threads, args.connections)
        results: dict[str, list[dict]] = {key: [] for key in scripts}
        for _ in range(args.rounds):
            for key, script in scripts.items():
                results[key].append(
                    wrk(base, script, args.duration, args.threads, args.connections)
                )
        stop_server(server)
        server = None

        print(
            f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency, "
            f"{args.workers} gunicorn workers, {SAMPLE} numbers rotating, "
            f"{args.rounds} round(s), medians:"
        )
        figures = {}
        for key, runs in results.items():
            figures[key] = {
                field: statistics.median(run[field] for run in runs)
                for field in ("rps", "p50", "p99", "requests")
            }
            label = LABELS[key]
            each = ", ".join(f"{run['rps']:.0f}" for run in runs)
            f = figures[key]
            print(
                f"  {label:<42} {f['rps']:8.1f} req/s  p50 {f['p50']:7.2f} ms  "
                f"p99 {f['p99']:7.2f} ms  ({each} req/s)"
            )
        ratio = figures["real"]["rps"] / figures["minimal"]["rps"]
        p99_ratio = figures["real"]["p99"] / figures["minimal"]["p99"]
        verdict = "OK" if ratio >= 0.5 else "BELOW"
        print(f"real / minimal: {ratio:.2f} x requests/s (aim >= 0.50: {verdict}), ", end="")
        print(f"p99 {p99_ratio:.1f} x")
        share = figures["full-stack"]["rps"] / figures["minimal"]["rps"]
        print(f"{LABELS['full-stack']} / minimal: {share:.2f} x requests/s")
        for key in FLOOR if args.floor else ():
            share = figures[key]["rps"] / figures["minimal"]["rps"]
            print(f"{LABELS[key]} / minimal: {share:.2f} x requests/s")
        if args.profile:
            profile(sample, args.profile, data_dir)
        return 0
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
