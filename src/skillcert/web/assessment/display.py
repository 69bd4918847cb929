"""What the batch pages show: the running deadline, counts per state, the plan checklist,
the candidates' tallies and the segments left for issuing.

Read-only helpers over the assessment and certificates models and their selectors; nothing
here decides: the services refuse what is not allowed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet

from skillcert.accounts.roles import PROVINCE_ROLES, Role
from skillcert.assessment import selectors
from skillcert.assessment.access import batches_for
from skillcert.assessment.models import Batch, StaffRole
from skillcert.assessment.services.plans import plan_refusals
from skillcert.assessment.workflow import BatchParty, BatchState, is_numbered, plan_filed
from skillcert.certificates.models import CertificateCounter, CertificateStatus, Segment
from skillcert.certificates.selectors import serials_left
from skillcert.reference.selectors import work_calendar
from skillcert.registry.models import Channel
from skillcert.registry.selectors import deadline_view
from skillcert.rules.assessment import plan_filing_deadline
from skillcert.rules.levels import level_name
from skillcert.web.display import Deadline

if TYPE_CHECKING:
    from skillcert.accounts.models import User

S = BatchState

# The dashboard's groups and the list's filter: one state each, labelled for who reads it.
ORGANIZATION_LABELS: dict[str, str] = {
    S.DRAFT: "计划待报备",
    S.PLAN_FILED: "计划已报备",
    S.RESULTS_ENTERED: "成绩已录入",
    S.IN_PUBLICITY: "公示中",
    S.PUBLICITY_CLOSED: "待生成证书编号",
    S.CERTIFICATES_ISSUED: "待报备结果",
    S.RESULTS_FILED: "结果已报备",
    S.WITHDRAWN: "已撤回",
}
REVIEWER_LABELS: dict[str, str] = {
    S.PLAN_FILED: "计划已报备",
    S.RESULTS_ENTERED: "成绩已录入",
    S.IN_PUBLICITY: "公示中",
    S.PUBLICITY_CLOSED: "公示期满",
    S.CERTIFICATES_ISSUED: "待报备结果",
    S.RESULTS_FILED: "结果已报备",
    S.WITHDRAWN: "已撤回",
}
# An inspector checks assessments while they run.
INSPECTABLE_STATES = (S.PLAN_FILED, S.RESULTS_ENTERED)


@dataclass(frozen=True)
class CalendarDeadline(Deadline):
    """A deadline counted in calendar days (the result publicity of 7 days)."""

    @property
    def remaining(self) -> str:
        left = self.view.days_left
        if left is None:
            return ""
        if left == 0:
            return "今天截止"
        return f"还剩 {left} 天"


def batch_deadline(batch: Batch) -> Deadline | None:
    """The deadline that runs now, as one line (assessment.selectors decides which)."""
    deadline = selectors.batch_deadline(batch)
    if deadline is None:
        return None
    kind = CalendarDeadline if deadline.calendar_days else Deadline
    return kind(deadline.label, deadline.view)


ordered_by_deadline = selectors.ordered_by_deadline


def state_counts(batches: QuerySet[Batch]) -> dict[str, int]:
    rows = batches.order_by().values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows}


def batch_groups(user: User) -> list[dict[str, Any]]:
    """The dashboard's counts per state, each linking to the filtered list."""
    organization_user = user.role == Role.ORGANIZATION
    labels = ORGANIZATION_LABELS if organization_user else REVIEWER_LABELS
    counts = state_counts(batches_for(user))
    return [
        {"state": state, "label": label, "count": counts.get(state, 0)}
        for state, label in labels.items()
    ]


def inspectable(user: User) -> QuerySet[Batch]:
    """The batches an inspector may spot-check now: held in its city (all, for the province)."""
    batches = batches_for(user).filter(state__in=INSPECTABLE_STATES)
    if user.authority is not None and not user.authority.is_province:
        batches = batches.filter(site_city_id=user.authority_id)
    return batches


def is_province_user(user: User) -> bool:
    return user.role in PROVINCE_ROLES or (
        user.role == Role.INSPECTOR and user.authority is not None and user.authority.is_province
    )


# --- the plan ------------------------------------------------------------------------------


def site_label(batch: Batch) -> str:
    """The site as one line, without the city twice ("合肥市 合肥市蜀山区…")."""
    city = batch.site_city.name
    address = batch.site_address or ""
    return address if address.startswith((city, city.removesuffix("市"))) else f"{city} {address}"


def item_label(occupation_name: str, work_type: str, level: int) -> str:
    work = f"（{work_type}）" if work_type else ""
    return f"{occupation_name}{work} {level_name(level)}"


