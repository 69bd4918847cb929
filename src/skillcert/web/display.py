"""What the pages show about cases and organizations, computed once for every template.

Read-only helpers: they call the registry's selectors and access helpers and shape the result
for display. Nothing here decides anything; the services refuse what is not allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count

from skillcert.accounts.actors import is_signed_in
from skillcert.accounts.models import Authority, User
from skillcert.accounts.roles import OFFICER_ROLES, Role
from skillcert.registry.access import filings_for
from skillcert.registry.machines import FILING_MACHINE
from skillcert.registry.models import FilingCase, FilingMaterial, Organization
from skillcert.registry.selectors import DeadlineView, deadline_view, next_deadline_of
from skillcert.registry.services import filings as filings_service
from skillcert.registry.workflow import FilingKind, FilingState
from skillcert.rules.filing import Material
from skillcert.rules.levels import level_name

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest


# The officers' worklist groups, in the order the dashboard shows them.
WORK_GROUPS: list[tuple[str, str, tuple[str, ...]]] = [
    ("submitted", "待受理", (FilingState.SUBMITTED,)),
    ("evaluating", "技术评估中", (FilingState.ACCEPTED, FilingState.UNDER_EVALUATION)),
    ("selected", "待公示", (FilingState.SELECTED,)),
    ("in_publicity", "公示中", (FilingState.IN_PUBLICITY,)),
    ("filed", "已备案", (FilingState.FILED,)),
]

DEADLINE_LABELS: dict[str, str] = {
    FilingState.SUBMITTED: "受理反馈期限",
    FilingState.IN_PUBLICITY: "公示截止",
}


def is_reviewer_user(user: User | AnonymousUser) -> bool:
    """Officers and inspectors: the people the /review pages are for."""
    return is_signed_in(user) and (user.role in OFFICER_ROLES or user.role == Role.INSPECTOR)


@dataclass(frozen=True)
class Deadline:
    """A deadline as one line of text: "受理反馈期限 2026-10-09（还剩 3 个工作日）"."""

    label: str
    view: DeadlineView

    @property
    def overdue(self) -> bool:
        return self.view.overdue

    @property
    def remaining(self) -> str:
        left = self.view.days_left
        if left is None:
            return ""
        if left < 0 and not self.view.overdue:  # an awaited date has passed (a publicity)
            return "已届满"
        if self.view.overdue:
            return f"已超期 {abs(left)} 个工作日" if left else "已超期"
        if left == 0:
            return "今天到期"
        return f"还剩 {left} 个工作日"

    def __str__(self) -> str:
        day = self.view.day.isoformat() if self.view.day else ""
        remaining = f"（{self.remaining}）" if self.remaining else ""
        return f"{self.label} {day}{remaining}"


def next_deadline(case: FilingCase) -> Deadline | None:
    """The deadline that runs now for the case (acceptance or publicity), if any."""
    view = next_deadline_of(case)
    if view.day is None:
        return None
    return Deadline(DEADLINE_LABELS.get(case.state, "期限"), view)


def acceptance_deadline(case: FilingCase) -> Deadline | None:
    """The acceptance feedback deadline, as the applicant's case page shows it in any state."""
    if case.acceptance_due is None:
        return None
    step = FILING_MACHINE.next_step(case)
    if step is not None and step.action == "accept":
        view = deadline_view(case.acceptance_due, case.acceptance_due_estimated)
    else:  # answered: no days left to count, only whether the answer came late
        view = DeadlineView(case.acceptance_due, None, case.overdue, "")
    return Deadline(DEADLINE_LABELS[FilingState.SUBMITTED], view)


def city_names() -> dict[str, str]:
    """City code → name, for showing where an organization may certify."""
    return dict(Authority.objects.filter(kind="city").values_list("code", "name"))


def materials_of(case: FilingCase) -> list[FilingMaterial]:
    """A case's materials in the order of 二 (basic form first, credit report last)."""
    order = {material.value: index for index, material in enumerate(Material)}
    return sorted(case.materials.all(), key=lambda m: order.get(m.type, len(order)))


LEVEL_CHOICES = [(str(level), level_name(level)) for level in range(1, 6)]


def startable_kinds(organization: Organization, cases: Any = None) -> list[FilingKind]:
    """The kinds the organization may start now (buttons on its list; the service decides)."""
    return [FilingKind(kind) for kind in filings_service.startable_kinds(organization)]


def state_counts(user: User | AnonymousUser) -> dict[str, int]:
    """How many cases the user may read, per state (one query)."""
    rows = filings_for(user).order_by().values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows}


def work_groups(user: User | AnonymousUser) -> list[dict[str, Any]]:
    """The dashboard's counts per group of states, each linking to the filtered worklist."""
    counts = state_counts(user)
    return [
        {
            "key": key,
            "label": label,
            "count": sum(counts.get(state, 0) for state in states),
            "state": states[0] if len(states) == 1 else "",
        }
        for key, label, states in WORK_GROUPS
    ]


def query_without_page(request: HttpRequest) -> str:
    """The list's filters as a query string, for the pagination links to carry."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
