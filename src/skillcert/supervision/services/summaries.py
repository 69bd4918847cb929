"""The statistics' summary rows (``CertificateTally``): rebuilt whole by
``refresh_statistics()`` (a periodic job), and for the days a certificate write touches by
the ``certificates_changed`` signal, in that write's transaction."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum

from skillcert.certificates.models import Certificate, CertificateStatus
from skillcert.rules import clock
from skillcert.supervision.models import CertificateTally, StatisticsRefresh, TallySpan

Key = tuple[dt.date, int | None, str, int, str]


def _first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _day_counts(days: set[dt.date] | None) -> Counter[Key]:
    certificates = Certificate.objects.exclude(status=CertificateStatus.SUPERSEDED)
    if days is not None:
        certificates = certificates.filter(issued_on__in=sorted(days))
    rows = (
        certificates.order_by()
        .values_list(
            "issued_on", "organization__filing_authority", "occupation_name", "level", "status"
        )
        .annotate(n=Count("pk"))
    )
    return Counter({tuple(row[:5]): row[5] for row in rows})


def _tally(span: str, key: Key, count: int) -> CertificateTally:
    start, authority, occupation, level, status = key
    return CertificateTally(
        span=span,
        start=start,
        month=_first_of_month(start),
        authority_id=authority,
        occupation_name=occupation,
        level=level,
        status=status,
        count=count,
    )


def _write_months(months: set[dt.date] | None) -> None:
    """The month rows, summed from the day rows (all months, or ``months``)."""
    days = CertificateTally.objects.filter(span=TallySpan.DAY)
    old = CertificateTally.objects.filter(span=TallySpan.MONTH)
    if months is not None:
        days = days.filter(month__in=sorted(months))
        old = old.filter(start__in=sorted(months))
    old.delete()
    rows = (
        days.order_by()
        .values_list("month", "authority", "occupation_name", "level", "status")
        .annotate(n=Sum("count"))
    )
    CertificateTally.objects.bulk_create(
        (_tally(TallySpan.MONTH, tuple(row[:5]), row[5]) for row in rows),
        batch_size=2000,
    )


def _stamp() -> None:
    StatisticsRefresh.objects.update_or_create(pk=1, defaults={"refreshed_at": clock.now()})


def refresh_statistics(days: Iterable[dt.date] | None = None) -> int:
    """Bring the summary up to date with the certificates: all of it (the periodic job), or
    only ``days`` (issue dates whose certificates changed). Returns the day rows written."""
    wanted = None if days is None else set(days)
    with transaction.atomic():
        counts = _day_counts(wanted)
        old = CertificateTally.objects.filter(span=TallySpan.DAY)
        if wanted is not None:
            old = old.filter(start__in=sorted(wanted))
        old.delete()
        CertificateTally.objects.bulk_create(
            (_tally(TallySpan.DAY, key, n) for key, n in counts.items()), batch_size=2000
        )
        _write_months(None if wanted is None else {_first_of_month(d) for d in wanted})
        _stamp()
    return len(counts)


def refreshed_at() -> dt.datetime | None:
    row = StatisticsRefresh.objects.filter(pk=1).first()
    return row.refreshed_at if row else None


def on_certificates_changed(sender: Any, days: set[dt.date], **kwargs: Any) -> None:
    """Receiver of ``certificates.signals.certificates_changed`` (connected in apps.ready)."""
    if days:
        refresh_statistics(days)
