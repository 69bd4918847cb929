"""Read queries on batches: the deadline that runs now, lists ordered by it, and the
candidates' facts the batch page shows (certificate numbers, absences, missing photos)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, F, Q, QuerySet, When

from skillcert.accounts.display import person_label
from skillcert.assessment.models import Batch
from skillcert.assessment.workflow import BatchState, plan_filed
from skillcert.reference.selectors import work_calendar
from skillcert.registry.selectors import DeadlineView, deadline_view
from skillcert.rules import clock
from skillcert.rules.assessment import plan_filing_deadline, result_filing_due

S = BatchState

# A plan counts as filed from ``plan_filed`` on (domain.md §8): never a draft, nor a plan
# withdrawn before its assessment (九, 撤回).
PLAN_NOT_FILED = frozenset({S.DRAFT.value, S.WITHDRAWN.value})


def with_filed_plan(batches: QuerySet[Batch]) -> QuerySet[Batch]:
    """The batches whose plan is filed (any state after ``draft``, withdrawn excluded)."""
    return batches.exclude(state__in=PLAN_NOT_FILED)


def matching(batches: QuerySet[Batch], text: str) -> QuerySet[Batch]:
    """The batches whose case number (plan JH- or results JG-) or title contains ``text``."""
    text = text.strip()[:100]
    if not text:
        return batches
    return batches.filter(
        Q(plan_case_number__icontains=text)
        | Q(results_case_number__icontains=text)
        | Q(title__icontains=text)
    )


@dataclass(frozen=True)
class BatchDeadline:
    """The deadline that runs now, and whether it counts calendar days (the publicity)."""

    label: str
    view: DeadlineView
    calendar_days: bool = False


def batch_deadline(batch: Batch) -> BatchDeadline | None:
    """Plan filing while a draft; the publicity's end while it runs; then result filing."""
    today = clock.today()
    if batch.state == S.DRAFT and batch.start_date:
        due = plan_filing_deadline(work_calendar(), batch.start_date)
        return BatchDeadline("计划报备截止", deadline_view(due.day, due.estimated))
    if batch.state == S.IN_PUBLICITY and batch.publicity_end:
        end = batch.publicity_end
        if today <= end:
            view = DeadlineView(end, (end - today).days, False, "")
            return BatchDeadline("结果公示截止", view, calendar_days=True)
        # Over but not yet closed (the sweep or issuing closes it): result filing runs already.
        due = result_filing_due(work_calendar(), end)
        return BatchDeadline("结果报备期限", deadline_view(due.day, due.estimated))
    if batch.state in {S.PUBLICITY_CLOSED, S.CERTIFICATES_ISSUED} and batch.results_due:
        view = deadline_view(batch.results_due, batch.results_due_estimated)
        return BatchDeadline("结果报备期限", view)
    for receipt in (plan_receipt(batch), results_receipt(batch)):
        if receipt is not None and receipt.awaiting and receipt.due is not None:
            return BatchDeadline(f"{receipt.what}签收期限", deadline_view(receipt.due, False))
    return None


@dataclass(frozen=True)
class Receipt:
    """Where a plan or result filing stands with the appraisal center (签收 / 退回)."""

    what: str  # 计划 or 结果
    status: str  # awaiting | received | returned
    due: dt.date | None
    received_on: dt.date | None = None
    received_by: str = ""  # who received it; empty: by time (逾期未签收，视为已签收)
    reasons: list[str] = field(default_factory=list)  # a return's, every one

    @property
    def awaiting(self) -> bool:
        return self.status == "awaiting"

    @property
    def by_time(self) -> bool:
        return self.status == "received" and not self.received_by

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "due": self.due,
            "received_on": self.received_on,
            "received_by": self.received_by or None,
            "by_time": self.by_time,
            "reasons": self.reasons,
        }


def _person(user: object) -> str:
    return "" if user is None else person_label(user)


def _receipt(
    what: str,
    *,
    filed: bool,
    returned: bool,
    due: dt.date | None,
    received_on: dt.date | None,
    received_by: object,
    reason: str,
) -> Receipt | None:
    if filed and received_on is not None:
        return Receipt(what, "received", due, received_on, _person(received_by))
    if filed and due is not None:
        if clock.today() <= due:
            return Receipt(what, "awaiting", due)
        return Receipt(what, "received", due, due)  # by time, before anyone read it
    if returned and reason:
        return Receipt(what, "returned", None, reasons=reason.splitlines())
    return None


def plan_receipt(batch: Batch) -> Receipt | None:
    """The plan filing's receipt: awaited until ``plan_receipt_due``, received (by a person,
    or by time on that day), or returned (the draft shows every reason)."""
    return _receipt(
        "计划",
        filed=plan_filed(batch),
        returned=batch.state == S.DRAFT,
        due=batch.plan_receipt_due,
        received_on=batch.plan_received_on,
        received_by=batch.plan_received_by if batch.plan_received_by_id else None,
        reason=batch.plan_return_reason,
    )


def results_receipt(batch: Batch) -> Receipt | None:
    """The result filing's receipt, likewise (returned: back in ``certificates_issued``)."""
    return _receipt(
        "结果",
        filed=batch.state == S.RESULTS_FILED,
        returned=batch.state == S.CERTIFICATES_ISSUED,
        due=batch.results_receipt_due,
        received_on=batch.results_received_on,
        received_by=batch.results_received_by if batch.results_received_by_id else None,
        reason=batch.results_return_reason,
    )


def ordered_by_deadline(batches: QuerySet[Batch]) -> QuerySet[Batch]:
    """The nearest deadline first (finished batches last); the index ``batch_deadline_order``
    has the same expressions, so a page reads only its own rows."""
    return batches.annotate(
        next_day=Case(
            When(state=S.IN_PUBLICITY, then=F("publicity_end")),
            When(state=S.PUBLICITY_CLOSED, then=F("results_due")),
            When(state=S.CERTIFICATES_ISSUED, then=F("results_due")),
            When(state=S.RESULTS_FILED, then=F("results_filed_on")),
            default=F("start_date"),
        ),
    ).order_by(
        Case(When(state=S.RESULTS_FILED, then=1), default=0),
        F("next_day").asc(nulls_last=True),
        "-pk",
    )


def absent_id_numbers(batch: Batch) -> list[str]:
    """The ID numbers of the candidates recorded absent, in roster order."""
    return list(batch.candidates.filter(attended=False).values_list("id_number", flat=True))


def passers_without_photos(batch: Batch) -> list[str]:
    """Names of those who passed and have no photo (their certificates print a placeholder)."""
    return list(
        batch.candidates.filter(passed=True, photo__isnull=True)
        .order_by("position", "pk")
        .values_list("name", flat=True)
    )
