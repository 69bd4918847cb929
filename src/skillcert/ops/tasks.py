"""The operations app's periodic jobs (the worker imports this module; see skillcert.jobs)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from skillcert.jobs.schedule import periodic


@periodic(every=dt.timedelta(days=1), label="发送办理期限临近提醒和年度报告提交提醒")
@task()
def send_reminders() -> int:
    """3 working days before every deadline a person owes, a message (``ops.reminders``)."""
    from skillcert.ops.reminders import remind

    return remind()
