"""The audit record's periodic job (the worker imports this module; see skillcert.jobs)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from skillcert.jobs.schedule import periodic


@periodic(every=dt.timedelta(days=1), label="签署并发布审计记录检查点")
@task()
def sign_checkpoint() -> int:
    """Sign the audit chain's head (Ed25519 and SM2) and publish it; returns its ``seq``."""
    from skillcert.audit.checkpoints import make_checkpoint

    return make_checkpoint().seq
