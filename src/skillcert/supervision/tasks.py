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


@periodic(
    every=dt.timedelta(days=1), label="按保存期限删除个人信息（未合格考生名单、备案材料、考生照片）"
)
@task()
def apply_retention() -> dict[str, int]:
    """Personal data past its retention period is deleted (domain.md §11)."""
    from dataclasses import asdict

    from skillcert.audit.service import SYSTEM
    from skillcert.supervision.retention import apply_retention as apply

    return asdict(apply(actor=SYSTEM))


@periodic(
    every=dt.timedelta(days=1),
    label="核对已终止的事项（撤回计划的检查、已撤销或失效备案的回执）",
)
@task()
def settle_ended() -> dict[str, int]:
    """What a step should have ended with it and did not (rows from before the steps did
    it, or written outside the services): the inspections of withdrawn plans nobody
    started, and the filing receipts of filings revoked, expired or merged away."""
    from skillcert.audit.service import SYSTEM
    from skillcert.registry.documents import settle_receipts
    from skillcert.supervision.services.inspections import settle_withdrawn_plans

    return {"inspections": settle_withdrawn_plans(), "receipts": settle_receipts(actor=SYSTEM)}
