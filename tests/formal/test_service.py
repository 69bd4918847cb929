"""Issuing formal documents: 文号 from a locked counter per authority and year, the audit
entry, the seal in force, revocation and the public view."""

from __future__ import annotations

import multiprocessing

import pytest
from django.db import connection, connections

from skillcert.accounts.models import Authority
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM
from skillcert.formal.models import DocumentCounter, DocumentStatus, FormalDocument
from skillcert.formal.service import (
    document_prefix,
    documents_of,
    find_public,
    issue,
    next_number,
    public_view,
    revoke,
)
from skillcert.rules.errors import Conflict, InvalidInput, NotFound
from tests.formal.helpers import issue_one

PROCESSES = 6


def test_serials_run_per_authority_and_year(authorities, today):
    today("2026-10-09")
    first = issue_one("01")
    second = issue_one("01")
    wuhu = issue_one("02")
    province = issue_one("00")
    assert first.number == "合人社认〔2026〕1号"
    assert second.number == "合人社认〔2026〕2号"
    assert (second.serial, second.year) == (2, 2026)
    assert wuhu.number == "芜人社认〔2026〕1号"
    assert province.number == "皖人社认〔2026〕1号"
    today("2027-01-04")
    assert issue_one("01").number == "合人社认〔2027〕1号"  # a new year starts at 1
    today("2026-12-31")  # the old year's counter goes on where it stopped
    assert issue_one("01").number == "合人社认〔2026〕3号"
    assert DocumentCounter.objects.get(authority__code="01", year=2026).last_serial == 3


def test_huaibei_and_huainan_never_collide(authorities, today):
    today("2026-10-09")
    huainan = Authority.objects.get(name="淮南市")
    huaibei = Authority.objects.get(name="淮北市")
    assert document_prefix(huainan) != document_prefix(huaibei)
    assert issue_one(huainan.code).number == "淮人社认〔2026〕1号"
    assert issue_one(huaibei.code).number == "淮北人社认〔2026〕1号"


@pytest.mark.django_db(transaction=True)
def test_numbers_are_taken_inside_a_transaction(authorities):
    with pytest.raises(RuntimeError):
        next_number(Authority.objects.get(code="01"), 2026)
    assert not DocumentCounter.objects.exists()


def test_issue_records_audit_and_lists_by_subject(authorities, city_bureau):
    document = issue_one("01", subject="filing:7", actor=city_bureau)
    issue_one("01", subject="filing:8")
    assert document.title == "受理通知书"
    assert document.issued_by == city_bureau
    assert len(document.code) >= 16
    entry = AuditEntry.objects.filter(action="formal.document.issued").order_by("seq").first()
    assert entry is not None and document.number in str(entry.after)
    assert [d.pk for d in documents_of("filing:7")] == [document.pk]
    assert documents_of("filing:9") == []


def test_revocation_needs_a_reason_and_happens_once(authorities, city_bureau):
    document = issue_one("01")
    with pytest.raises(InvalidInput):
        revoke(document, note=" ", actor=city_bureau)
    revoke(document, note="备案决定已撤销", actor=city_bureau)
    document.refresh_from_db()
    assert document.status == DocumentStatus.REVOKED
    assert public_view(find_public(document.code))["status"] == "revoked"
    with pytest.raises(Conflict):
        revoke(document, note="again", actor=city_bureau)
    assert AuditEntry.objects.filter(action="formal.document.revoked").count() == 1


def test_public_view_and_unknown_codes(authorities, today):
    today("2026-10-09")
    document = issue_one("01", recipient="合肥测试培训学校")
    assert public_view(find_public(document.code)) == {
        "number": "合人社认〔2026〕1号",
        "title": "受理通知书",
        "date": "2026-10-09",
        "authority": "合肥市人力资源和社会保障局",
        "recipient": "合肥测试培训学校",
        "status": "valid",
    }
    forged = document.code[:-1] + ("A" if document.code[-1] != "A" else "B")
    messages = set()
    for code in (forged, "nonexistent", "x" * 500, ""):
        with pytest.raises(NotFound) as caught:
            find_public(code)
        messages.add(caught.value.message)
    assert len(messages) == 1


def _issue_in_child(queue: multiprocessing.Queue, barrier: object) -> None:
    connections.close_all()
    try:
        from django.db import transaction

        barrier.wait(timeout=30)
        with transaction.atomic():
            document = issue(
                "acceptance",
                authority=Authority.objects.get(code="01"),
                recipient="并发",
                subject="filing:1",
                body=["并发"],
                actor=SYSTEM,
            )
        queue.put(("ok", document.serial))
    except Exception as exc:
        queue.put(("error", repr(exc)))
    finally:
        connections.close_all()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs parallel transactions")
@pytest.mark.django_db(transaction=True)
def test_parallel_issues_get_consecutive_serials(authorities, monkeypatch):
    monkeypatch.setenv("SKILLCERT_TODAY", "2026-10-09")
    DocumentCounter.objects.create(
        authority=Authority.objects.get(code="01"), year=2026, last_serial=11
    )
    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    barrier = context.Barrier(PROCESSES)
    children = [
        context.Process(target=_issue_in_child, args=(queue, barrier)) for _ in range(PROCESSES)
    ]
    for child in children:
        child.start()
    results = [queue.get(timeout=60) for _ in children]
    for child in children:
        child.join(timeout=60)
    assert [kind for kind, _ in results] == ["ok"] * PROCESSES, results
    assert sorted(serial for _, serial in results) == list(range(12, 12 + PROCESSES))
    assert FormalDocument.objects.count() == PROCESSES
