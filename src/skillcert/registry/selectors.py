"""Read queries of the registry: the public catalog and notices, worklists, deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Case, CharField, F, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Concat

from skillcert.accounts.actors import is_signed_in
from skillcert.accounts.models import Authority, User
from skillcert.accounts.roles import AuthorityKind
from skillcert.reference.selectors import work_calendar
from skillcert.registry.access import catch_up_organizations, filings_for
from skillcert.registry.models import (
    LISTED_STATUSES,
    FilingCase,
    Notice,
    NoticeKind,
    Organization,
    RetiredNumber,
    Scope,
    ScopeItem,
    ServiceArea,
)
from skillcert.registry.workflow import FilingState
from skillcert.rules import clock
from skillcert.rules.workdays import working_days_between

if TYPE_CHECKING:  # not importable before the app registry is ready
    from django.contrib.auth.models import AnonymousUser


def all_city_codes() -> list[str]:
    return list(
        Authority.objects.filter(kind="city").order_by("code").values_list("code", flat=True)
    )


def cities_of(organization: Organization, city_codes: list[str] | None = None) -> list[str]:
    """Where it may certify: every city when province-wide, else its service areas."""
    if organization.scope == Scope.PROVINCE and organization.is_filed:
        return city_codes if city_codes is not None else all_city_codes()
    return sorted(area.city.code for area in organization.service_areas.all())


def with_scope(organizations: QuerySet[Organization]) -> QuerySet[Organization]:
    """Prefetch what an organization's representation needs (a fixed number of queries)."""
    return organizations.select_related("home_city", "filing_authority").prefetch_related(
        Prefetch(
            "scope_items", queryset=ScopeItem.objects.order_by("occupation_code", "work_type")
        ),
        Prefetch("service_areas", queryset=ServiceArea.objects.select_related("city")),
    )


def public_catalog(params: dict[str, Any]) -> QuerySet[Organization]:
    """Filed organizations that may certify; ``scope=province`` gives the province-wide list.

    Filters: ``city`` (a city code: organizations that may certify there), ``occupation``
    (code or part of the name), ``level`` (1-5), ``q`` (part of the name or the number).
    """
    catch_up_organizations()  # an expired filing leaves the catalog the day after
    organizations = Organization.objects.filter(status__in=LISTED_STATUSES)
    if params.get("scope") == "province":
        organizations = organizations.filter(scope=Scope.PROVINCE)
    elif params.get("scope") == "city":
        organizations = organizations.filter(scope=Scope.CITY)
    city = (params.get("city") or "").strip()
    if city:
        organizations = organizations.filter(
            Q(scope=Scope.PROVINCE) | Q(service_areas__city__code=city)
        )
    occupation = (params.get("occupation") or "").strip()
    if occupation:
        organizations = organizations.filter(
            Q(scope_items__occupation_code=occupation)
            | Q(scope_items__occupation_name__contains=occupation)
            | Q(scope_items__work_type__contains=occupation)
        )
    level = (params.get("level") or "").strip()
    if level.isdigit() and 1 <= int(level) <= 5:
        matching = ScopeItem.objects.filter(levels_key__contains=f",{int(level)},").values(
            "organization"
        )
        organizations = organizations.filter(pk__in=matching)
    text = (params.get("q") or "").strip()
    if text:
        organizations = organizations.filter(Q(name__contains=text) | Q(filing_number=text.upper()))
    return with_scope(organizations.distinct().order_by("filing_number"))


def with_publisher(notices: QuerySet[Notice]) -> QuerySet[Notice]:
    """Each notice with ``publisher`` (发布单位), see ``notice_publisher``."""
    return notices.annotate(
        publisher=Case(
            When(
                kind=NoticeKind.RESULT_PUBLICITY,
                organization__isnull=False,
                then=F("organization__name"),
            ),
            When(
                authority__kind=AuthorityKind.PROVINCE,
                then=Concat(F("authority__name"), Value("人社厅")),
            ),
            default=Concat(F("authority__name"), Value("人社局")),
            output_field=CharField(),
        )
    )


