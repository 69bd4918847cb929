"""Audit appends under 8 concurrent writers on PostgreSQL: the keyed chain (HMAC-SM3) against
the unkeyed SHA-256 chain it replaced, in the same run.

Run: nice .venv/bin/python bench/audit_append.py [--writers 8] [--seconds 1.5] [--rounds 8]

- A throwaway PostgreSQL cluster (``province_scale.Cluster``), or the server of ``DATABASE_URL``
  when set (one database is created on it and dropped); migrated once.
- Each round runs the two variants one after the other (their order alternating between
  rounds): ``--writers`` processes (forked after set-up, as app server workers are), each with
  its own connection, append entries for
  ``--seconds`` with ``skillcert.audit.service.record`` — one transaction per entry, the head
  row locked, as every service write does. The unkeyed variant only swaps the seal the service
  uses (``chain.begin_sha256_seal``: plain SHA-256, what the chain was before issue 13);
  everything else is the product's code.
- The seal alone is timed too (no database, µs an entry).
- Prints the entries per second of each variant (median of the rounds), and the median of each
  round's ratio keyed / unkeyed (the two ran back to back, so other load on the machine disturbs
  that figure least) and whether the aim (>= 0.9) is met.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from province_scale import Cluster, admin_sql, database_url

ROOT = Path(__file__).resolve().parent.parent
AIM = 0.9


def setup_django(url: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "skillcert.settings"
    os.environ.setdefault("SKILLCERT_SECRET_KEY", "bench-only-secret-key")
    os.environ["SKILLCERT_DATA_DIR"] = tempfile.mkdtemp(prefix="skillcert-audit-bench-")
    os.environ.pop("SKILLCERT_DEBUG", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _writer(keyed: bool, go: Any, until: Any, counts: Any, n: int) -> None:
    """One writer process: appends until the deadline, one transaction an entry."""
    from django.db import connection, transaction

    from skillcert.audit import chain, service

    service.begin_seal = chain.begin_seal if keyed else chain.begin_sha256_seal
    connection.ensure_connection()
    go.wait()
    done = 0
    while time.monotonic() < until.value:
        with transaction.atomic():
            service.record(
                actor=service.SYSTEM,
                action="bench.appended",
                object_type="bench.thing",
                object_id=f"{n}-{done}",
                before={"value": done},
                after={"value": done + 1, "note": "压力测试"},
            )
        done += 1
    counts[n] = done
    connection.close()


def run_variant(writers: int, seconds: float, keyed: bool) -> int:
    """Entries appended by ``writers`` processes (each its own connection) in ``seconds``."""
    from django.db import connections

    connections.close_all()  # the children open their own
    context = multiprocessing.get_context("fork")
    go = context.Event()
    until = context.Value("d", float("inf"))
    counts = context.Array("l", writers)
    processes = [
        context.Process(target=_writer, args=(keyed, go, until, counts, n)) for n in range(writers)
    ]
    for process in processes:
        process.start()
    time.sleep(0.3)  # every child connected
    until.value = time.monotonic() + seconds
    go.set()
    for process in processes:
        process.join()
        if process.exitcode:
            raise RuntimeError(f"a writer failed (exit code {process.exitcode})")
    return sum(counts)


def seal_cost() -> None:
    """The seal alone, per entry (no database): what the keyed chain adds to each append."""
    import datetime as dt
    import timeit

    from skillcert.audit import chain

    fields = chain.EntryFields(
        seq=123456,
        recorded_at=dt.datetime.now(dt.UTC),
        business_date=dt.date.today(),
        actor="合肥市人社局 张明",
        actor_id=42,
        actor_role="city_bureau",
        action="bench.appended",
        object_type="bench.thing",
        object_id="7-1234",
        before='{"value":1234}',
        after='{"note":"压力测试","value":1235}',
        prev_hash="0" * 64,
    )
    n = 20000
    for label, seal in (
        ("keyed HMAC-SM3", chain.entry_hash),
        ("unkeyed SHA-256", chain.sha256_entry_hash),
    ):
        seal(**fields)
        cost = timeit.timeit(lambda seal=seal: seal(**fields), number=n) / n * 1e6
        print(f"seal alone, {label}: {cost:.1f} µs an entry")
    body = {k: v for k, v in fields.items() if k not in chain.HEAD_KEYS}
    head = {k: v for k, v in fields.items() if k in chain.HEAD_KEYS}
    for label, begin in (
        ("keyed HMAC-SM3", chain.begin_seal),
        ("unkeyed SHA-256", chain.begin_sha256_seal),
    ):
        pending = [begin(body) for _ in range(n)]  # type: ignore[arg-type]
        began = time.perf_counter()
        for p in pending:
            p.finish(**head)  # type: ignore[arg-type]
        cost = (time.perf_counter() - began) / n * 1e6
        print(f"seal while the head is locked, {label}: {cost:.1f} µs an entry")


def measure(server: str, args: argparse.Namespace) -> None:
    name = f"bench_audit_{uuid.uuid4().hex[:8]}"
    admin_sql(server, f"CREATE DATABASE {name}")
    try:
        setup_django(database_url(server, name))
        from skillcert.audit.models import AuditEntry

        run_variant(args.writers, 0.5, keyed=True)  # warm-up (connections, caches)
        rates: dict[bool, list[float]] = {True: [], False: []}
        for round_no in range(args.rounds):
            order = (True, False) if round_no % 2 == 0 else (False, True)
            for keyed in order:
                done = run_variant(args.writers, args.seconds, keyed)
                rates[keyed].append(done / args.seconds)
                label = "keyed HMAC-SM3 " if keyed else "unkeyed SHA-256"
                print(f"round {round_no + 1}: {label}: {done / args.seconds:8.0f} entries/s")
        keyed_rate = statistics.median(rates[True])
        plain_rate = statistics.median(rates[False])
        # Each round's two variants ran back to back under the same load: their ratio is the
        # figure that other work on the machine disturbs least.
        paired = statistics.median(k / p for k, p in zip(rates[True], rates[False], strict=True))
        met = "met" if paired >= AIM else "NOT met"
        print(f"writers: {args.writers}, {args.seconds:g} s a variant, {args.rounds} rounds")
        print(f"unkeyed SHA-256 chain: {plain_rate:8.0f} entries/s (median)")
        print(f"keyed HMAC-SM3 chain:  {keyed_rate:8.0f} entries/s (median)")
        print(f"ratio of the medians: {keyed_rate / plain_rate:.3f}")
        print(f"median ratio of the rounds keyed/unkeyed: {paired:.3f} (aim >= {AIM}): {met}")
        seal_cost()
        print(f"entries appended in all: {AuditEntry.objects.count()}")
        from django.db import connections

        connections.close_all()
    finally:
        admin_sql(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=1.5, help="per variant and round")
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if os.environ.get("DATABASE_URL"):
        measure(os.environ["DATABASE_URL"], args)
    else:
        with Cluster() as server:
            measure(server, args)
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
