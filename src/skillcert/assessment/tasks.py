"""The sweep that moves what time moves, run by the workers every hour (no cron needed), and
the job that renders the error report of a large refused upload (``excel.reports``)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from skillcert.assessment.excel.reports import render_report_job
from skillcert.jobs.schedule import periodic

# Importing it registers the error report job with the queue (the worker imports this module).
__all__ = ["remove_publicity_names", "render_report_job", "sweep"]


@periodic(every=dt.timedelta(hours=1), label="受理超期标记、备案到期注销、结果公示期满")
@task()
def sweep() -> dict[str, int]:
    from skillcert.assessment.services.sweep import run_sweep
    from skillcert.audit.service import SYSTEM

    result = run_sweep(actor=SYSTEM)
    return result


@periodic(every=dt.timedelta(hours=1), label="结果公示期满后删除公示中的姓名和证件号码")
@task()
def remove_publicity_names() -> int:
    """Result publicities that are over lose their list of names (domain.md §11)."""
    from skillcert.assessment.services.disclosure import remove_names_from_ended_notices
    from skillcert.audit.service import SYSTEM

    return remove_names_from_ended_notices(actor=SYSTEM)
