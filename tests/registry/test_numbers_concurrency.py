"""Filing numbers under concurrency: several processes filing at once get consecutive
numbers, with no duplicate and no gap (PostgreSQL: real parallel transactions)."""

from __future__ import annotations

import datetime as dt
import multiprocessing

import pytest
from django.db import connection, connections

from skillcert.accounts.models import Authority, User
from skillcert.registry.models import FilingCase, FilingNumberCounter, Organization
from skillcert.registry.workflow import FilingState
from tests.conftest import PASSWORD
from tests.registry.factories import application

PROCESSES = 6


def _file_in_child(
    case_pk: int, reviewer_pk: int, queue: multiprocessing.Queue, barrier: object
) -> None:
    connections.close_all()  # never share the parent's connection after fork
    try:
        from skillcert.registry.services.filings import file_filing

        case = FilingCase.objects.get(pk=case_pk)
        reviewer = User.objects.get(pk=reviewer_pk)
        barrier.wait(timeout=30)  # all start filing at the same moment
        filed = file_filing(case, actor=reviewer)
        queue.put(("ok", filed.filing_number))
    except Exception as exc:  # reported to the parent
        queue.put(("error", repr(exc)))
    finally:
        connections.close_all()


def _cases_ready_to_file(count: int) -> list[FilingCase]:
    from skillcert.registry.services.organizations import register_organization
    from tests.support.factories import credit_code

    hefei = Authority.objects.get(code="01")
    cases = []
    for index in range(count):
        organization = register_organization(
            username=f"par{index}",
            password=PASSWORD,
            credit_code=credit_code("340104", f"PA{index:06d}"),
            name=f"并发测试培训学校{index}",
        )
        cases.append(
            FilingCase.objects.create(
                organization=organization,
                kind="initial",
                channel="city",
                authority=hefei,
                category="S" if index % 2 else "Y",
                state=FilingState.IN_PUBLICITY,
                basic=application(organization)["basic"],
                publicity_start=dt.date(2026, 9, 24),
                publicity_end=dt.date(2026, 10, 8),
            )
        )
    return cases


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs parallel transactions")
@pytest.mark.django_db(transaction=True)
def test_parallel_filings_get_consecutive_numbers(authorities, city_bureau, monkeypatch):
    monkeypatch.setenv("SKILLCERT_TODAY", "2026-10-09")
    cases = _cases_ready_to_file(PROCESSES)
    # The city has filed before: the counter row exists (a first-ever insert would
    # serialise the processes by itself and hide a missing lock).
    FilingNumberCounter.objects.create(province="34", city="01", last_serial=41)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    barrier = context.Barrier(PROCESSES)
    children = [
        context.Process(target=_file_in_child, args=(case.pk, city_bureau.pk, queue, barrier))
        for case in cases
    ]
    for child in children:
        child.start()
    results = [queue.get(timeout=60) for _ in children]
    for child in children:
        child.join(timeout=60)
    assert [kind for kind, _ in results] == ["ok"] * PROCESSES, results
    serials = sorted(int(number[-4:]) for _, number in results)
    assert serials == list(range(42, 42 + PROCESSES))  # no duplicate, no gap
    numbers = Organization.objects.exclude(filing_number=None).values_list(
        "filing_number", flat=True
    )
    assert len(set(numbers)) == PROCESSES
    assert all(n[1:9] == "00003401" for n in numbers)
