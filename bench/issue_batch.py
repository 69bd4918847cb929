"""Numbering a batch of 10,000 passed candidates against a bare bulk_create of the same rows.

Run: .venv/bin/python bench/issue_batch.py [--repeat N] [--profile]

Same set-up as export_annex5.py (a temporary SQLite data directory): one filed organization,
a batch in state publicity_closed with 10,000 passed candidates (bulk_create), segments for
2026 levels 3-5 covering them, and an organization user. Each repetition runs, in turn and
each inside ``transaction.atomic()`` rolled back afterwards:

- ``issue_batch(batch, actor=user)``: the service, end to end;
- ``Certificate.objects.bulk_create`` of the same 10,000 certificates, built beforehand
  (outside the timer) from the candidates: the baseline.

The figures are medians of N repetitions (default 5) after one warm-up of each; the two are
interleaved so that a busy machine weighs on both alike. Aim: issue_batch <= 3 x baseline.
``--profile`` adds a cProfile of one issue_batch (top functions by cumulative time).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from export_annex5 import (
    ISSUED_ON,
    N,
    make_batch,
    make_candidates,
    make_organization,
    setup_django,
)


def interleaved(functions: dict[str, Callable[[], float]], repeat: int) -> dict[str, float]:
    """Median seconds of each function; each returns the seconds it measured itself."""
    for function in functions.values():
        function()  # warm-up
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            times[name].append(function())
    return {name: statistics.median(values) for name, values in times.items()}


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
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    os.environ["SKILLCERT_TODAY"] = ISSUED_ON.isoformat()
    started = time.perf_counter()
    data_dir = setup_django()
    from django.db import transaction

    from skillcert.accounts.models import User
    from skillcert.assessment.models import Candidate
    from skillcert.certificates.models import Certificate, Segment
    from skillcert.certificates.services.issuing import issue_batch
    from skillcert.registry.models import Membership

    organization = make_organization()
    batch = make_batch(organization, state="publicity_closed")
    batch.results_due = dt.date(2026, 11, 9)
    batch.save(update_fields=["results_due"])
    make_candidates(batch)
    for level in (3, 4, 5):
        Segment.objects.create(
            organization=organization, year=ISSUED_ON.year, level=level, first=1, last=N
        )
    user = User.objects.create(username="bench_org", role="organization")
    Membership.objects.create(user=user, organization=organization)
    print(f"setup: {N} passed candidates in {time.perf_counter() - started:.1f} s ({data_dir})")

    def certificates() -> list[Certificate]:
        """The rows issue_batch writes, built the same way (numbers per level from 1)."""
        serials: dict[int, int] = {}
        rows = []
        for c in Candidate.objects.filter(batch=batch, passed=True).order_by(
            "level", "position", "pk"
        ):
            serial = serials[c.level] = serials.get(c.level, 0) + 1
            rows.append(
                Certificate(
                    number=f"{organization.filing_number}{ISSUED_ON.year % 100:02d}"
                    f"{c.level}{serial:06d}",
                    candidate=c,
                    batch=batch,
                    organization=organization,
                    year=ISSUED_ON.year,
                    level=c.level,
                    serial=serial,
                    issued_on=ISSUED_ON,
                    name=c.name,
                    id_type=c.id_type,
                    id_number=c.id_number,
                    work_unit=c.work_unit,
                    city=c.city,
                    occupation_code=c.occupation_code,
                    occupation_name=c.occupation_name,
                    work_type=c.work_type,
                    organization_name=organization.name,
                    filing_number=organization.filing_number,
                )
            )
        return rows

    def timed_issue() -> float:
        with transaction.atomic():
            started = time.perf_counter()
            issued = issue_batch(batch, actor=user)
            seconds = time.perf_counter() - started
            assert issued == N, issued
            transaction.set_rollback(True)
        return seconds

    def timed_bulk_create() -> float:
        rows = certificates()  # not timed
        with transaction.atomic():
            started = time.perf_counter()
            Certificate.objects.bulk_create(rows, batch_size=2000)
            seconds = time.perf_counter() - started
            transaction.set_rollback(True)
        return seconds

    def timed_build_and_bulk_create() -> float:
        with transaction.atomic():
            started = time.perf_counter()
            Certificate.objects.bulk_create(certificates(), batch_size=2000)
            seconds = time.perf_counter() - started
            transaction.set_rollback(True)
        return seconds

    figures = interleaved(
        {
            "bare bulk_create (rows built beforehand)": timed_bulk_create,
            "issue_batch(batch)": timed_issue,
            "read candidates + build + bulk_create": timed_build_and_bulk_create,
        },
        args.repeat,
    )
    assert not Certificate.objects.exists()  # every run was rolled back
    baseline = figures["bare bulk_create (rows built beforehand)"]
    print(f"{N} certificates, median of {args.repeat} interleaved runs (after one warm-up each)")
    for name, seconds in figures.items():
        print(f"  {name:<44} {seconds:7.3f} s  {seconds / baseline:5.2f} x baseline")
    ratio = figures["issue_batch(batch)"] / baseline
    print(f"issue_batch / baseline = {ratio:.2f} (aim <= 3.00): {'OK' if ratio <= 3 else 'ABOVE'}")

    if args.profile:
        profiler = cProfile.Profile()
        with transaction.atomic():
            profiler.enable()
            issue_batch(batch, actor=user)
            profiler.disable()
            transaction.set_rollback(True)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return data_dir


if __name__ == "__main__":
    main()
