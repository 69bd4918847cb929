"""The messages' jobs (the worker imports this module; see skillcert.jobs): sending one e-mail
or SMS copy, and the hourly pass that sends what is due and no job took."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from skillcert.jobs.schedule import periodic


@task()
def deliver(delivery_id: int) -> str:
    """Send the copy ``delivery_id`` when it is due (``inbox.delivery.send``): its state."""
    from skillcert.inbox.delivery import send

    return send(delivery_id)


@periodic(every=dt.timedelta(hours=1), label="重发未送达的消息邮件和短信")
@task()
def retry_deliveries() -> int:
    from skillcert.inbox.delivery import retry_due

    return retry_due()
