"""Supervision's periodic jobs (the worker imports this module; see skillcert.jobs)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from skillcert.jobs.schedule import periodic
from skillcert.supervision.services.summaries import refresh_statistics


@periodic(
    every=dt.timedelta(hours=6), label="重算证书统计汇总（发证、撤销时已按日更新，此为全量校准）"
)
@task()
def recount_statistics() -> int:
    """The whole summary rebuilt from the certificates: anything that changed certificates
    outside the services (a repair in the database) is corrected within hours."""
    return refresh_statistics()