def plan_checklist(batch: Batch, today: dt.date) -> list[dict[str, Any]]:
    """``plan_refusals`` as a checklist: every rule of plan filing, passed or with the reason."""
    refusals: dict[str, list[str]] = {}
    for rule, message in plan_refusals(batch, today):
        refusals.setdefault(rule, []).append(message)
    organization = batch.organization
    due = plan_filing_deadline(work_calendar(), batch.start_date)
    deadline = Deadline("最迟", deadline_view(due.day, due.estimated))
    remaining = f"（{deadline.remaining}）" if deadline.remaining else ""
    validity = f"，备案有效期至 {organization.valid_until}" if organization.valid_until else ""
    items = list(batch.items.all())
    roles = dict(
        batch.staff.order_by().values("role").annotate(n=Count("pk")).values_list("role", "n")
    )
    candidates = batch.candidates.count()
    rules: list[tuple[str, str, str]] = [
        (
            "plan_too_late",
            "提前 10 个工作日报备计划",
            f"认定开始 {batch.start_date}，最迟 {due.day} 报备{remaining}{due.note()}",
        ),
        (
            "cannot_certify",
            "评价组织可以开展认定",
            f"{organization.get_status_display()}{validity}",
        ),
        (
            "outside_scope",
            "认定职业（工种）及等级在备案范围内",
            "、".join(item_label(i.occupation_name, i.work_type, i.level) for i in items)
            or "尚未选择",
        ),
        ("site_not_filed", "认定地点在已备案的地市", batch.site_city.name),
    ]
    if organization.channel == Channel.PROVINCE:
        rules.append(("outside_industry", "仅在本行业系统内开展认定", organization.industry))
    rules += [
        ("no_candidates", "考生名单已导入", f"共 {candidates} 名考生"),
        (
            "staff_missing",
            "监考人员、考评人员和内部质量督导员已安排",
            "，".join(f"{role.label} {roles.get(role.value, 0)} 人" for role in StaffRole),
        ),
    ]
    checklist = [
        {
            "rule": rule,
            "title": title,
            "passed": rule not in refusals,
            "detail": "；".join(refusals[rule]) if rule in refusals else detail,
            "kind": "rule",
        }
        for rule, title, detail in rules
    ]
    known = {rule for rule, _title, _detail in rules}
    checklist += [
        {"rule": rule, "title": "计划报备条件", "passed": False, "detail": "；".join(messages)}
        for rule, messages in refusals.items()
        if rule not in known
    ]
    return checklist


# --- candidates and certificates -----------------------------------------------------------


def candidate_tally(batch: Batch) -> dict[str, int]:
    counts = batch.candidates.aggregate(
        n_total=Count("pk"),
        n_absent=Count("pk", filter=Q(attended=False)),
        n_passed=Count("pk", filter=Q(passed=True)),
        n_failed=Count("pk", filter=Q(passed=False)),
        n_pending=Count("pk", filter=Q(passed__isnull=True)),
    )
    return {key.removeprefix("n_"): value for key, value in counts.items()}


def segment_needs(batch: Batch, year: int) -> list[dict[str, Any]]:
    """Per level of those who passed: serials needed and left in the organization's segments."""
    needed = dict(
        batch.candidates.filter(passed=True)
        .order_by()
        .values("level")
        .annotate(n=Count("pk"))
        .values_list("level", "n")
    )
    if not needed:
        return []
    organization = batch.organization_id
    counters = dict(
        CertificateCounter.objects.filter(organization_id=organization, year=year).values_list(
            "level", "last_serial"
        )
    )
    segments: dict[int, list[tuple[int, int]]] = {}
    for level, first, last in Segment.objects.filter(
        organization_id=organization, year=year, level__in=list(needed)
    ).values_list("level", "first", "last"):
        segments.setdefault(level, []).append((first, last))
    rows = []
    for level in sorted(needed):
        used = counters.get(level, 0)
        left = serials_left(segments.get(level, []), used)
        rows.append(
            {
                "level": level,
                "needed": needed[level],
                "left": left,
                "short": left < needed[level],
            }
        )
    return rows


def segment_remaining(segment: Segment, counters: dict[tuple[int, int, int], int]) -> int:
    used = counters.get((segment.organization_id, segment.year, segment.level), 0)
    return serials_left([(segment.first, segment.last)], used)


def reviewer_parties(parties: frozenset[BatchParty]) -> bool:
    """Whether the viewer decides on objections (the center, the bureau, the province)."""
    return bool(parties & {BatchParty.CENTER, BatchParty.PROVINCE})


def batch_certificates(batch: Batch, *, owner: bool, may_print: bool) -> dict[str, Any] | None:
    """The batch page's 证书 card, or None when there is nothing to show yet."""
    numbered = is_numbered(batch)
    if not numbered and (not owner or not plan_filed(batch)):
        return None
    rows = batch.certificates.order_by().values("status").annotate(n=Count("pk"))
    counts = {status: 0 for status in CertificateStatus.values}
    counts.update({row["status"]: row["n"] for row in rows})
    candidates = batch.candidates.all()
    passed = candidates.filter(passed=True)
    return {
        "numbered": numbered,
        "counts": counts,
        "total": sum(counts.values()),
        "may_print": may_print and numbered and counts[CertificateStatus.VALID] > 0,
        "owner": owner,
        "candidates": candidates.count(),
        "missing_photos": candidates.filter(photo__isnull=True).count() if owner else 0,
        "passed_missing_photos": passed.filter(photo__isnull=True).count() if owner else 0,
    }
