"""Supervision pages of officers (/review/supervision/…): random draws (双随机), the
inspections and their publication (一公开), rectification review, annual reports not filed,
violations and exit, statistics with charts and the Excel downloads.

Thin: each view calls a supervision service or selector; a refused request re-renders the
page with the service's message next to what it names, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skillcert.audit.service import record_export
from skillcert.registry.access import (
    decides_for_organization,
    get_organization_for_user,
    organizations_for,
)
from skillcert.registry.machines import ORGANIZATION_MACHINE
from skillcert.registry.models import FILED_STATUSES, Organization
from skillcert.rules import clock
from skillcert.rules.errors import DomainError, Forbidden
from skillcert.supervision import exports, selectors
from skillcert.supervision.access import (
    get_inspection_for_user,
    inspections_for,
    officer_authority,
)
from skillcert.supervision.machines import INSPECTION_MACHINE, RECTIFICATION_MACHINE
from skillcert.supervision.models import (
    AnnualReport,
    Inspection,
    InspectionState,
    Violation,
)
from skillcert.supervision.services import draws, inspections, reports
from skillcert.supervision.services.summaries import refreshed_at
from skillcert.web import display
from skillcert.web.assessment.uploads import xlsx_response
from skillcert.web.forms import add_domain_error
from skillcert.web.guards import not_found_is_404, signed_in_user
from skillcert.web.supervision import display as sd
from skillcert.web.supervision.forms import DrawForm, PeriodForm, ViolationForm

if TYPE_CHECKING:
    from skillcert.accounts.models import Authority

PAGE_SIZE = 50
POOL_SHOWN = 200  # entries of a pool listed on the page (the public JSON has them all)

View = Callable[..., HttpResponseBase]


def officer_required(view: View) -> View:
    """Pages of /review/supervision/: officers of a bureau or center (403 for others)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            request.authority = officer_authority(request.user)  # type: ignore[attr-defined]
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None
        return view(request, *args, **kwargs)

    return login_required(not_found_is_404(wrapped))


# --- draws ---------------------------------------------------------------------------------


def _pools(authority: Authority, form: DrawForm) -> dict[str, Any] | None:
    """The pools the scope in ``form`` draws from (None while the scope has errors)."""
    if any(form.errors.get(name) for name in DrawForm.SCOPE):
        return None
    filters = form.filters()
    kind = form.cleaned_data.get("targets") or "organizations"
    targets = draws.target_pool(authority, kind, filters)
    people = draws.inspector_pool(authority)
    conflicts = draws.conflict_pairs(targets, people)
    return {
        "kind": kind,
        "targets": targets[:POOL_SHOWN],
        "target_count": len(targets),
        "inspectors": people,
        "inspector_count": len(people),
        "conflict_count": len(conflicts),
        "more": max(len(targets) - POOL_SHOWN, 0),
    }


def _draws_context(request: HttpRequest, form: DrawForm, **extra: Any) -> dict[str, Any]:
    records = sd.draws_for(signed_in_user(request)).prefetch_related("inspections")
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "form": form,
        "pools": _pools(request.authority, form),  # type: ignore[attr-defined]
        "page": page,
        "authority": request.authority,  # type: ignore[attr-defined]
        "scope_fields": [form[name] for name in DrawForm.SCOPE],
        **extra,
    }


@require_http_methods(["GET", "POST"])
@officer_required
def draws_page(request: HttpRequest) -> HttpResponse:
    """The draws made, and the form of a new one: its scope first (the pools' sizes show
    before anything is drawn), then how many targets and inspectors, and the seed."""
    if request.method == "POST":
        form = DrawForm(request.POST)
        form.is_valid()
        try:
            record = draws.make_draw(form.payload(), actor=request.user)
        except DomainError as exc:
            add_domain_error(form, exc, DrawForm.PATHS)
            context = _draws_context(request, form, error=exc.message)
            return render(request, "web/supervision/draws.html", context, status=exc.status)
        messages.success(
            request,
            f"已抽取 {record.count} 个对象，每个对象 {record.per_target} 名督查员；"
            "抽取记录已公开，任何人都可以重算核对。",
        )
        return redirect("web:supervision_draw", pk=record.pk)
    scope = request.GET.dict() if request.GET.get("targets") else {"targets": "organizations"}
    scope.pop("page", None)
    form = DrawForm({"count": "1", "inspectors": "1", **scope})
    form.is_valid()
    return render(request, "web/supervision/draws.html", _draws_context(request, form))


@require_GET
@officer_required
def draw_page(request: HttpRequest, pk: int) -> HttpResponse:
    record = sd.draws_for(signed_in_user(request)).filter(pk=pk).first()
    if record is None:
        raise Http404("未找到该抽取记录")
    return render(
        request,
        "web/supervision/draw.html",
        {"view": sd.draw_view(record, with_inspections=True), "command": sd.RECOMPUTE_COMMAND},
    )


