"""The certificates' periodic jobs (the worker imports this module; see skillcert.jobs)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from skillcert.certificates import printing
from skillcert.jobs.schedule import periodic

# Importing printing registers its job (render_job) with the queue.
__all__ = ["printing", "remove_old_prints"]


@periodic(every=dt.timedelta(hours=1), label="清理 24 小时前的证书打印文件")
@task()
def remove_old_prints() -> int:
    return printing.remove_old()


RETRY_SENDS = 5  # a failed national send is retried by the worker up to this many attempts


@periodic(every=dt.timedelta(minutes=15), label="重试发送失败的全国证书查询系统上报")
@task()
def retry_national_sends() -> int:
    """Send again the national exports whose send failed (an officer's send that hit a
    broken link is not left waiting for someone to press the button again)."""
    from skillcert.audit.service import SYSTEM
    from skillcert.certificates import national
    from skillcert.certificates.models import NationalExportState

    sent = 0
    failed = national.unsent(SYSTEM).filter(
        state=NationalExportState.FAILED, attempts__lt=RETRY_SENDS
    )
    for export in failed:
        try:
            sent += national.deliver(export, actor=SYSTEM).sent_now
        except national.SendFailed:
            continue  # recorded on the export; the next run tries again
    return sent


@task()
def send_filing_report(report_id: int) -> bool:
    """Send one filing report to the ministry's appraisal center (queued once its filing
    committed); True when it went out now."""
    from skillcert.audit.service import SYSTEM
    from skillcert.certificates.models import FilingReport, FilingReportState
    from skillcert.certificates.national import filings

    report = FilingReport.objects.filter(pk=report_id).first()
    if report is None:
        return False
    before = report.state
    after = filings.deliver(report, actor=SYSTEM).state
    return before != after and after == FilingReportState.SENT


@periodic(
    every=dt.timedelta(minutes=15), label="备案报部：补报漏报的备案和撤销，重试发送失败的报部"
)
@task()
def sweep_filing_reports() -> int:
    """Record the reports of filings and revocations that have none, and send what waits
    (a failed send up to ``filings.RETRY_SENDS`` attempts)."""
    from skillcert.audit.service import SYSTEM
    from skillcert.certificates.national import filings

    filings.record_missing()
    return filings.send_pending(SYSTEM)
