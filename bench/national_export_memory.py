"""A year's national export (附件5, 1,000,000 certificates): peak memory against a bare write.

Run: nice .venv/bin/python bench/national_export_memory.py [--rows 1000000] [--src DIR]

- A throwaway PostgreSQL cluster (``province_scale.Cluster``: initdb/pg_ctl from
  /usr/lib/postgresql/*/bin, a free loopback port, a temporary folder; as the ``postgres``
  account when run as root), or the server of ``DATABASE_URL`` when set (one database is
  created on it and dropped).
- A first child migrates, loads the authorities, adds a provincial officer (省人社厅) and fills
  the tables with COPY: 2 organizations per 1,000 certificates, batches of 50 issued over the
  year 2026, ``--rows`` valid certificates (no candidates: ``Certificate.candidate`` may be
  empty), then ``VACUUM ANALYZE``.
- Then each measurement runs in its own fresh child process, so its peak resident memory
  (``VmHWM`` of /proc/self/status, read at the end inside the child) belongs to it alone.
  Both children start the same way (``django.setup()`` on the same settings and database):
  the fixed cost of a running product is in both, and the difference is the export's own.

  (a) **the product**: ``national.prepare(period=(2026-01-01, 2026-12-01), actor=officer)``,
      the service function the page, the API and ``skillcert national export`` call: locks
      and lists the certificates, writes the export's items, the .xlsx (temporary file),
      its checksum, the stored file (``default_storage``: the file system here) and the audit
      entry, in one transaction;
  (b) **the baseline**: the same rows read with a bare server-side cursor (raw SQL, 2,000 rows
      a fetch) and written by a bare XlsxWriter workbook with ``{"constant_memory": True}``,
      the same 12 string columns (level and city names looked up in two dicts), to a file.

  For information, a third child (c) does (b) without Django (psycopg and XlsxWriter only):
  what the interpreter and those two libraries cost by themselves.
- Prints the peak MB of each, the resident MB right after start-up, the time, the file sizes,
  the ratio (a)/(b), and whether the aim (peak < 300 MB and <= 1.3x the baseline) is met.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from province_scale import Cluster, admin_sql, copy_rows, database_url

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 12, 1)
PERIOD = (dt.date(2026, 1, 1), TODAY)
YEAR_START = dt.date(2026, 1, 5)
PER_BATCH = 50
CERTIFICATES_PER_ORGANIZATION = 500
OFFICER = "bench_province"
AIM_MB = 300
AIM_RATIO = 1.3
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅文斌辉鹏飞宇浩然"
OCCUPATIONS = (
    ("6-18-02-04", "焊工", ("", "电焊工", "气焊工")),
    ("6-31-01-03", "电工", ("", "维修电工")),
    ("4-03-02-01", "中式烹调师", ("",)),
    ("4-10-01-02", "育婴员", ("",)),
    ("6-20-03-01", "汽车维修工", ("", "汽车机械维修工")),
    ("4-04-05-04", "计算机程序设计员", ("",)),
)
UNITS = (
    *(f"安徽{word}有限公司" for word in ("江淮汽车", "海螺水泥", "马钢股份", "铜陵有色")),
    "合肥技师学院",
    "个体",
    "",
)
HEADER = (  # annex5.HEADER (the Django child checks they agree)
    "姓名",
    "证件类型",
    "证件号码",
    "所在单位",
    "职业名称",
    "工种名称",
    "职业技能等级",
    "证书编号",
    "发证日期",
    "评价机构",
    "发证机构",
    "考生所在地市",
)
# The bare query: the rows of the export, in its order (the product's query adds its items).
# id_number is read as stored (sealed, SM4): the floor does not open it, the product does.
BARE_SQL = (
    "SELECT name, id_type, id_number, work_unit, occupation_name, work_type, level, number,"
    " issued_on, organization_name, city FROM certificates_certificate"
    " WHERE status = 'valid' AND issued_on BETWEEN %s AND %s ORDER BY number"
)


def memory_mb() -> dict[str, float]:
    """This process's peak (VmHWM) and current (VmRSS) resident memory, MB."""
    figures = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            figures[key] = int(value.split()[0]) / 1024  # kB
    return figures


