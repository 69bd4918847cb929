"""Supervision pages of inspectors (/inspector/…) and of organizations (/org/…).

Inspectors: their assigned inspections (我的检查任务), findings per stage with an attachment,
the conclusion, and conflicts of interest (回避). Organizations: the annual report (its
figures computed from the records and shown before filing), and their inspections with the
rectification asked for. Every write goes through a supervision service.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from collections.abc import Callable
from functools import wraps
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skillcert.accounts.roles import Role
from skillcert.assessment.access import batches_for
from skillcert.documents import files
from skillcert.registry.access import organizations_for, sees_full_phone
from skillcert.registry.models import FILED_STATUSES, Organization
from skillcert.registry.services.materials import served_name
from skillcert.rules import clock
from skillcert.rules.errors import DomainError, InvalidInput
from skillcert.supervision.access import get_inspection_for_user, inspections_for
from skillcert.supervision.machines import (
    ANNUAL_REPORT_MACHINE,
    INSPECTION_MACHINE,
    RECTIFICATION_MACHINE,
    due_report,
)
from skillcert.supervision.models import AnnualReport, Finding, Inspection, InspectionState
from skillcert.supervision.services import draws, inspections, reports
from skillcert.web.display import is_reviewer_user
from skillcert.web.forms import add_domain_error
from skillcert.web.guards import not_found_is_404, organization_required, signed_in_user
from skillcert.web.supervision import display as sd
from skillcert.web.supervision.forms import (
    STAGES,
    AnnualReportForm,
    ConclusionForm,
    ConflictForm,
    FindingForm,
    RectificationForm,
)

if TYPE_CHECKING:
    from skillcert.accounts.models import User

View = Callable[..., HttpResponseBase]


def inspector_required(view: View) -> View:
    """Pages of /inspector/: inspectors only (403 for everyone else)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if signed_in_user(request).role != Role.INSPECTOR:
            raise PermissionDenied("只有督查员可以访问此页面")
        return view(request, *args, **kwargs)

    return login_required(not_found_is_404(wrapped))


# --- inspectors: my inspections ------------------------------------------------------------


def _mine(request: HttpRequest) -> Any:
    return (
        inspections_for(request.user)
        .select_related("organization", "batch", "batch__site_city", "draw", "rectification")
        .distinct()
    )


@require_GET
@inspector_required
def my_inspections(request: HttpRequest) -> HttpResponse:
    mine = _mine(request)
    return render(
        request,
        "web/supervision/my_inspections.html",
        {
            "waiting": mine.filter(state=InspectionState.ASSIGNED),
            "done": mine.exclude(state=InspectionState.ASSIGNED),
        },
    )


def _task_context(request: HttpRequest, inspection: Inspection, **extra: Any) -> dict[str, Any]:
    batch = inspection.batch
    findings = list(inspection.findings.select_related("recorded_by"))
    return {
        "inspection": inspection,
        "organization": inspection.organization,
        "full_phone": sees_full_phone(request.user, inspection.organization_id),
        "batch": batch,
        "batch_items": batch.items.all() if batch else [],
        "batch_visible": batch is not None
        and batches_for(request.user).filter(pk=batch.pk).exists(),
        "scope_items": inspection.organization.scope_items.all(),
        "findings": findings,
        "team": inspection.inspectors.all(),
        "rectification": getattr(inspection, "rectification", None),
        "may_record": INSPECTION_MACHINE.may(inspection, request.user, "findings"),
        "finding_form": extra.pop("finding_form", None) or FindingForm(),
        "conclusion_form": extra.pop("conclusion_form", None) or ConclusionForm(),
        "stages": STAGES,
        "may_conclude": INSPECTION_MACHINE.may(inspection, request.user, "conclude"),
        **extra,
    }


def _render_task(
    request: HttpRequest, inspection: Inspection, status: int = 200, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "web/supervision/task.html",
        _task_context(request, inspection, **extra),
        status=status,
    )