# --- inspections ---------------------------------------------------------------------------

SHOW = {
    "assigned": ("待检查", lambda q: q.filter(state=InspectionState.ASSIGNED)),
    "concluded": ("待公开", lambda q: q.filter(state=InspectionState.CONCLUDED)),
    "published": ("已公开", lambda q: q.filter(state=InspectionState.PUBLISHED)),
    "ended": ("已终止", lambda q: q.filter(state=InspectionState.ENDED)),
    "rectification": ("整改待审核", sd.rectifications_to_review),
}


@require_GET
@officer_required
def inspections_page(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "")
    records = (
        inspections_for(request.user)
        .select_related("organization", "authority", "batch", "draw__drawn_by", "rectification")
        .prefetch_related("inspectors")
        .distinct()
    )
    counts = {key: flt(records).count() for key, (_label, flt) in SHOW.items()}
    total = records.count()
    if show in SHOW:
        records = SHOW[show][1](records)
    else:
        show = ""
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "inspection": i,
            "rectification": getattr(i, "rectification", None),
            "may_publish": INSPECTION_MACHINE.may(i, request.user, "publish"),
        }
        for i in page
    ]
    return render(
        request,
        "web/supervision/inspections.html",
        {
            "rows": rows,
            "page": page,
            "show": show,
            "total": total,
            "filters": [(key, label, counts[key]) for key, (label, _f) in SHOW.items()],
            "query": display.query_without_page(request),
        },
    )


def _inspection_context(request: HttpRequest, inspection: Inspection, **extra: Any) -> dict:
    user = request.user
    rectification = getattr(inspection, "rectification", None)
    return {
        "inspection": inspection,
        "findings": inspection.findings.select_related("recorded_by"),
        "inspectors": inspection.inspectors.all(),
        "rectification": rectification,
        "may_publish": INSPECTION_MACHINE.may(inspection, user, "publish"),
        "may_review": rectification is not None
        and RECTIFICATION_MACHINE.may(rectification, user, "rectification-review"),
        "decides": decides_for_organization(request.user, inspection.organization),
        **extra,
    }