def child_environment(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = args.database
    os.environ["DJANGO_SETTINGS_MODULE"] = "skillcert.settings"
    os.environ.setdefault("SKILLCERT_SECRET_KEY", "bench-only-secret-key")
    os.environ["SKILLCERT_TODAY"] = TODAY.isoformat()
    os.environ["SKILLCERT_DATA_DIR"] = args.data_dir
    os.environ.pop("SKILLCERT_DEBUG", None)  # DEBUG keeps every query's SQL in memory
    os.environ.pop("SKILLCERT_STORAGE", None)  # the file system under the data directory
    sys.path.insert(0, str(Path(args.src).resolve()))


def setup_django(args: argparse.Namespace) -> None:
    child_environment(args)
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()


# --- the data (first child) ------------------------------------------------------------------


def fill(rows: int, seed: int = 2026) -> dict[str, int]:
    """Organizations, batches (50 certificates each, issued through the year) and ``rows``
    valid certificates, by COPY; the certificates streamed, never all in memory."""
    from django.db import connection

    from skillcert.accounts.models import Authority
    from skillcert.assessment.models import Batch
    from skillcert.certificates.models import Certificate
    from skillcert.registry.models import Organization

    rng = random.Random(seed)
    cities = dict(Authority.objects.filter(kind="city").values_list("code", "pk"))
    codes = sorted(cities)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    organizations = max(1, -(-rows // CERTIFICATES_PER_ORGANIZATION))
    batches = -(-rows // PER_BATCH)
    orgs: list[dict[str, Any]] = []
    serial_of_city: dict[str, int] = {}
    for index in range(organizations):
        city = codes[index % len(codes)]
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
                "city": city,
            }
        )
    batch_rows: list[dict[str, Any]] = []
    for index in range(batches):
        org = orgs[index % organizations]
        start = YEAR_START + dt.timedelta(days=index * 320 // batches)
        end = start + dt.timedelta(days=1)
        batch_rows.append(
            {
                "id": index + 1,
                "organization_id": org["id"],
                "title": f"2026年第{index % 12 + 1}期职业技能等级认定",
                "start_date": start,
                "end_date": end,
                "site_city_id": org["filing_authority_id"],
                "site_address": "安徽省某市某区测试路1号",
                "subjects": ["理论知识", "操作技能"],
                "pass_marks": {"理论知识": "60", "操作技能": "60"},
                "state": "certificates_issued",
                "plan_filed_on": start - dt.timedelta(days=20),
                "publicity_start": end + dt.timedelta(days=3),
                "publicity_end": end + dt.timedelta(days=9),
                "results_due": end + dt.timedelta(days=24),
                "candidate_count": PER_BATCH,
                "created_at": now,
                "updated_at": now,
            }
        )

    def certificates() -> Iterator[dict[str, Any]]:
        serials: dict[tuple[int, int], int] = {}
        for index in range(rows):
            batch = batch_rows[index // PER_BATCH]
            org = orgs[batch["organization_id"] - 1]
            code, occupation, work_types = OCCUPATIONS[index % len(OCCUPATIONS)]
            level = 3 + index % 3
            key = (org["id"], level)
            serial = serials[key] = serials.get(key, 0) + 1
            born = f"{1970 + index % 35}{1 + index % 12:02d}{1 + index % 28:02d}"
            yield {
                "id": index + 1,
                "number": f"{org['filing_number']}26{level}{serial:06d}",
                "batch_id": batch["id"],
                "organization_id": org["id"],
                "year": 2026,
                "level": level,
                "serial": serial,
                "issued_on": batch["publicity_end"] + dt.timedelta(days=1),
                "status": "valid",
                "name": rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))),
                "id_type": "201",
                "id_number": f"340{index % 1000:03d}{born}{index % 1000:03d}X",
                "work_unit": UNITS[index % len(UNITS)],
                "city": codes[index % len(codes)],
                "occupation_code": code,
                "occupation_name": occupation,
                "work_type": work_types[index % len(work_types)],
                "organization_name": org["name"],
                "filing_number": org["filing_number"],
            }

    counts = {}
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg's own, for COPY
        counts["organizations"] = copy_rows(
            cursor, Organization, ({k: v for k, v in o.items() if k != "city"} for o in orgs)
        )
        counts["batches"] = copy_rows(cursor, Batch, batch_rows)
        counts["certificates"] = copy_rows(cursor, Certificate, certificates())
        for model in (Organization, Batch, Certificate):
            table = model._meta.db_table
            django_cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
    return counts


def child_fill(args: argparse.Namespace) -> dict[str, Any]:
    setup_django(args)
    from django.core.management import call_command
    from django.db import connection

    from skillcert.accounts.services import add_user, load_authorities
    from skillcert.audit.service import SYSTEM

    call_command("migrate", verbosity=0)
    load_authorities(actor=SYSTEM)
    add_user(
        OFFICER,
        password="Bench-2026-export",
        role="province_dept",
        authority="province",
        actor=SYSTEM,
    )
    started = time.perf_counter()
    counts = fill(args.rows)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
    return {"counts": counts, "fill_s": time.perf_counter() - started, "db_bytes": size}


# --- the measurements (one child each) -------------------------------------------------------


def child_product(args: argparse.Namespace) -> dict[str, Any]:
    setup_django(args)
    from django.db import connection

    from skillcert.accounts.models import User
    from skillcert.certificates import national
    from skillcert.documents import files

    officer = User.objects.get(username=OFFICER)
    connection.ensure_connection()
    start_mb = memory_mb()["VmRSS"]
    started = time.perf_counter()
    prepared = national.prepare(period=PERIOD, actor=officer)
    seconds = time.perf_counter() - started
    peak = memory_mb()
    export = prepared.export
    assert prepared.created and export.certificate_count == args.rows, export.certificate_count
    name = national.export_name(export)
    return {
        "peak_mb": peak["VmHWM"],
        "end_mb": peak["VmRSS"],
        "start_mb": start_mb,
        "seconds": seconds,
        "file_bytes": files.storage().size(name),
        "rows": export.certificate_count,
    }


def write_bare(rows: Iterator[tuple[Any, ...]], path: str) -> int:
    """The bare XlsxWriter write: the header and 12 strings a row, constant memory."""
    import xlsxwriter

    names = json.loads(os.environ["BENCH_NAMES"])
    levels, cities = names["levels"], names["cities"]
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = workbook.add_worksheet("附件5")
    write_string = sheet.write_string
    for col, title in enumerate(HEADER):
        write_string(0, col, title)
    count = 0
    for count, values in enumerate(rows, start=1):
        name, id_type, id_number, unit, occupation, work_type, level, number, day, org, city = (
            values
        )
        for col, text in enumerate(
            (
                name,
                id_type,
                id_number,
                unit,
                occupation,
                work_type or "——",
                levels[str(level)],
                number,
                day.isoformat(),
                org,
                org,
                cities[city],
            )
        ):
            write_string(count, col, text)
    workbook.close()
    return count


def bare_rows(connection: Any) -> Iterator[tuple[Any, ...]]:
    """The rows through a server-side cursor (psycopg's named cursor), 2,000 a fetch."""
    with connection.transaction(), connection.cursor(name="bare_export") as cursor:
        cursor.itersize = 2000
        cursor.execute(BARE_SQL, PERIOD)
        yield from cursor


def child_bare(args: argparse.Namespace, with_django: bool) -> dict[str, Any]:
    if with_django:
        setup_django(args)
        from django.db import connection

        from skillcert.certificates import annex5

        assert annex5.HEADER == HEADER
        connection.ensure_connection()
        raw = connection.connection  # psycopg's connection under Django's
        raw.autocommit = True  # so that connection.transaction() opens the transaction
    else:
        child_environment(args)
        import psycopg
        import xlsxwriter  # noqa: F401  (loaded before start_mb, as in the other child)

        raw = psycopg.connect(args.database, autocommit=True)
    start_mb = memory_mb()["VmRSS"]
    path = Path(args.data_dir) / f"bare-{'django' if with_django else 'plain'}.xlsx"
    started = time.perf_counter()
    count = write_bare(bare_rows(raw), str(path))
    seconds = time.perf_counter() - started
    peak = memory_mb()
    assert count == args.rows, count
    return {
        "peak_mb": peak["VmHWM"],
        "end_mb": peak["VmRSS"],
        "start_mb": start_mb,
        "seconds": seconds,
        "file_bytes": path.stat().st_size,
        "rows": count,
    }


def child(args: argparse.Namespace) -> None:
    if args.child == "fill":
        result = child_fill(args)
    elif args.child == "product":
        result = child_product(args)
    else:
        result = child_bare(args, with_django=args.child == "bare")
    print("RESULT " + json.dumps(result), flush=True)


# --- the parent ------------------------------------------------------------------------------


def names_for_bare(src: str) -> str:
    """The level and city names for the bare children, from the product's rules (plain
    Python, no Django)."""
    sys.path.insert(0, str(Path(src).resolve()))
    from skillcert.rules.levels import Level, level_name
    from skillcert.rules.regions import ANHUI

    return json.dumps(
        {
            "levels": {str(int(level)): level_name(level) for level in Level},
            "cities": {city.code: city.name for city in ANHUI.cities},
        },
        ensure_ascii=False,
    )


def run_child(kind: str, database: str, data_dir: str, args: argparse.Namespace) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        kind,
        "--database",
        database,
        "--data-dir",
        data_dir,
        "--rows",
        str(args.rows),
        "--src",
        args.src,
    ]
    env = {**os.environ, "BENCH_NAMES": names_for_bare(args.src)}
    try:
        output = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    except subprocess.CalledProcessError as exc:
        sys.stderr.write(exc.stdout + exc.stderr)
        raise
    for line in output.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise RuntimeError(output.stdout + output.stderr)