def notice_publisher(notice: Notice) -> str:
    """Who publishes a notice (发布单位): a result publicity is the organization's own
    (五(三): 评价组织应对认定结果进行公示), every other notice its authority's
    (合肥市人社局, 安徽省人社厅). The notice keeps ``authority`` for scoping."""
    annotated: str | None = getattr(notice, "publisher", None)  # ``public_notices``' annotation
    if annotated:
        return annotated
    if notice.kind == NoticeKind.RESULT_PUBLICITY and notice.organization_id:
        organization = notice.organization  # read only here: one query unless selected
        assert organization is not None, "its id is set"
        return organization.name
    suffix = "人社厅" if notice.authority.is_province else "人社局"
    return f"{notice.authority.name}{suffix}"


def public_notices(params: dict[str, Any]) -> QuerySet[Notice]:
    """Current and past notices, each with its ``publisher``; ``current=1`` only those whose
    publicity runs today."""
    notices = with_publisher(Notice.objects.select_related("authority", "filing"))
    if params.get("current") in {"1", "true"}:
        today = clock.today()
        notices = notices.filter(ends_on__gte=today, starts_on__lte=today)
    kind = params.get("kind")
    if kind:
        notices = notices.filter(kind=kind)
    return notices.order_by("-starts_on", "-pk")


def worklist(
    user: User | AnonymousUser, params: dict[str, Any] | None = None
) -> QuerySet[FilingCase]:
    """The cases a person may read, the nearest deadline first (open cases before ended)."""
    params = params or {}
    cases = filings_for(user).select_related("organization", "authority")
    if params.get("state"):
        cases = cases.filter(state=params["state"])
    if params.get("kind"):
        cases = cases.filter(kind=params["kind"])
    number = str(params.get("case_number") or "").strip()
    if number:
        cases = cases.filter(case_number=number.upper())
    text = str(params.get("q") or "").strip()[:100]
    if text:
        cases = cases.filter(
            Q(case_number__icontains=text)
            | Q(organization__name__contains=text)
            | Q(filing_number=text.upper())
        )
    return cases.annotate(
        next_deadline=Case(
            When(state=FilingState.SUBMITTED, then=F("acceptance_due")),
            When(state=FilingState.IN_PUBLICITY, then=F("publicity_end")),
            default=None,
        )
    ).order_by(F("next_deadline").asc(nulls_last=True), "-updated_at")


def retired_numbers(user: User | AnonymousUser) -> QuerySet[RetiredNumber]:
    """The retired pool: the province sees all; a city the numbers of its own sequence."""
    retired = RetiredNumber.objects.all()
    if not is_signed_in(user):  # the API signs everyone in first: never reached
        return retired.none()
    if user.is_province_officer:
        return retired
    if user.is_city_officer and user.authority:
        return retired.filter(number__regex=rf"^.{{7}}{user.authority.code}")
    return retired.none()


@dataclass(frozen=True)
class DeadlineView:
    """A deadline as pages and the API show it: the date, working days left, and a note."""

    day: dt.date | None
    days_left: int | None
    overdue: bool
    note: str


def deadline_view(day: dt.date | None, estimated: bool = False) -> DeadlineView:
    if day is None:
        return DeadlineView(None, None, False, "")
    today = clock.today()
    left = working_days_between(work_calendar(), today, day)
    note = "（含尚未发布的节假日安排，暂按周一至周五计算）" if estimated else ""
    return DeadlineView(day, left, today > day, note)


def next_deadline_of(case: FilingCase) -> DeadlineView:
    """The date the case waits for: the acceptance reply owed by the reviewer (overdue after
    it), or the end of the publicity (awaited, never overdue: from the day after, the case
    is ready to file)."""
    from skillcert.registry.machines import FILING_MACHINE

    step = FILING_MACHINE.next_step(case)
    if step is None or step.due is None:
        return deadline_view(None)
    if step.action == "accept":
        return deadline_view(case.acceptance_due, case.acceptance_due_estimated)
    if step.action == "file":
        view = deadline_view(case.publicity_end, case.publicity_end_estimated)
        return DeadlineView(view.day, view.days_left, False, view.note)
    return deadline_view(step.due)


def exit_notice_of(organization: Organization) -> Notice | None:
    """The public notice of the organization's exit (revocation or merger), if any."""
    if organization.exited_on is None:
        return None
    return (
        Notice.objects.filter(
            organization=organization, kind__in=[NoticeKind.EXIT, NoticeKind.MERGER]
        )
        .order_by("-starts_on", "-pk")
        .first()
    )
