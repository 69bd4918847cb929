"""Benchmark: importing a 10,000-candidate roster (.xlsx) into a draft batch.

Run from the project folder:  .venv/bin/python bench/import_roster.py [--rows N] [--repeat K]

Sets up Django on a temporary SQLite data directory (never ./var), loads the authorities and
the occupation catalog, files an organization in 合肥 for 焊工 (levels 3-5), drafts a batch,
writes a roster of valid, distinct candidates and measures in the same run:

  (a) the fastest bare read: python-calamine, every row into Python lists;
  (b) openpyxl read-only (values only), for reference;
  (c) read_candidate_sheet + the full row check (RowCheck), without writing;
  (d) the full import_candidates, database write included.

Prints the median of each and the ratios (c)/(a) and (d)/(a). The aim of the issue: "import
and check" at most 3x the fastest bare read.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

DATA_DIR = tempfile.mkdtemp(prefix="skillcert-bench-")
os.environ["SKILLCERT_DATA_DIR"] = DATA_DIR
os.environ["DJANGO_SETTINGS_MODULE"] = "skillcert.settings"
os.environ["SKILLCERT_TODAY"] = "2026-11-02"
os.environ.pop("DATABASE_URL", None)  # always the temporary SQLite database

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
import python_calamine  # noqa: E402
import xlsxwriter  # noqa: E402
from django.core.management import call_command  # noqa: E402

from skillcert.accounts.models import Authority  # noqa: E402
from skillcert.accounts.services import load_authorities  # noqa: E402
from skillcert.assessment import excel  # noqa: E402
from skillcert.assessment.models import Batch  # noqa: E402
from skillcert.assessment.services.plans import create_batch, plan_index  # noqa: E402
from skillcert.audit.service import SYSTEM  # noqa: E402
from skillcert.ops.demo import demo_credit_code  # noqa: E402
from skillcert.reference.services import load_occupation_catalog  # noqa: E402
from skillcert.registry.models import (  # noqa: E402
    Organization,
    ScopeItem,
    ServiceArea,
    levels_key,
)
from skillcert.registry.services.organizations import register_organization  # noqa: E402
from skillcert.rules import clock  # noqa: E402
from skillcert.rules.assessment import CANDIDATE_COLUMNS  # noqa: E402
from skillcert.rules.idtypes import id_check_char  # noqa: E402
from skillcert.rules.regions import ANHUI  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超"]
LEVELS = ["三级/高级工", "四级/中级工", "五级/初级工"]
SOURCES = ["企业职工", "院校学生", "社会人员"]


def setup() -> tuple[Batch, object]:
    call_command("migrate", verbosity=0)
    load_authorities(actor=SYSTEM)
    load_occupation_catalog(actor=SYSTEM)
    organization = register_organization(
        username="bench_org",
        password="Bench-pass-2026",
        credit_code=demo_credit_code("340104", "BB000001"),
        name="合肥基准测试培训学校",
    )
    user = organization.members.get().user
    hefei = Authority.objects.get(code="01")
    Organization.objects.filter(pk=organization.pk).update(
        status="in_pilot",
        category="S",
        filing_number="S000034010001",
        filing_authority=hefei,
        channel="city",
        scope="city",
        filed_on=dt.date(2026, 10, 9),
        valid_until=dt.date(2029, 10, 8),
        pilot_until=dt.date(2027, 10, 8),
    )
    ServiceArea.objects.create(organization=organization, city=hefei, since=dt.date(2026, 10, 9))
    ScopeItem.objects.create(
        organization=organization,
        occupation_name="焊工",
        occupation_code="6-18-02-04",
        levels=[3, 4, 5],
        levels_key=levels_key([3, 4, 5]),
    )
    organization.refresh_from_db()
    batch = create_batch(
        organization,
        {
            "title": "基准测试批次",
            "start_date": "2026-12-01",
            "end_date": "2026-12-03",
            "site_city": "01",
            "site_address": "合肥市蜀山区长江西路 100 号",
            "subjects": ["理论知识", "操作技能"],
            "items": [
                {"occupation_code": "6-18-02-04", "occupation_name": "焊工", "level": level}
                for level in (3, 4, 5)
            ],
        },
        actor=user,
    )
    return batch, user


def identity(index: int) -> str:
    born = dt.date(1970, 1, 1) + dt.timedelta(days=index // 500)
    first17 = f"340104{born:%Y%m%d}{index % 500:03d}"
    return first17 + id_check_char(first17)


def roster(rows: int) -> bytes:
    """A roster as Excel or WPS would save it: shared strings, text columns."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("考生名单")
    for column, name in enumerate(CANDIDATE_COLUMNS):
        sheet.write_string(0, column, name)
    cities = [city.name for city in ANHUI.cities]
    for index in range(rows):
        name = SURNAMES[index % len(SURNAMES)] + GIVEN[index % len(GIVEN)]
        name += GIVEN[(index // 7) % len(GIVEN)]
        values = (
            name,
            "居民身份证" if index % 3 else "201",
            identity(index),
            f"合肥第{index % 40 + 1}机械厂",
            cities[index % len(cities)],
            "6-18-02-04",
            "",
            LEVELS[index % 3],
            SOURCES[index % 3],
        )
        for column, value in enumerate(values):
            if value:
                sheet.write_string(index + 1, column, value)
    book.close()
    return buffer.getvalue()


def measure(variants: dict[str, Callable[[], object]], repeat: int) -> dict[str, list[float]]:
    """Seconds per run of each variant, in interleaved rounds (each round runs every variant
    once, in turn) after one warm-up of each, so that load from elsewhere on the machine
    falls on all of them alike."""
    for work in variants.values():
        work()
    times: dict[str, list[float]] = {label: [] for label in variants}
    for _ in range(repeat):
        for label, work in variants.items():
            started = time.perf_counter()
            work()
            times[label].append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5, help="rounds, 1-20 (default 5)")
    parser.add_argument("--profile", action="store_true", help="cProfile (c) once, top 25")
    args = parser.parse_args()
    repeat = max(1, min(args.repeat, 20))
    try:
        batch, user = setup()
        data = roster(args.rows)
        print(f"roster: {args.rows} candidates, {len(data) / 1024:.0f} KiB; data dir {DATA_DIR}")

        def calamine(
            read: Callable[[python_calamine.CalamineSheet], object],
        ) -> Callable[[], object]:
            def run() -> object:
                book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
                return read(book.get_sheet_by_index(0))

            return run

        def openpyxl_read() -> object:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
            book.close()
            return rows

        plan = plan_index(batch)
        rows = excel.read_candidate_sheet(data)

        def read_and_check() -> object:
            read = excel.read_candidate_sheet(data)
            checked, errors = excel.check_candidate_rows(read, plan, today=clock.today())
            assert len(checked) == args.rows and not errors, errors[:3]
            return checked

        def full_import() -> object:
            assert excel.import_candidates(batch, data, actor=user) == args.rows
            return None

        bare_reads = {
            "(a) calamine to_python()": calamine(lambda s: s.to_python()),
            "(a) calamine to_python(skip_empty_area=False)": calamine(
                lambda s: s.to_python(skip_empty_area=False)
            ),
            "(a) calamine list(iter_rows())": calamine(lambda s: list(s.iter_rows())),
        }
        variants = {
            **bare_reads,
            "(b) openpyxl read-only, values only": openpyxl_read,
            "    read_candidate_sheet alone": lambda: excel.read_candidate_sheet(data),
            "    check_candidate_rows (RowCheck) alone": lambda: excel.check_candidate_rows(
                rows, plan, today=clock.today()
            ),
            "(c) read_candidate_sheet + check_candidate_rows": read_and_check,
            "(d) import_candidates (database write included)": full_import,
        }
        times = measure(variants, repeat)
        median = {label: statistics.median(values) for label, values in times.items()}
        fastest = {label: min(values) for label, values in times.items()}
        bare = min(bare_reads, key=lambda label: median[label])
        print(f"{repeat} interleaved rounds after a warm-up; seconds:")
        for label in variants:
            print(
                f"  {label:<50} median {median[label]:6.3f}   min {fastest[label]:6.3f}"
                f"   {median[label] / median[bare]:5.2f}x (a)"
            )
        print(f"fastest bare read (a): {bare.removeprefix('(a) ')}")
        for label in variants:
            if label.startswith(("(b)", "(c)", "(d)")):
                print(
                    f"{label[:3]}/(a) = {median[label] / median[bare]:.2f}x median, "
                    f"{fastest[label] / fastest[bare]:.2f}x min/min"
                )
        print("aim: import and check (c) <= 3x (a)")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(read_and_check)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    finally:
        shutil.rmtree(DATA_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