@require_GET
@officer_required
def inspection_page(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_inspection_for_user(request.user, pk)
    return render(
        request, "web/supervision/inspection.html", _inspection_context(request, inspection)
    )


@require_POST
@officer_required
def inspection_publish(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_inspection_for_user(request.user, pk)
    try:
        inspections.publish(inspection, actor=request.user)
    except DomainError as exc:
        inspection = get_inspection_for_user(request.user, pk)
        context = _inspection_context(request, inspection, error=exc.message)
        return render(request, "web/supervision/inspection.html", context, status=exc.status)
    messages.success(
        request,
        f"已公开 {inspection.organization.name} 的检查结果（公众可在「检查结果公开」查看）。",
    )
    if request.POST.get("next") == "list":
        return redirect("web:supervision_inspections")
    return redirect("web:supervision_inspection", pk=pk)


@require_POST
@officer_required
def rectification_review(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_inspection_for_user(request.user, pk)
    choice = request.POST.get("accepted", "")
    accepted: Any = {"1": True, "0": False}.get(choice, choice or None)
    try:
        inspections.review_rectification(inspection, accepted, actor=request.user)
    except DomainError as exc:
        inspection = get_inspection_for_user(request.user, pk)
        context = _inspection_context(request, inspection, error=exc.message)
        return render(request, "web/supervision/inspection.html", context, status=exc.status)
    messages.success(
        request, "整改已审核通过。" if accepted is True else "整改未通过，已退回评价组织继续整改。"
    )
    return redirect("web:supervision_inspection", pk=pk)


# --- annual reports ------------------------------------------------------------------------


def _year(request: HttpRequest, default: int) -> int:
    text = request.GET.get("year", "")
    today = clock.today()
    if text.isdigit() and 2000 <= int(text) <= today.year:
        return int(text)
    return default


@require_GET
@officer_required
def reports_page(request: HttpRequest) -> HttpResponse:
    """Who has not filed the year's annual report (with its due date), and who has."""
    today = clock.today()
    current = sd.current_report_year(today)
    year = _year(request, current)
    scope = organizations_for(request.user)
    missing = reports.missing_reports(scope, year)
    filed = (
        AnnualReport.objects.filter(organization__in=scope, year=year)
        .select_related("organization")
        .order_by("organization__name")
    )
    due = reports.report_due(year)
    return render(
        request,
        "web/supervision/reports.html",
        {
            "year": year,
            "years": list(range(max(today.year - 3, 2000), today.year + 1)),
            "due": due,
            "past_due": today > due,
            "missing": missing,
            "filed": filed,
        },
    )


@require_GET
@officer_required
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    report = (
        AnnualReport.objects.filter(pk=pk, organization__in=organizations_for(request.user))
        .select_related("organization")
        .first()
    )
    if report is None:
        raise Http404("未找到该年度报告")
    return render(
        request,
        "web/supervision/report.html",
        {
            "report": report,
            "statistics": sd.statistic_rows(report.statistics),
            "occupations": sd.occupation_rows(report.statistics),
        },
    )


# --- an organization's supervision record: violations and exit -----------------------------


def _organization_context(
    request: HttpRequest, organization: Organization, **extra: Any
) -> dict[str, Any]:
    user = request.user
    related = (
        inspections_for(user)
        .filter(organization=organization)
        .select_related("batch", "rectification")
        .distinct()
    )
    form = extra.pop("form", None) or ViolationForm(inspections=related)
    return {
        "organization": organization,
        "violations": organization.violations.select_related("inspection"),
        "inspections": related,
        "reports": organization.annual_reports.all(),
        "decides": decides_for_organization(user, organization),
        "may_exit": ORGANIZATION_MACHINE.may(organization, user, "revoke"),
        "form": form,
        **extra,
    }


@require_GET
@officer_required
def organization_page(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_organization_for_user(request.user, pk)
    return render(
        request,
        "web/supervision/organization.html",
        _organization_context(request, organization),
    )


@require_POST
@officer_required
def violation_record(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_organization_for_user(request.user, pk)
    related = inspections_for(request.user).filter(organization=organization).distinct()
    form = ViolationForm(request.POST, inspections=related)
    form.is_valid()
    payload = form.payload()
    try:
        reports.record_violation(organization, payload, actor=request.user)
    except DomainError as exc:
        add_domain_error(form, exc)
        organization = get_organization_for_user(request.user, pk)
        context = _organization_context(request, organization, form=form, error=exc.message)
        return render(request, "web/supervision/organization.html", context, status=exc.status)
    if payload["exit"]:
        messages.success(request, "已记录违规，并撤销备案：备案号注销、移出目录，已发布退出公告。")
    else:
        messages.success(request, "已记录违规情况。")
    return redirect("web:supervision_organization", pk=pk)


@require_GET
@officer_required
def violations_page(request: HttpRequest) -> HttpResponse:
    """Violations recorded for the organizations the officer reads, and where to record one."""
    scope = organizations_for(request.user)
    chosen = request.GET.get("organization", "")
    if chosen.isdigit() and scope.filter(pk=int(chosen)).exists():
        return redirect("web:supervision_organization", pk=int(chosen))
    records = Violation.objects.filter(organization__in=scope).select_related(
        "organization", "recorded_by"
    )
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    candidates = [
        o
        for o in scope.filter(status__in=FILED_STATUSES).order_by("name")
        if decides_for_organization(request.user, o)
    ]
    return render(
        request,
        "web/supervision/violations.html",
        {"page": page, "organizations": candidates, "query": display.query_without_page(request)},
    )


# --- statistics ----------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[PeriodForm, Any, Any]:
    form = PeriodForm(request.GET or None)
    start, end = form.period(clock.today())
    return form, start, end


@require_GET
@officer_required
def statistics_page(request: HttpRequest) -> HttpResponse:
    form, start, end = _period(request)
    authority = request.authority  # type: ignore[attr-defined]
    figures = selectors.statistics(authority, start, end)
    query = f"start={start.isoformat()}&end={end.isoformat()}"
    return render(
        request,
        "web/supervision/statistics.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "figures": figures,
            "charts": sd.statistics_charts(figures, start, end),
            "query": query,
            "authority": authority,
            "as_of": refreshed_at(),
        },
    )


@require_GET
@officer_required
def statistics_workbook(request: HttpRequest) -> HttpResponse:
    _form, start, end = _period(request)
    authority = request.authority  # type: ignore[attr-defined]
    content = exports.statistics_workbook(selectors.statistics(authority, start, end))
    return xlsx_response(content, f"统计-{authority.name}-{start}-{end}.xlsx")


@require_GET
@officer_required
def talent_workbook(request: HttpRequest) -> HttpResponse:
    _form, start, end = _period(request)
    authority = request.authority  # type: ignore[attr-defined]
    rows = selectors.talent_rows(authority, start, end)
    content = exports.talent_workbook(rows)
    record_export(request.user, authority, what=f"人才统计 {start} 至 {end}", count=rows.count())
    return xlsx_response(content, f"人才统计-{authority.name}-{start}-{end}.xlsx")