@require_GET
@inspector_required
def my_inspection(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_task(request, get_inspection_for_user(request.user, pk))


@require_POST
@inspector_required
def finding_record(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_inspection_for_user(request.user, pk)
    form = FindingForm(request.POST, request.FILES)
    form.is_valid()
    try:
        inspections.record_finding(
            inspection,
            form.payload(),
            attachment=request.FILES.get("attachment"),
            actor=request.user,
        )
    except DomainError as exc:
        add_domain_error(form, exc, FindingForm.PATHS)
        inspection = get_inspection_for_user(request.user, pk)
        return _render_task(
            request,
            inspection,
            exc.status,
            finding_form=form,
            error=exc.message,
            failed="findings",
        )
    messages.success(request, "已记录检查情况。")
    return redirect(reverse("web:inspector_inspection", args=[pk]) + "#findings")


@require_POST
@inspector_required
def conclusion_record(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_inspection_for_user(request.user, pk)
    form = ConclusionForm(request.POST)
    form.is_valid()
    try:
        inspection = inspections.conclude(inspection, form.payload(), actor=request.user)
    except DomainError as exc:
        add_domain_error(form, exc)
        inspection = get_inspection_for_user(request.user, pk)
        return _render_task(
            request,
            inspection,
            exc.status,
            conclusion_form=form,
            error=exc.message,
            failed="conclusion",
        )
    messages.success(
        request,
        f"已作出检查结论：{inspection.get_conclusion_display()}。"
        "结论经组织检查的部门审核后向社会公开。",
    )
    return redirect("web:inspector_inspection", pk=pk)


@require_http_methods(["GET", "POST"])
@inspector_required
def conflicts_page(request: HttpRequest) -> HttpResponse:
    """The inspector's declared conflicts of interest (回避) and the form to declare one."""
    candidates = organizations_for(request.user).filter(status__in=FILED_STATUSES).order_by("name")
    form = ConflictForm(request.POST or None, organizations=candidates)
    status, error = 200, ""
    if request.method == "POST":
        chosen = request.POST.get("organization", "")
        organization = candidates.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        try:
            if organization is None:
                raise InvalidInput.for_field("organization", "请选择评价组织")
            draws.declare_conflict(organization, request.POST.get("reason"), actor=request.user)
        except DomainError as exc:
            form.is_valid()
            add_domain_error(form, exc)
            status, error = exc.status, exc.message
        else:
            messages.success(
                request, f"已申报回避：今后的抽取不会再为「{organization.name}」抽中您。"
            )
            return redirect("web:inspector_conflicts")
    return render(
        request,
        "web/supervision/conflicts.html",
        {
            "form": form,
            "conflicts": signed_in_user(request).conflicts.select_related("organization"),
            "error": error,
        },
        status=status,
    )


@require_GET
@login_required
@not_found_is_404
def finding_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A finding's attachment: for the officers and inspectors who read its inspection."""
    finding = Finding.objects.filter(pk=pk, inspection__in=inspections_for(request.user)).first()
    if finding is None or not finding.attachment_stored or not is_reviewer_user(request.user):
        raise Http404("未找到该附件")
    stream = files.open_stored(finding.attachment_stored)
    if stream is None:
        raise Http404("未找到该附件")
    stored_name = PurePosixPath(finding.attachment_stored).name
    kind = mimetypes.guess_type(stored_name)[0] or "application/octet-stream"
    response = FileResponse(
        stream,
        content_type=kind,
        as_attachment=kind == "application/pdf",
        filename=served_name("检查附件", finding.pk, kind),
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- organizations: annual reports and inspections -----------------------------------------


def _report_years(
    organization: Organization, user: User, filed: dict[int, AnnualReport], today: dt.date
) -> tuple[list[int], list[int]]:
    """The years the page shows (those the workflow lets it file now, from the year it was
    filed to this year, and last year's and this year's once filed) and those it may file."""
    if organization.filed_on is None:
        return [], []
    years = range(organization.filed_on.year, today.year + 1)
    open_years = [
        y
        for y in years
        if ANNUAL_REPORT_MACHINE.may(
            filed.get(y) or due_report(organization, y), user, "annual-reports"
        )
    ]
    shown = [y for y in years if y in open_years or (y in filed and y >= today.year - 1)]
    return shown, open_years


@require_http_methods(["GET", "POST"])
@organization_required
def annual_reports(request: HttpRequest) -> HttpResponse:
    """The year's report: the figures from the records (shown before filing), the narrative
    typed; the reports filed before, and the due date."""
    organization = request.organization  # type: ignore[attr-defined]
    today = clock.today()
    filed = {r.year: r for r in organization.annual_reports.all()}
    years, open_years = _report_years(organization, signed_in_user(request), filed, today)
    default = sd.current_report_year(today)
    if default not in open_years and open_years:
        default = open_years[-1]
    source = request.POST if request.method == "POST" else request.GET
    text = source.get("year", "")
    year = int(text) if text.isdigit() and len(text) == 4 else default
    form = AnnualReportForm(request.POST or None)
    status, error = 200, ""
    if request.method == "POST":
        form.is_valid()
        try:
            report = reports.file_annual_report(
                organization,
                {"year": year, "narrative": request.POST.get("narrative", "")},
                actor=request.user,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            status, error = exc.status, exc.message
        else:
            messages.success(
                request,
                f"{report.year} 年度报告已报送"
                + ("（逾期报送）。" if report.late else "。")
                + "统计数据按报送时的记录保存。",
            )
            return redirect("web:org_reports")
    statistics = reports.report_statistics(organization, year) if year not in filed else None
    return render(
        request,
        "web/supervision/org_reports.html",
        {
            "organization": organization,
            "year": year,
            "years": years,
            "open_years": open_years,
            "due": reports.report_due(year),
            "past_due": today > reports.report_due(year),
            "statistics": sd.statistic_rows(statistics) if statistics else [],
            "occupations": sd.occupation_rows(statistics) if statistics else [],
            "already": filed.get(year),
            "may_file": year in open_years,
            "filed": [
                {
                    "report": r,
                    "statistics": sd.statistic_rows(r.statistics),
                    "occupations": sd.occupation_rows(r.statistics),
                }
                for r in filed.values()
            ],
            "form": form,
            "error": error,
        },
        status=status,
    )


def _org_inspections(request: HttpRequest) -> Any:
    """The organization's inspections: ``inspections_for`` gives it those concluded only (a
    drawn target is not told in advance, nor of an inspection its withdrawn plan ended)."""
    return (
        inspections_for(request.user)
        .select_related("batch", "rectification")
        .prefetch_related("findings")
        .distinct()
    )


def _org_inspections_page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    forms = extra.pop("forms", {})
    rows = [
        {
            "inspection": i,
            "rectification": r,
            "may_respond": r is not None
            and RECTIFICATION_MACHINE.may(r, request.user, "rectification"),
            "overdue": r is not None and RECTIFICATION_MACHINE.overdue(r),
            "form": forms.get(i.pk) or RectificationForm(),
        }
        for i in _org_inspections(request)
        for r in [getattr(i, "rectification", None)]
    ]
    return render(
        request,
        "web/supervision/org_inspections.html",
        {"rows": rows, "organization": request.organization, **extra},  # type: ignore[attr-defined]
        status=status,
    )


@require_GET
@organization_required
def org_inspections(request: HttpRequest) -> HttpResponse:
    return _org_inspections_page(request)


@require_POST
@organization_required
def rectification_report(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _org_inspections(request).filter(pk=pk).first()
    if inspection is None:
        raise Http404("未找到该检查")
    form = RectificationForm(request.POST)
    form.is_valid()
    try:
        inspections.respond_rectification(
            inspection, request.POST.get("response", ""), actor=request.user
        )
    except DomainError as exc:
        add_domain_error(form, exc)
        return _org_inspections_page(
            request, exc.status, forms={pk: form}, error=exc.message, failed=pk
        )
    messages.success(request, "已报送整改情况，等待组织检查的部门审核。")
    return redirect("web:org_inspections")
