"""Read queries on batches: the deadline that runs now, lists ordered by it, and the
candidates' facts the batch page shows (certificate numbers, absences, missing photos)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, F, QuerySet, When

from skillcert.assessment.models import Batch
from skillcert.assessment.workflow import BatchState
from skillcert.reference.selectors import work_calendar
from skillcert.registry.selectors import DeadlineView, deadline_view
from skillcert.rules import clock
from skillcert.rules.assessment import plan_filing_deadline, result_filing_due

S = BatchState

# A plan counts as filed from ``plan_filed`` on (domain.md §8): never a draft, nor a plan
# withdrawn before its assessment (九, 撤回).
PLAN_NOT_FILED = frozenset({S.DRAFT.value, "withdrawn"})


def with_filed_plan(batches: QuerySet[Batch]) -> QuerySet[Batch]:
    """The batches whose plan is filed (any state after ``draft``, withdrawn excluded)."""
    return batches.exclude(state__in=PLAN_NOT_FILED)


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
    return None


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
