"""附件5 for a batch of 10,000 certificates against the fastest bare write of the same table.

Run: .venv/bin/python bench/export_annex5.py [--repeat N]

A temporary SQLite data directory is migrated and filled with bulk_create (one organization,
one batch, 10,000 candidates and their certificates). Then, in the same run, each figure is
the median of N rounds (default 5; each round runs every variant once, in turn, so that a busy
machine weighs on all alike):

- bare writes of the same 10,000 x 12 strings, already in memory: openpyxl write-only (it uses
  lxml when installed; the script says which) and XlsxWriter constant_memory; the faster one
  is the baseline;
- ``annex5(batch)`` end to end (the query, the rows, the file), and for comparison the same
  file made from model instances instead of ``values_list`` tuples.

Aim: annex5(batch) <= 2 x the baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

N = 10_000
ROOT = Path(__file__).resolve().parent.parent
ISSUED_ON = dt.date(2026, 10, 27)
FILING_NUMBER = "S000034010001"
ORG_NAME = "合肥市示范职业技能培训学校"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅文斌辉鹏飞宇浩然"
OCCUPATIONS = (
    ("6-18-02-04", "焊工", ("", "电焊工", "气焊工")),
    ("6-31-01-03", "电工", ("", "维修电工")),
    ("4-10-01-02", "育婴员", ("",)),
    ("4-10-01-05", "保育师", ("",)),
    ("6-20-03-01", "汽车维修工", ("", "汽车机械维修工")),
)
UNITS = (
    *(f"安徽{word}有限公司" for word in ("江淮汽车", "海螺水泥", "马钢股份", "铜陵有色")),
    "合肥技师学院",
    "个体",
    "",
)


def setup_django() -> Path:
    """A fresh temporary SQLite instance, migrated, with the authorities loaded."""
    data_dir = Path(tempfile.mkdtemp(prefix="skillcert-bench-"))
    os.environ["SKILLCERT_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "skillcert.settings"
    os.environ.setdefault("SKILLCERT_SECRET_KEY", "bench-only-secret-key")
    os.environ.pop("DATABASE_URL", None)  # always the temporary SQLite database
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    from skillcert.accounts.services import load_authorities
    from skillcert.audit.service import SYSTEM

    call_command("migrate", verbosity=0)
    load_authorities(actor=SYSTEM)
    return data_dir


def make_organization(filing_number: str = FILING_NUMBER):
    from skillcert.accounts.models import Authority
    from skillcert.registry.models import Organization, ScopeItem, ServiceArea

    hefei = Authority.objects.get(code="01")
    organization = Organization.objects.create(
        name=ORG_NAME,
        credit_code="52340100MJB000001X",
        category="S",
        home_city=hefei,
        status="active",
        filing_number=filing_number,
        filing_authority=hefei,
        channel="city",
        filed_on=dt.date(2026, 1, 5),
        valid_until=dt.date(2029, 1, 4),
    )
    for code, name, _work_types in OCCUPATIONS:
        ScopeItem.objects.create(
            organization=organization,
            occupation_code=code,
            occupation_name=name,
            levels=[3, 4, 5],
            levels_key=",3,4,5,",
        )
    ServiceArea.objects.create(organization=organization, city=hefei, since=dt.date(2026, 1, 5))
    return organization


def make_batch(organization, state: str):
    from skillcert.accounts.models import Authority
    from skillcert.assessment.models import Batch

    return Batch.objects.create(
        organization=organization,
        title="2026年第四期职业技能等级认定",
        start_date=dt.date(2026, 10, 19),
        end_date=dt.date(2026, 10, 20),
        site_city=Authority.objects.get(code="01"),
        site_address="合肥市蜀山区测试路1号",
        subjects=["理论知识", "操作技能"],
        pass_marks={"理论知识": "60", "操作技能": "60"},
        state=state,
        plan_filed_on=dt.date(2026, 9, 1),
        publicity_start=dt.date(2026, 10, 20),
        publicity_end=dt.date(2026, 10, 26),
    )


def make_candidates(batch, n: int = N, seed: int = 2026) -> list:
    """``n`` passed candidates with valid resident ID numbers, varied cities and occupations."""
    from skillcert.assessment.models import Candidate
    from skillcert.rules.idtypes import id_check_char
    from skillcert.rules.regions import ANHUI

    rng = random.Random(seed)
    cities = ANHUI.cities
    rows = []
    for index in range(n):
        city = cities[index % len(cities)]
        code, name, work_types = OCCUPATIONS[index % len(OCCUPATIONS)]
        born = f"{1970 + index % 35}{1 + index % 12:02d}{1 + index % 28:02d}"
        first17 = f"{city.division}{born}{index % 1000:03d}"  # unique for index < 42,000
        rows.append(
            Candidate(
                batch=batch,
                position=index,
                name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))),
                id_type="201",
                id_number=first17 + id_check_char(first17),
                work_unit=UNITS[index % len(UNITS)],
                city=city.code,
                occupation_code=code,
                occupation_name=name,
                work_type=work_types[index % len(work_types)],
                level=(3, 4, 5)[index % 3],
                source=("企业职工", "社会人员", "院校学生")[index % 3],
                attended=True,
                scores={"理论知识": "80", "操作技能": "75"},
                passed=True,
            )
        )
    Candidate.objects.bulk_create(rows, batch_size=2000)
    return list(Candidate.objects.filter(batch=batch).order_by("level", "position", "pk"))


def make_certificates(batch, candidates: list) -> int:
    from skillcert.certificates.models import Certificate

    organization = batch.organization
    serials: dict[int, int] = {}
    certificates = []
    for candidate in candidates:
        serial = serials[candidate.level] = serials.get(candidate.level, 0) + 1
        certificates.append(
            Certificate(
                number=f"{organization.filing_number}{ISSUED_ON.year % 100:02d}"
                f"{candidate.level}{serial:06d}",
                candidate=candidate,
                batch=batch,
                organization=organization,
                year=ISSUED_ON.year,
                level=candidate.level,
                serial=serial,
                issued_on=ISSUED_ON,
                name=candidate.name,
                id_type=candidate.id_type,
                id_number=candidate.id_number,
                work_unit=candidate.work_unit,
                city=candidate.city,
                occupation_code=candidate.occupation_code,
                occupation_name=candidate.occupation_name,
                work_type=candidate.work_type,
                organization_name=organization.name,
                filing_number=organization.filing_number,
            )
        )
    Certificate.objects.bulk_create(certificates, batch_size=2000)
    return len(certificates)


def interleaved(functions: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median seconds of each function over ``repeat`` rounds, one warm-up call each first.

    Each round calls every function once, in turn, so that a machine busy with other work
    weighs on all of them alike.
    """
    for function in functions.values():
        function()  # warm-up: imports, caches, the page cache of the database file
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            started = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def bare_openpyxl(header: list[str], rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("附件5")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bare_xlsxwriter(header: list[str], rows: list[list[str]]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    sheet = workbook.add_worksheet("附件5")
    write_string = sheet.write_string
    for col, title in enumerate(header):
        write_string(0, col, title)
    for row_number, row in enumerate(rows, start=1):
        for col, text in enumerate(row):
            write_string(row_number, col, text)
    workbook.close()
    return buffer.getvalue()


def main() -> None:
    data_dir = None
    try:
        data_dir = run()
    finally:
        if data_dir is not None:
            shutil.rmtree(data_dir, ignore_errors=True)


def run() -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    started = time.perf_counter()
    data_dir = setup_django()
    from openpyxl.xml import LXML

    from skillcert.certificates.annex5 import FIELDS, HEADER, annex5, annex5_rows, write_annex5
    from skillcert.certificates.models import Certificate

    organization = make_organization()
    batch = make_batch(organization, state="certificates_issued")
    count = make_certificates(batch, make_candidates(batch))
    print(f"setup: {count} certificates in {time.perf_counter() - started:.1f} s ({data_dir})")

    queryset = Certificate.objects.filter(batch=batch).order_by("number")
    rows = list(annex5_rows(queryset))
    header = list(HEADER)
    assert len(rows) == N and all(len(row) == 12 for row in rows)

    def from_instances() -> bytes:
        buffer = io.BytesIO()
        write_annex5(annex5_rows(queryset.iterator(chunk_size=2000)), buffer)
        return buffer.getvalue()

    def write_only() -> bytes:
        buffer = io.BytesIO()
        write_annex5(rows, buffer)
        return buffer.getvalue()

    def query_only() -> int:
        return len(list(queryset.values_list(*FIELDS).iterator(chunk_size=2000)))

    openpyxl_name = f"bare openpyxl write-only (lxml {'yes' if LXML else 'no'})"
    figures = interleaved(
        {
            openpyxl_name: lambda: bare_openpyxl(header, rows),
            "bare XlsxWriter constant_memory": lambda: bare_xlsxwriter(header, rows),
            "write_annex5 (rows in memory)": write_only,
            "annex5(batch) end to end (values_list)": lambda: annex5(batch),
            "same from model instances": from_instances,
            "query alone (values_list of the 11 fields)": query_only,
        },
        args.repeat,
    )
    baseline_name = min((openpyxl_name, "bare XlsxWriter constant_memory"), key=figures.__getitem__)
    baseline = figures[baseline_name]
    print(
        f"{N} rows x 12 columns, median of {args.repeat} interleaved rounds"
        " (after one warm-up each)"
    )
    for name, seconds in figures.items():
        print(f"  {name:<48} {seconds:7.3f} s  {seconds / baseline:5.2f} x baseline")
    ratio = figures["annex5(batch) end to end (values_list)"] / baseline
    print(f"baseline: {baseline_name}")
    print(
        f"annex5(batch) / baseline = {ratio:.2f} (aim <= 2.00): {'OK' if ratio <= 2 else 'ABOVE'}"
    )
    return data_dir


if __name__ == "__main__":
    main()
