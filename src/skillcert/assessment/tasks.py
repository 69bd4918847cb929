"""The sweep that moves what time moves, run by the workers every hour (no cron needed)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from skillcert.jobs.schedule import periodic


@periodic(every=dt.timedelta(hours=1), label="受理超期标记、备案到期注销、结果公示期满")
@task()
def sweep() -> dict[str, int]:
    from skillcert.assessment.services.sweep import run_sweep
    from skillcert.audit.service import SYSTEM

    result = run_sweep(actor=SYSTEM)
    return result
