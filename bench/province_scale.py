"""A province's year of data: list pages and endpoints at 1/100 and at full scale, PostgreSQL.

Run: .venv/bin/python bench/province_scale.py [--scale 1.0] [--runs 7] [--src DIR]

- A throwaway PostgreSQL cluster (initdb/pg_ctl from /usr/lib/postgresql/*/bin, a free
  loopback port, a temporary folder; as the ``postgres`` account when run as root), or the
  server of ``DATABASE_URL`` when set (two databases are created on it and dropped).
- Two datasets, each in its own database and child process: 1/100 scale (20 organizations,
  200 batches, ~10,000 candidates and certificates) and full scale (2,000 organizations, 20,000
  batches, ~1,000,000). ``--scale 0.1`` multiplies both (for development).
- Each child migrates, loads the reference data, fills the tables with COPY (psycopg's
  ``cursor.copy``), runs ``VACUUM ANALYZE`` and, when the code has it,
  ``supervision.services.summaries.refresh_statistics()`` (timed), then times each page with
  Django's test Client signed in as a provincial officer (省人社厅) and a city officer (合肥市
  人社局): one warm-up, then the median of ``--runs``. The baseline of each page is the bare SQL
  query returning the rows it shows, timed the same way on the same connection.
- ``--src DIR``: import the product from DIR instead of ./src (e.g. a copy of the code before
  a change, to measure "before" and "after" on the same machine).
- Prints, per dataset, each page's median, its bare query's median and the ratio; then the
  growth from 1/100 to full scale (aim <= 1.5x), and the database size per million
  certificates (``pg_database_size``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 12, 1)
YEAR_START = dt.date(2026, 1, 5)
CITIES: list[str] = []  # the 16 cities' codes, read from the reference data
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅文斌辉鹏飞宇浩然"
OCCUPATIONS = [
    ("6-18-02-04", "焊工"),
    ("6-31-01-03", "电工"),
    ("4-03-02-01", "中式烹调师"),
    ("4-10-01-02", "育婴员"),
    ("6-20-03-01", "车工"),
    ("4-10-01-05", "保育师"),
    ("6-29-01-04", "砌筑工"),
    ("4-07-03-02", "劳动关系协调员"),
    ("4-04-05-04", "计算机程序设计员"),
    ("6-18-01-01", "钳工"),
    ("4-10-06-01", "美容师"),
    ("4-03-02-02", "中式面点师"),
]
# The batch states by share (per 100 batches), as in a year's data: most have filed results.
STATES = (
    ["results_filed"] * 80
    + ["certificates_issued"] * 5
    + ["in_publicity"] * 3
    + ["publicity_closed"] * 2
    + ["results_entered"] * 2
    + ["plan_filed"] * 5
    + ["draft"] * 3
)
ISSUED = {"results_filed", "certificates_issued"}
CANDIDATES_PER_BATCH = 50


# --- the database server ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_pg(args: list[str]) -> None:
    """PostgreSQL refuses to run as root: as the ``postgres`` account then (as .ci/run does)."""
    if os.getuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


class Cluster:
    """A throwaway cluster in a temporary folder, stopped and removed on exit."""

    def __init__(self) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
        if not bins:
            sys.exit("no PostgreSQL in /usr/lib/postgresql (apt-get install postgresql)")
        self.bin = bins[-1]
        self.dir = Path(tempfile.mkdtemp(prefix="skillcert-scale-"))
        self.port = free_port()

    def __enter__(self) -> str:
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
        data = self.dir / "data"
        run_pg(
            [
                str(self.bin / "initdb"),
                "-D",
                str(data),
                "-U",
                "skillcert",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port}"
            f" -c unix_socket_directories={self.dir}"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            " -c shared_buffers=1GB -c work_mem=16MB -c maintenance_work_mem=512MB"
            " -c max_wal_size=4GB -c autovacuum=off"
        )
        run_pg(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(self.dir / "server.log"),
                "-w",
                "-o",
                options,
                "start",
            ]
        )
        return f"postgres://skillcert@127.0.0.1:{self.port}/postgres"

    def __exit__(self, *exc: object) -> None:
        try:
            run_pg(
                [str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop"]
            )
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def admin_sql(server_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(statement)


def database_url(server_url: str, name: str) -> str:
    return server_url.rsplit("/", 1)[0] + "/" + name


# --- the data (in the child) -----------------------------------------------------------------


def copy_rows(
    cursor: Any, model: Any, rows: Iterable[dict[str, Any]], explicit_id: bool = True
) -> int:
    """COPY ``rows`` (attname → value; missing ones take the field's default) into ``model``;
    the ids from the rows, or from the sequence when not ``explicit_id``."""
    columns = []
    for field in model._meta.concrete_fields:
        if field.primary_key and not explicit_id:
            continue
        if field.has_default():
            default = field.get_default()
        else:
            default = (
                None
                if field.null
                else ("" if field.get_internal_type() in {"CharField", "TextField"} else None)
            )
        columns.append((field.attname, field.column, default, field.get_internal_type()))
    # Personal data is sealed at rest (SM4, keystore.fields): COPY writes what the ORM would.
    sealed = {
        f.attname: f.get_prep_value for f in model._meta.concrete_fields if hasattr(f, "masked")
    }
    names = ", ".join(f'"{column}"' for _a, column, _d, _t in columns)
    json_columns = {a for a, _c, _d, t in columns if t == "JSONField"}
    count = 0
    with cursor.copy(f'COPY "{model._meta.db_table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            values = []
            for attname, _column, default, _type in columns:
                value = row.get(attname, default)
                if attname in sealed:
                    value = sealed[attname](value)
                if attname in json_columns:
                    value = json.dumps(value, ensure_ascii=False)
                values.append(value)
            copy.write_row(values)
            count += 1
    return count


def fill(organizations: int, batches: int, seed: int = 2026) -> dict[str, int]:
    """Organizations, batches, candidates, certificates and running notices, by COPY."""
    from django.db import connection

    from skillcert.accounts.models import Authority
    from skillcert.assessment.models import Batch, Candidate
    from skillcert.certificates.models import Certificate
    from skillcert.registry.models import Notice, Organization
    from skillcert.rules.levels import level_name

    rng = random.Random(seed)
    cities = dict(Authority.objects.filter(kind="city").values_list("code", "pk"))
    CITIES[:] = sorted(cities)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    has_count = any(f.name == "candidate_count" for f in Batch._meta.get_fields())
    orgs: list[dict[str, Any]] = []
    serial_of_city: dict[str, int] = {}
    for index in range(organizations):
        city = CITIES[index % len(CITIES)]
        serial_of_city[city] = serial_of_city.get(city, 0) + 1
        orgs.append(
            {
                "id": index + 1,
                "name": f"安徽省第{index + 1}职业技能培训学校",
                "credit_code": f"52340100MJ{index + 1:08d}",
                "category": "S",
                "home_city_id": cities[city],
                "status": "active",
                "filing_number": f"S000034{city}{serial_of_city[city]:04d}",
                "filing_authority_id": cities[city],
                "channel": "city",
                "filed_on": dt.date(2025, 3, 1),
                "valid_until": dt.date(2028, 2, 28),
                "registered_at": now,
            }
        )
    counts = {"organizations": 0, "batches": 0, "candidates": 0, "certificates": 0, "notices": 0}
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg's own, for COPY
        counts["organizations"] = copy_rows(cursor, Organization, orgs)
        batch_rows: list[dict[str, Any]] = []
        for index in range(batches):
            org = orgs[index % organizations]
            state = STATES[(index * 37) % len(STATES)]
            start = YEAR_START + dt.timedelta(days=index * 300 // batches)
            if state in {"in_publicity"}:
                start = TODAY - dt.timedelta(days=10 + index % 3)
            if state in {"plan_filed", "draft"}:
                start = TODAY + dt.timedelta(days=5 + index % 40)
            end = start + dt.timedelta(days=1)
            row: dict[str, Any] = {
                "id": index + 1,
                "organization_id": org["id"],
                "title": f"{start.year}年第{index % 12 + 1}期职业技能等级认定",
                "start_date": start,
                "end_date": end,
                "site_city_id": org["filing_authority_id"],
                "site_address": "安徽省某市某区测试路1号",
                "subjects": ["理论知识", "操作技能"],
                "pass_marks": {"理论知识": "60", "操作技能": "60"},
                "state": state,
                "copied_to_province": index % 7 == 0,
                "created_at": now,
                "updated_at": now,
            }
            if state not in {"draft"}:
                row["plan_filed_on"] = start - dt.timedelta(days=20)
            if state in {"in_publicity", "publicity_closed", *ISSUED}:
                row["publicity_start"] = end + dt.timedelta(days=3)
                row["publicity_end"] = end + dt.timedelta(days=9)
            if state in {"publicity_closed", *ISSUED}:
                row["results_due"] = end + dt.timedelta(days=24)
            if state == "results_filed":
                row["results_filed_on"] = end + dt.timedelta(days=20)
                row["late"] = index % 23 == 0
            if has_count and state != "draft":
                row["candidate_count"] = CANDIDATES_PER_BATCH
            batch_rows.append(row)
        counts["batches"] = copy_rows(cursor, Batch, batch_rows)

        candidates = []
        certificates = []
        notices = []
        serials: dict[tuple[int, int], int] = {}
        candidate_id = 0
        for batch in batch_rows:
            if batch["state"] == "draft":
                continue
            org = orgs[batch["organization_id"] - 1]
            results = batch["state"] not in {"plan_filed"}
            names = []
            for position in range(CANDIDATES_PER_BATCH):
                candidate_id += 1
                code, occupation = OCCUPATIONS[(batch["id"] + position // 20) % len(OCCUPATIONS)]
                level = 3 + (position + batch["id"]) % 3
                name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
                id_number = f"3401{candidate_id:013d}X"
                passed = results and position % 25 != 24
                candidates.append(
                    {
                        "id": candidate_id,
                        "batch_id": batch["id"],
                        "position": position,
                        "name": name,
                        "id_type": "201",
                        "id_number": id_number,
                        "city": CITIES[org["id"] % len(CITIES)],
                        "occupation_code": code,
                        "occupation_name": occupation,
                        "level": level,
                        "source": "社会人员",
                        "attended": True if results else None,
                        "scores": {"理论知识": "80", "操作技能": "85"} if results else {},
                        "passed": passed if results else None,
                    }
                )
                if passed:
                    names.append(
                        f"{name}\t{id_number[:6]}********{id_number[-4:]}\t"
                        f"{occupation}\t{level_name(level)}"
                    )
                if passed and batch["state"] in ISSUED:
                    key = (org["id"], level)
                    serials[key] = serials.get(key, 0) + 1
                    issued_on = batch["publicity_end"] + dt.timedelta(days=1)
                    certificates.append(
                        {
                            "number": f"{org['filing_number']}26{level}{serials[key]:06d}",
                            "candidate_id": candidate_id,
                            "batch_id": batch["id"],
                            "organization_id": org["id"],
                            "year": 2026,
                            "level": level,
                            "serial": serials[key],
                            "issued_on": issued_on,
                            "status": "revoked" if candidate_id % 97 == 0 else "valid",
                            "revoked_on": issued_on + dt.timedelta(days=30)
                            if candidate_id % 97 == 0
                            else None,
                            "name": name,
                            "id_type": "201",
                            "id_number": id_number,
                            "work_unit": "安徽某某有限公司",
                            "city": CITIES[org["id"] % len(CITIES)],
                            "occupation_code": code,
                            "occupation_name": occupation,
                            "organization_name": org["name"],
                            "filing_number": org["filing_number"],
                        }
                    )
            if batch["state"] == "in_publicity":
                body = "\n".join(
                    [
                        f"评价机构：{org['name']}（备案号 {org['filing_number']}）",
                        f"认定时间：{batch['start_date']} 至 {batch['end_date']}",
                        f"合格人数：{len(names)}",
                        "姓名\t证件号码\t职业（工种）\t等级",
                        *names,
                    ]
                )
                notices.append(
                    {
                        "kind": "result_publicity",
                        "title": f"{org['name']}职业技能等级认定结果公示（{batch['title']}）",
                        "body": body,
                        "authority_id": batch["site_city_id"],
                        "organization_id": org["id"],
                        "subject_id": batch["id"],
                        "starts_on": batch["publicity_start"],
                        "ends_on": batch["publicity_end"],
                        "published_at": now,
                    }
                )
        counts["candidates"] = copy_rows(cursor, Candidate, candidates)
        del candidates
        counts["certificates"] = copy_rows(
            cursor, Certificate, ({"id": i + 1, **c} for i, c in enumerate(certificates))
        )
        del certificates
        counts["notices"] = copy_rows(cursor, Notice, notices, explicit_id=False)
        for model in (Organization, Batch, Candidate, Certificate):
            table = model._meta.db_table
            django_cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
    return counts


# --- what is timed (in the child) ------------------------------------------------------------


def median_ms(call: Callable[[], Any], runs: int) -> float:
    call()  # warm-up (templates, caches, the plan cache)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


BATCH_ORDER = (
    "ORDER BY CASE WHEN b.state = 'results_filed' THEN 1 ELSE 0 END,"
    " CASE WHEN b.state = 'in_publicity' THEN b.publicity_end"
    " WHEN b.state IN ('publicity_closed', 'certificates_issued') THEN b.results_due"
    " WHEN b.state = 'results_filed' THEN b.results_filed_on ELSE b.start_date END"
    " ASC NULLS LAST, b.id DESC LIMIT 50"
)
CITY_ORGS = (
    "SELECT o.id FROM registry_organization o WHERE o.filing_authority_id = %(city)s"
    " OR o.home_city_id = %(city)s"
)


def bare_queries() -> dict[str, tuple[str, dict[str, Any]]]:
    """The bare SQL of the rows each page shows (the baseline), and its parameters."""
    from skillcert.accounts.models import Authority

    city = Authority.objects.get(code="01").pk
    certificates = (
        "SELECT c.*, b.title FROM certificates_certificate c"
        " JOIN assessment_batch b ON b.id = c.batch_id {where}"
        " ORDER BY c.issued_on DESC, c.number LIMIT 50"
    )
    return {
        "batches": (
            "SELECT b.*, o.name, a.name FROM assessment_batch b"
            " JOIN registry_organization o ON o.id = b.organization_id"
            " JOIN accounts_authority a ON a.id = b.site_city_id"
            f" WHERE b.state <> 'draft' {BATCH_ORDER}",
            {},
        ),
        "batches-city": (
            "SELECT b.*, o.name, a.name FROM assessment_batch b"
            " JOIN registry_organization o ON o.id = b.organization_id"
            " JOIN accounts_authority a ON a.id = b.site_city_id"
            f" WHERE b.state <> 'draft' AND b.site_city_id = %(city)s {BATCH_ORDER}",
            {"city": city},
        ),
        "certificates": (certificates.format(where=""), {}),
        "certificates-city": (
            certificates.format(where=f"WHERE c.organization_id IN ({CITY_ORGS})"),
            {"city": city},
        ),
        # The statistics show a few dozen figures: the bare query reads the rows they come
        # from at the smallest grain the figures need (a month's totals per city and level).
        "statistics": (
            "SELECT o.filing_authority_id, c.level, count(*) FROM certificates_certificate c"
            " JOIN registry_organization o ON o.id = c.organization_id"
            " WHERE c.issued_on BETWEEN %(start)s AND %(start)s + 30"
            " GROUP BY 1, 2",
            {"start": dt.date(2026, 11, 1)},
        ),
        "dashboard": ("SELECT count(*) FROM registry_organization WHERE status = 'active'", {}),
        "notices": (
            "SELECT id, kind, title, authority_id, starts_on, ends_on FROM registry_notice"
            " WHERE starts_on <= %(today)s AND ends_on >= %(today)s"
            " ORDER BY starts_on DESC, id DESC LIMIT 20",
            {"today": TODAY},
        ),
        "verify": (
            "SELECT * FROM certificates_certificate WHERE number = %(number)s",
            {"number": "S000034010001263000001"},
        ),
        "catalog": (
            "SELECT * FROM registry_organization WHERE status = 'active' ORDER BY name LIMIT 50",
            {},
        ),
        "worklist": (
            "SELECT * FROM registry_filingcase ORDER BY id DESC LIMIT 50",
            {},
        ),
    }


def pages(number: str, name: str) -> list[tuple[str, str, str, str]]:
    """(label, who, path, bare query) of every page and endpoint timed."""
    year = f"from=2026-01-01&to={TODAY}"
    return [
        ("/review/batches", "province", "/review/batches", "batches"),
        ("/review/batches", "city", "/review/batches", "batches-city"),
        ("/api/v1/batches", "province", "/api/v1/batches", "batches"),
        ("/api/v1/batches", "city", "/api/v1/batches", "batches-city"),
        ("statistics page", "province", "/review/supervision/statistics", "statistics"),
        ("statistics page", "city", "/review/supervision/statistics", "statistics"),
        ("statistics .xlsx", "province", "/review/supervision/statistics.xlsx", "statistics"),
        ("/api/v1/statistics", "province", f"/api/v1/statistics?{year}", "statistics"),
        ("/api/v1/statistics", "city", f"/api/v1/statistics?{year}", "statistics"),
        ("/review/certificates", "province", "/review/certificates", "certificates"),
        ("/review/certificates", "city", "/review/certificates", "certificates-city"),
        (
            "/review/certificates?q=name",
            "province",
            f"/review/certificates?q={name}",
            "certificates",
        ),
        ("/api/v1/certificates", "province", "/api/v1/certificates", "certificates"),
        ("/api/v1/certificates", "city", "/api/v1/certificates", "certificates-city"),
        ("/dashboard", "province", "/dashboard", "dashboard"),
        ("/dashboard", "city", "/dashboard", "dashboard"),
        ("/notices", "public", "/notices", "notices"),
        ("/api/v1/public/notices", "public", "/api/v1/public/notices", "notices"),
        (
            "public verification",
            "public",
            f"/api/v1/public/certificates/{number}?name={name}",
            "verify",
        ),
        ("/catalog", "public", "/catalog", "catalog"),
        ("/review/filings", "city", "/review/filings", "worklist"),
    ]


def child(args: argparse.Namespace) -> None:
    """Migrate, fill, time; print one JSON line."""
    os.environ["DATABASE_URL"] = args.database
    os.environ["DJANGO_SETTINGS_MODULE"] = "skillcert.settings"
    os.environ.setdefault("SKILLCERT_SECRET_KEY", "bench-only-secret-key")
    os.environ["SKILLCERT_TODAY"] = TODAY.isoformat()
    os.environ["SKILLCERT_RATE_VERIFY"] = "1000000/min"
    os.environ["SKILLCERT_RATE_PUBLIC"] = "1000000/min"
    os.environ["SKILLCERT_ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ.setdefault("SKILLCERT_DATA_DIR", tempfile.mkdtemp(prefix="skillcert-scale-data-"))
    sys.path.insert(0, str(Path(args.src).resolve()))
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from skillcert.accounts.services import add_user, load_authorities
    from skillcert.audit.service import SYSTEM
    from skillcert.certificates.models import Certificate
    from skillcert.reference.services import load_occupation_catalog

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    load_authorities(actor=SYSTEM)
    load_occupation_catalog(actor=SYSTEM)
    started = time.perf_counter()
    counts = fill(args.organizations, args.batches)
    fill_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    refresh_s = None
    try:
        from skillcert.supervision.services.summaries import (  # type: ignore[import-not-found]
            refresh_statistics,
        )
    except ImportError:
        refresh_statistics = None
    if refresh_statistics is not None:
        started = time.perf_counter()
        refresh_statistics()
        refresh_s = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    users = {
        "province": add_user(
            "bench_province",
            password="Bench-2026-scale",
            role="province_dept",
            authority="province",
            actor=SYSTEM,
        ),
        "city": add_user(
            "bench_city",
            password="Bench-2026-scale",
            role="city_bureau",
            authority="01",
            actor=SYSTEM,
        ),
    }
    clients = {"public": Client()}
    for who, user in users.items():
        clients[who] = Client()
        clients[who].force_login(user)
    sample = Certificate.objects.order_by("pk").values_list("number", "name").first()
    assert sample is not None
    queries = bare_queries()
    queries["verify"] = (queries["verify"][0], {"number": sample[0]})
    rows = []
    for label, who, path, bare in pages(*sample):
        client = clients[who]
        response = client.get(path)
        assert response.status_code == 200, (path, who, response.status_code)
        size = len(response.content)
        page_ms = median_ms(lambda c=client, p=path: c.get(p), args.runs)
        sql, params = queries[bare]

        def run_sql(sql: str = sql, params: dict[str, Any] = params) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()

        bare_ms = median_ms(run_sql, args.runs)
        rows.append({"page": label, "who": who, "ms": page_ms, "bare_ms": bare_ms, "bytes": size})
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        size_bytes = cursor.fetchone()[0]
    print(
        "RESULT "
        + json.dumps(
            {
                "counts": counts,
                "fill_s": fill_s,
                "refresh_s": refresh_s,
                "db_bytes": size_bytes,
                "rows": rows,
            }
        ),
        flush=True,
    )


# --- the parent ------------------------------------------------------------------------------


def measure(server: str, name: str, organizations: int, batches: int, args: Any) -> dict:
    admin_sql(server, f"DROP DATABASE IF EXISTS {name}")
    admin_sql(server, f"CREATE DATABASE {name}")
    try:
        command = [
            sys.executable,
            __file__,
            "--child",
            "--database",
            database_url(server, name),
            "--organizations",
            str(organizations),
            "--batches",
            str(batches),
            "--runs",
            str(args.runs),
            "--src",
            args.src,
        ]
        started = time.perf_counter()
        output = subprocess.run(command, check=True, capture_output=True, text=True)
        for line in output.stdout.splitlines():
            if line.startswith("RESULT "):
                result = json.loads(line[len("RESULT ") :])
                result["wall_s"] = time.perf_counter() - started
                return result
        raise RuntimeError(output.stdout + output.stderr)
    except subprocess.CalledProcessError as exc:
        sys.stderr.write(exc.stdout + exc.stderr)
        raise
    finally:
        admin_sql(server, f"DROP DATABASE IF EXISTS {name}")


def report(results: dict[str, dict]) -> None:
    for name, result in results.items():
        counts = result["counts"]
        print(
            f"\n== {name}: {counts['organizations']:,} organizations,"
            f" {counts['batches']:,} batches,"
            f" {counts['candidates']:,} candidates, {counts['certificates']:,} certificates,"
            f" {counts['notices']:,} running notices; fill {result['fill_s']:.1f} s"
            + (f", refresh_statistics {result['refresh_s']:.2f} s" if result["refresh_s"] else "")
            + f"; database {result['db_bytes'] / 2**20:,.0f} MiB"
            f" = {result['db_bytes'] / 2**30 / max(counts['certificates'], 1) * 1e6:.2f} GiB"
            " per million certificates =="
        )
        print(
            f"{'page or endpoint':<30} {'who':<9} {'page ms':>9} {'bare ms':>8} {'ratio':>6} "
            f"{'KiB':>7}"
        )
        for row in result["rows"]:
            print(
                f"{row['page']:<30} {row['who']:<9} {row['ms']:>9.1f} {row['bare_ms']:>8.2f} "
                f"{row['ms'] / max(row['bare_ms'], 1e-3):>6.1f} {row['bytes'] / 1024:>7.1f}"
            )
    if len(results) == 2:
        small, full = results.values()
        print("\n== growth: full scale / 1/100 scale (aim <= 1.5x) ==")
        print(f"{'page or endpoint':<30} {'who':<9} {'small ms':>9} {'full ms':>9} {'growth':>7}")
        for a, b in zip(small["rows"], full["rows"], strict=True):
            print(
                f"{a['page']:<30} {a['who']:<9} {a['ms']:>9.1f} {b['ms']:>9.1f} "
                f"{b['ms'] / a['ms']:>6.2f}x"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies both datasets")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--src", default=str(ROOT / "src"), help="the product's source folder")
    parser.add_argument("--only", choices=["small", "full"], help="one dataset only")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--organizations", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--batches", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    datasets = {
        "1/100 scale": (max(2, round(20 * args.scale)), max(4, round(200 * args.scale))),
        "full scale": (max(2, round(2000 * args.scale)), max(4, round(20000 * args.scale))),
    }
    if args.only:
        datasets = dict([list(datasets.items())[0 if args.only == "small" else 1]])
    print(f"source: {args.src}; scale {args.scale}; medians of {args.runs} runs")
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    results = {}

    def run(server: str) -> None:
        for index, (name, (organizations, batches)) in enumerate(datasets.items()):
            results[name] = measure(
                server, f"skillcert_scale_{index}", organizations, batches, args
            )

    if os.environ.get("DATABASE_URL"):
        run(os.environ["DATABASE_URL"])
    else:
        with Cluster() as server:
            run(server)
    report(results)
    print(f"\nload average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
