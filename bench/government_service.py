"""Issue 14's messages and formal documents: what they cost a signed-in page, a filing step and
a PDF, each against its baseline measured in the same run.

Run: .venv/bin/python bench/government_service.py [--messages 50000] [--unread 20000]
     [--requests 300] [--cases 40] [--renders 30]

- A temporary data directory with SQLite, migrated, the authorities loaded (``verify_load.
  setup_django``); organizations, their users, officers and filing cases made by the test
  factories (``tests/support/factories.py``: the real services, on the factories' day).
- 1. ``GET /dashboard`` (Django's test client, in-process, signed in with ``force_login``) for
  two organization users made alike: one with no message (**baseline**) and one with
  ``--messages`` messages (``bulk_create``), ``--unread`` of them unread. The two alternate
  every 10 requests; median ms of ``--requests`` each, and the ratio. The page must show the
  unread count (``data-unread-messages``). Also the count query alone (``inbox.service.
  unread_count``, µs) for both users, and SQLite's plan for it (which index it uses).
- 2. ``registry.services.review.accept_filing`` on ``--cases`` submitted cases a variant: the
  product (it issues the 受理通知书 through ``formal.service.issue`` and messages the
  organization's users through ``inbox.service.notify``) against the same step with those two
  functions replaced by no-ops (**baseline**). The modules that imported them by name
  (``registry.documents``, ``registry.services.messages`` …) get the no-op too: every module
  attribute that is the function is swapped for the step and put back after it. The variants
  alternate case by case; median ms per step, ratio.
- 3. ``formal.pdf.render_document`` of a 受理通知书 issued in 2. against ``registry.receipt.
  render_receipt`` of a filed case (**baseline**, the PDF the platform rendered before issue
  14), alternating, ``--renders`` each (after one warm-up of each); median ms, ratio. Neither
  authority nor organization has a confirmed seal (both print without a seal image).
- Bounded: under a minute on 2 cores (38 s at the defaults); the data directory is removed
  in every case.

No aim was named by the issue: the figures are for the record. The one judged here is whether
the page with 50,000 messages stays flat against the page with none.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))  # the test factories (tests/support/factories.py)

from verify_load import setup_django  # noqa: E402

CHUNK = 10  # requests of one user before the other's turn


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


# --- 1. the signed-in page -------------------------------------------------------------------


def page_with_messages(args: argparse.Namespace) -> None:
    import datetime as dt

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from tests.support.factories import OrganizationFactory, member

    from skillcert.inbox.models import Message
    from skillcert.inbox.service import unread_count

    quiet = member(OrganizationFactory(state="active"))
    busy = member(OrganizationFactory(state="active"))
    started = time.perf_counter()
    now = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    rows = [
        Message(
            recipient_id=busy.pk,
            at=now - dt.timedelta(minutes=index),
            event="filing.accepted",
            title=f"备案申请 BA2026{index:06d} 已受理",
            body="受理通知书已出具，下一步为技术评估。",
            link=f"/filings/{index}",
            subject=f"filing:{index}",
            read_at=None if index < args.unread else now,
        )
        for index in range(args.messages)
    ]
    Message.objects.bulk_create(rows, batch_size=2000)
    del rows
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"1. setup: {args.messages:,} messages ({args.unread:,} unread) for one user"
        f" in {time.perf_counter() - started:.1f} s"
    )
    assert unread_count(busy) == args.unread and unread_count(quiet) == 0

    # The plan SQLite takes for the count, as the product sends it.
    with CaptureQueriesContext(connection) as captured:
        unread_count(busy)
    (counted,) = captured.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {counted['sql']}")
        plan = "; ".join(str(row[-1]) for row in cursor.fetchall())
    print(f"   unread count: {counted['sql']}")
    print(f"   its plan: {plan}")

    for label, user in (("0 messages", quiet), (f"{args.messages:,} messages", busy)):
        unread_count(user)
        n = 2000
        began = time.perf_counter()
        for _ in range(n):
            unread_count(user)
        print(f"   unread_count() alone, {label}: {(time.perf_counter() - began) / n * 1e6:.0f} µs")

    logging.getLogger("axes").setLevel(logging.WARNING)  # a line per force_login otherwise
    clients = {}
    for label, user in (("quiet", quiet), ("busy", busy)):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        response = client.get("/dashboard")
        assert response.status_code == 200, response.status_code
        clients[label] = client
    busy_page = clients["busy"].get("/dashboard").content.decode()
    assert "data-unread-messages" in busy_page and f">{args.unread}<" in busy_page, "no count"
    assert "data-unread-messages" not in clients["quiet"].get("/dashboard").content.decode()

    times: dict[str, list[float]] = {"quiet": [], "busy": []}
    for _ in range(5):  # warm-up
        for client in clients.values():
            client.get("/dashboard")
    for _chunk in range(max(1, args.requests // CHUNK)):
        for label, client in clients.items():
            for _ in range(CHUNK):
                began = time.perf_counter()
                response = client.get("/dashboard")
                times[label].append(time.perf_counter() - began)
                assert response.status_code == 200
    quiet_ms, busy_ms = median_ms(times["quiet"]), median_ms(times["busy"])
    print(f"   GET /dashboard, {len(times['quiet'])} requests each, alternating every {CHUNK}:")
    print(f"     0 messages (baseline):  median {quiet_ms:6.2f} ms")
    print(
        f"     {args.messages:,} messages, {args.unread:,} unread: median {busy_ms:6.2f} ms"
        f"  ratio {busy_ms / quiet_ms:.2f}"
    )


# --- 2. a filing step that notifies ----------------------------------------------------------


def _noop_notify(*_args: Any, **_kwargs: Any) -> list[Any]:
    return []


def _noop_issue(*_args: Any, **_kwargs: Any) -> None:
    return None


@contextmanager
def without_effects() -> Iterator[list[str]]:
    """``notify`` and ``issue`` replaced by no-ops wherever a module holds them."""
    from skillcert.formal import service as formal_service
    from skillcert.inbox import service as inbox_service

    originals = {
        id(inbox_service.notify): _noop_notify,
        id(formal_service.issue): _noop_issue,
    }
    swapped: list[tuple[Any, str, Any]] = []
    for module in list(sys.modules.values()):
        name_of = getattr(module, "__name__", "")
        if not name_of.startswith("skillcert"):
            continue
        for attribute, value in list(vars(module).items()):
            if id(value) in originals:
                swapped.append((module, attribute, value))
                setattr(module, attribute, originals[id(value)])
    try:
        yield sorted(f"{m.__name__}.{a}" for m, a, _ in swapped)
    finally:
        for module, attribute, value in swapped:
            setattr(module, attribute, value)


def filing_step(args: argparse.Namespace) -> list[int]:
    from tests.support.factories import FILING_DAY, FilingCaseFactory, officer, on_day

    from skillcert.formal.models import FormalDocument
    from skillcert.inbox.models import Message
    from skillcert.registry.services.review import accept_filing

    started = time.perf_counter()
    cases = [FilingCaseFactory(state="submitted") for _ in range(2 * args.cases + 2)]
    reviewer = officer("city_bureau", "01")
    print(
        f"2. setup: {len(cases)} submitted filing cases (合肥) in"
        f" {time.perf_counter() - started:.1f} s"
    )
    with without_effects() as patched:
        pass
    print(f"   baseline patches: {', '.join(patched)}")

    times: dict[str, list[float]] = {"product": [], "no-op": []}
    real_cases: list[int] = []
    messages_before = Message.objects.count()
    documents_before = FormalDocument.objects.count()
    with on_day(FILING_DAY):
        # one warm-up of each
        accept_filing(cases[0], actor=reviewer)
        with without_effects():
            accept_filing(cases[1], actor=reviewer)
        for index, case in enumerate(cases[2:]):
            variant = ("product", "no-op")[(index + index // 2) % 2]  # ABBA order
            if variant == "product":
                began = time.perf_counter()
                accept_filing(case, actor=reviewer)
                times[variant].append(time.perf_counter() - began)
                real_cases.append(case.pk)
            else:
                with without_effects():
                    began = time.perf_counter()
                    accept_filing(case, actor=reviewer)
                    times[variant].append(time.perf_counter() - began)
    made_messages = Message.objects.count() - messages_before
    made_documents = FormalDocument.objects.count() - documents_before
    product = len(times["product"]) + 1
    print(
        f"   made: {made_documents} documents, {made_messages} messages for"
        f" {product} product steps ({2 * args.cases + 2 - product} no-op steps made none)"
    )
    assert made_documents == product, "a no-op step issued a document, or a step issued none"
    plain_ms, real_ms = median_ms(times["no-op"]), median_ms(times["product"])
    print(f"   accept_filing, {len(times['product'])} steps each, alternating:")
    print(f"     notify and issue as no-ops (baseline): median {plain_ms:6.2f} ms")
    print(
        f"     the product (受理通知书 + messages):       median {real_ms:6.2f} ms"
        f"  ratio {real_ms / plain_ms:.2f} (+{real_ms - plain_ms:.2f} ms)"
    )
    return real_cases


# --- 3. the PDFs -----------------------------------------------------------------------------


def pdfs(args: argparse.Namespace, accepted: list[int]) -> None:
    from tests.support.factories import FilingCaseFactory

    from skillcert.formal.models import DocumentKind
    from skillcert.formal.pdf import render_document
    from skillcert.formal.service import latest_document
    from skillcert.registry.receipt import receipt_document, render_receipt

    started = time.perf_counter()
    filed = FilingCaseFactory(state="filed")
    print(f"3. setup: one filed case in {time.perf_counter() - started:.1f} s")
    notice = latest_document(f"filing:{accepted[0]}", DocumentKind.ACCEPTANCE)
    assert notice is not None
    receipt_record = receipt_document(filed)
    print(
        f"   formal document: {notice.title} {notice.number}, {len(notice.body)} paragraphs;"
        f" the receipt {'carries' if receipt_record else 'has no'} a formal-document number"
    )
    renders: dict[str, Callable[[], bytes]] = {
        "receipt": lambda: render_receipt(filed),
        "formal": lambda: render_document(notice),
    }
    sizes = {label: len(render()) for label, render in renders.items()}  # warm-up (fonts)
    times: dict[str, list[float]] = {label: [] for label in renders}
    for _ in range(args.renders):
        for label, render in renders.items():
            began = time.perf_counter()
            render()
            times[label].append(time.perf_counter() - began)
    receipt_ms, formal_ms = median_ms(times["receipt"]), median_ms(times["formal"])
    print(f"   PDF rendering, {args.renders} each, alternating:")
    print(
        f"     registry.receipt.render_receipt (baseline): median {receipt_ms:6.1f} ms,"
        f" {sizes['receipt'] / 1024:.0f} KiB"
    )
    print(
        f"     formal.pdf.render_document (受理通知书):    median {formal_ms:6.1f} ms,"
        f" {sizes['formal'] / 1024:.0f} KiB  ratio {formal_ms / receipt_ms:.2f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--unread", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--renders", type=int, default=30)
    args = parser.parse_args()
    if not (0 < args.unread <= args.messages <= 500_000):
        print("0 < --unread <= --messages <= 500000", file=sys.stderr)
        return 2
    if not (20 <= args.requests <= 2000 and 2 <= args.cases <= 200 and 2 <= args.renders <= 200):
        print("--requests 20-2000, --cases 2-200, --renders 2-200", file=sys.stderr)
        return 2
    print(f"load average before: {load()}")
    began = time.perf_counter()
    data_dir = Path(tempfile.mkdtemp(prefix="skillcert-bench-govservice-"))
    try:
        setup_django(data_dir)
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)  # the pages' manifest
        page_with_messages(args)
        accepted = filing_step(args)
        pdfs(args, accepted)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    print(f"load average after: {load()}; {time.perf_counter() - began:.0f} s in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
