"""Reminders (domain.md §9): 3 working days before a deadline a person owes, a message; and
an annual report that has come due, a message to the organization once.

What a person owes is exactly their worklist (``workflow.worklist``): every workflow's items
with ``due`` (acceptance replies, receipts, result filings, rectifications, …) and the duties
without an object yet (an annual report), so a new workflow is covered without being listed
here. A reminder goes out when its due date is at most ``AHEAD`` working days away (on the
day it is ``AHEAD`` away, or on a later day when a run was missed), never after it passed.
Each reminder has a ``dedupe_key`` naming the object, the step and its due date: a re-run
sends nothing twice, and a deadline that moves (a 补正 restarting the acceptance period) is
reminded again for its new date.

Runs once a day from the worker (``ops.tasks.send_reminders``); ``remind()`` is the same
for tests and the command line. Sits in ``ops`` because it reads every workflow.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from skillcert.inbox.service import notify
from skillcert.reference.selectors import work_calendar
from skillcert.rules import clock
from skillcert.rules.workdays import due_after_working_days, working_days_between
from skillcert.web.worklist import TYPE_LABELS, link_for
from skillcert.workflow.machine import machines
from skillcert.workflow.worklist import worklist

logger = logging.getLogger(__name__)

AHEAD = 3  # working days


def horizon(today: dt.date) -> dt.date:
    """The last due date reminded today: the ``AHEAD``-th working day after ``today``."""
    return due_after_working_days(work_calendar(), today, AHEAD).day


def remind(*, today: dt.date | None = None) -> int:
    """Send today's reminders to every active account: how many messages were written."""
    day = today or clock.today()
    last = horizon(day)
    calendar = work_calendar()
    written = 0
    User = get_user_model()
    for user in User.objects.filter(is_active=True).order_by("pk").iterator(chunk_size=200):
        try:
            written += _remind_user(user, day, last, calendar)
        except Exception:  # one person's broken item must not stop everyone else's reminders
            logger.exception("reminders for user %s failed", user.pk)
    return written


def _remind_user(user: Any, day: dt.date, last: dt.date, calendar: Any) -> int:
    """Read what the user owes (outside any transaction: no lock while the workflows are
    read), then write the reminders not yet sent, in one transaction."""
    notices: list[dict[str, Any]] = []
    for item in worklist(user):
        due = item.get("due")
        if due is None or not day <= due <= last:
            continue
        left = working_days_between(calendar, day, due)
        kind = TYPE_LABELS.get(item["type"], item["type"])
        when = "今天到期" if left <= 0 else f"还剩 {left} 个工作日"
        notices.append(
            {
                "event": "deadline.reminder",
                "title": f"办理期限临近：{kind}「{item['title']}」{item['label']}",
                "body": (
                    f"{kind}「{item['title']}」需要您办理“{item['label']}”，"
                    f"办理期限为 {due:%Y年%m月%d日}（{when}），请及时办理。"
                ),
                "link": link_for(item, user),
                "subject": f"{item['type']}:{item['id']}",
                "dedupe_key": _key("due", item, due),
            }
        )
    for item in _duties(user):
        due = item.get("due")
        kind = TYPE_LABELS.get(item["type"], item["type"])
        deadline = f"，提交期限为 {due:%Y年%m月%d日}" if due else ""
        notices.append(
            {
                "event": f"{item['type']}.due",
                "title": f"{item['title']}待{item['label']}",
                "body": f"{kind}「{item['title']}」应当{item['label']}{deadline}。",
                "link": link_for(item, user),
                "subject": f"{item['type']}:{item['id']}",
                "dedupe_key": _key("duty", item, due),
            }
        )
    if not notices:
        return 0
    with transaction.atomic():
        return sum(len(notify([user], **notice)) for notice in notices)


def _duties(user: Any) -> list[dict[str, Any]]:
    """What ``user`` owes with no object yet (an annual report): each workflow's ``duties``."""
    items: list[dict[str, Any]] = []
    for machine in machines().values():
        if machine.duties is not None:
            items.extend(machine.duties(user))
    return items


def _key(kind: str, item: dict[str, Any], due: dt.date | None) -> str:
    when = due.isoformat() if due else "-"
    # The title tells apart duties sharing an id (an organization's reports of two years).
    title = item["title"] if kind == "duty" else ""
    return f"{kind}:{item['type']}:{item['id']}:{item['action']}:{when}:{title}"[:120]
