"""Statistics for officers (certificates, organizations, deadlines), scoped to their authority."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from skillcert.accounts.models import Authority
from skillcert.assessment.models import Batch
from skillcert.certificates.models import Certificate, CertificateStatus
from skillcert.registry.models import FilingCase, Organization, OrganizationStatus
from skillcert.rules.levels import level_name
from skillcert.supervision.models import AnnualReport, CertificateTally, TallySpan
from skillcert.supervision.services.summaries import refreshed_at


def scoped(authority: Authority) -> dict[str, QuerySet[Any]]:
    """The records an authority's statistics count: its city's, or the whole province."""
    certificates = Certificate.objects.exclude(status=CertificateStatus.SUPERSEDED)
    organizations = Organization.objects.exclude(status=OrganizationStatus.APPLYING)
    batches = Batch.objects.all()
    cases = FilingCase.objects.all()
    reports = AnnualReport.objects.all()
    if not authority.is_province:
        certificates = certificates.filter(organization__filing_authority=authority)
        organizations = organizations.filter(filing_authority=authority)
        batches = batches.filter(site_city=authority)
        cases = cases.filter(authority=authority)
        reports = reports.filter(organization__filing_authority=authority)
    return {
        "certificates": certificates,
        "organizations": organizations,
        "batches": batches,
        "cases": cases,
        "reports": reports,
    }


def period_tallies(authority: Authority, start: dt.date, end: dt.date) -> QuerySet[Any]:
    """The summary rows of [start, end]: month rows for its whole months, day rows for the
    days before the first and after the last whole month (``services.summaries``)."""
    first_whole = start if start.day == 1 else _next_month(start)
    after_whole = (
        _next_month(end) if _next_month(end) - dt.timedelta(days=1) == end else (end.replace(day=1))
    )
    if first_whole < after_whole:
        rows = (
            Q(span=TallySpan.MONTH, start__gte=first_whole, start__lt=after_whole)
            | Q(span=TallySpan.DAY, start__gte=start, start__lt=first_whole)
            | Q(span=TallySpan.DAY, start__gte=after_whole, start__lte=end)
        )
    else:
        rows = Q(span=TallySpan.DAY, start__gte=start, start__lte=end)
    tallies = CertificateTally.objects.filter(rows)
    if not authority.is_province:
        tallies = tallies.filter(authority=authority)
    return tallies.order_by()


def certificate_totals() -> dict[str, int]:
    """Every certificate of the province by status (a corrected one counted once, as its
    replacement), summed from the summary's month rows: a workbench's figures without
    reading a million certificates. The rows follow each certificate write (the
    ``certificates_changed`` signal, in its transaction)."""
    rows = (
        CertificateTally.objects.filter(span=TallySpan.MONTH)
        .order_by()
        .values_list("status")
        .annotate(n=Sum("count"))
    )
    return {status: n for status, n in rows}


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def statistics(authority: Authority, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Certificates issued in [start, end] by city, occupation, level and month (from the
    summary rows, ``as_of`` their last refresh); organizations by status; deadlines met and
    missed (counted from the records)."""
    base = scoped(authority)
    tallies = period_tallies(authority, start, end)
    by_city = dict(
        tallies.values_list("authority__name").annotate(n=Sum("count")).order_by("authority__code")
    )
    by_occupation = dict(
        tallies.values_list("occupation_name")
        .annotate(n=Sum("count"))
        .order_by("-n", "occupation_name")
    )
    by_level = {
        level_name(level): n
        for level, n in tallies.values_list("level").annotate(n=Sum("count")).order_by("level")
    }
    by_month = {
        month.strftime("%Y-%m"): n
        for month, n in tallies.values_list("month").annotate(n=Sum("count")).order_by("month")
    }
    by_status = dict(tallies.values_list("status").annotate(n=Sum("count")).order_by())
    statuses = dict(base["organizations"].values_list("status").annotate(n=Count("pk")))
    cases = base["cases"].filter(submitted_on__gte=start, submitted_on__lte=end)
    batches = base["batches"].filter(results_filed_on__gte=start, results_filed_on__lte=end)
    reports = base["reports"].filter(filed_on__gte=start, filed_on__lte=end)
    return {
        "authority": authority.name,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "certificates_total": sum(by_status.values()),
        "certificates_revoked": by_status.get(CertificateStatus.REVOKED, 0),
        "certificates_by_city": by_city,
        "certificates_by_occupation": by_occupation,
        "certificates_by_level": by_level,
        "certificates_by_month": by_month,
        "organizations_by_status": {
            OrganizationStatus(status).label: statuses.get(status, 0)
            for status in OrganizationStatus.values
            if status != OrganizationStatus.APPLYING
        },
        "deadlines": {
            "受理反馈（按期）": cases.filter(overdue=False).exclude(accepted_on=None).count(),
            "受理反馈（超期）": cases.filter(overdue=True).count(),
            "结果报备（按期）": batches.filter(late=False).count(),
            "结果报备（逾期）": batches.filter(late=True).count(),
            "年度报告（按期）": reports.filter(late=False).count(),
            "年度报告（逾期）": reports.filter(late=True).count(),
        },
        "as_of": as_of.isoformat() if (as_of := refreshed_at()) else None,
    }


def talent_rows(authority: Authority, start: dt.date, end: dt.date) -> QuerySet[Certificate]:
    """Certified persons for the HR talent statistics (人才统计): valid certificates issued."""
    return (
        scoped(authority)["certificates"]
        .filter(issued_on__gte=start, issued_on__lte=end, status=CertificateStatus.VALID)
        .order_by("issued_on", "number")
    )


def months(start: dt.date, end: dt.date) -> list[str]:
    labels = []
    current = dt.date(start.year, start.month, 1)
    while current <= end:
        labels.append(current.strftime("%Y-%m"))
        current = dt.date(current.year + (current.month == 12), current.month % 12 + 1, 1)
    return labels
