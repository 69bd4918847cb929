"""Result publicity notices lose their list of names when the publicity ends (domain.md §11,
minimal disclosure): the stored text keeps the organization, the dates and the count of those
who passed; the names and masked ID numbers are removed from the database, not only hidden.

The public pages already stop showing the list the day after the last day of the publicity
(``Notice.public_body``); this job makes the stored text match, hourly with the sweep
(``assessment.tasks.remove_publicity_names``), one audit entry per notice. The candidates'
own records (the roster, the certificates) are not touched.
"""

from __future__ import annotations

from django.db import transaction

from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.registry.models import Notice, NoticeKind
from skillcert.rules import clock
from skillcert.rules.disclosure import name_list_rows, without_name_list

ACTION = "assessment.notice.names_removed"


def ended_notices_with_names() -> list[int]:
    """The result publicity notices whose publicity is over and whose text still lists people
    (a list is tab-separated: see ``results._result_notice_body``)."""
    return list(
        Notice.objects.filter(
            kind=NoticeKind.RESULT_PUBLICITY, ends_on__lt=clock.today(), body__contains="\t"
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def remove_names_from_ended_notices(*, actor: Actor) -> int:
    """Remove the list of names from every result publicity that is over; how many notices
    changed. Each notice is one transaction with its audit entry (counts only: an audit entry
    holds no name), so running it twice changes nothing the second time."""
    removed = 0
    for pk in ended_notices_with_names():
        with transaction.atomic():
            notice = Notice.objects.select_for_update().filter(pk=pk).first()
            if notice is None or "\t" not in notice.body:
                continue  # removed meanwhile by another worker
            listed = name_list_rows(notice.body)
            notice.body = without_name_list(notice.body)
            notice.save(update_fields=["body"])
            audit.record(
                actor=actor,
                action=ACTION,
                obj=notice,
                before={"names_listed": listed, "ends_on": notice.ends_on},
                after={"names_listed": 0, "batch": notice.subject_id},
            )
            removed += 1
    return removed