def measure(server: str, args: argparse.Namespace) -> dict[str, dict]:
    name = "skillcert_national_memory"
    admin_sql(server, f"DROP DATABASE IF EXISTS {name}")
    admin_sql(server, f"CREATE DATABASE {name}")
    database = database_url(server, name)
    results = {}
    with tempfile.TemporaryDirectory(prefix="skillcert-national-memory-") as data_dir:
        try:
            results["fill"] = run_child("fill", database, data_dir, args)
            # The bare writes first: the product's export marks the certificates as reported.
            results["bare"] = run_child("bare", database, data_dir, args)
            results["plain"] = run_child("plain", database, data_dir, args)
            results["product"] = run_child("product", database, data_dir, args)
        finally:
            admin_sql(server, f"DROP DATABASE IF EXISTS {name}")
    return results


def report(results: dict[str, dict]) -> None:
    fill = results["fill"]
    counts = fill["counts"]
    print(
        f"data: {counts['certificates']:,} valid certificates, {counts['batches']:,} batches,"
        f" {counts['organizations']:,} organizations (COPY, {fill['fill_s']:.1f} s;"
        f" database {fill['db_bytes'] / 2**20:,.0f} MiB)"
    )
    labels = {
        "product": "(a) national.prepare(period=a year)",
        "bare": "(b) bare XlsxWriter constant_memory (baseline)",
        "plain": "(c) the same as (b) without Django (for information)",
    }
    print(f"{'what':<54} {'peak MB':>8} {'start MB':>9} {'time s':>8} {'file MiB':>9}")
    for key in ("product", "bare", "plain"):
        row = results[key]
        print(
            f"{labels[key]:<54} {row['peak_mb']:>8.1f} {row['start_mb']:>9.1f}"
            f" {row['seconds']:>8.1f} {row['file_bytes'] / 2**20:>9.1f}"
        )
    product, bare = results["product"], results["bare"]
    ratio = product["peak_mb"] / bare["peak_mb"]
    print(
        f"peak memory: product {product['peak_mb']:.1f} MB (aim < {AIM_MB}):"
        f" {'OK' if product['peak_mb'] < AIM_MB else 'ABOVE'};"
        f" product / baseline = {ratio:.2f} (aim <= {AIM_RATIO}):"
        f" {'OK' if ratio <= AIM_RATIO else 'ABOVE'}"
    )
    print(
        f"time: product {product['seconds']:.1f} s, baseline {bare['seconds']:.1f} s"
        f" ({product['seconds'] / bare['seconds']:.2f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="certificates exported")
    parser.add_argument("--src", default=str(ROOT / "src"), help="the product's source folder")
    parser.add_argument(
        "--child", choices=["fill", "product", "bare", "plain"], help=argparse.SUPPRESS
    )
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    print(f"source: {args.src}; {args.rows:,} certificates in one period export")
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if os.environ.get("DATABASE_URL"):
        results = measure(os.environ["DATABASE_URL"], args)
    else:
        with Cluster() as server:
            results = measure(server, args)
    report(results)
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
