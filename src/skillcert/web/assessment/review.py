"""Pages of officers and inspectors for assessment batches (/review/batches/…) and the
provincial center's certificate number segments (/review/segments).

Centers and bureaus see the plans and result filings of their city (the province all of
them, with the plans copied to it marked); inspectors see the batches they may spot-check.
Every write goes through the services; a refused request re-renders the page with the
service's message and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from skillcert.accounts.models import Authority, User
from skillcert.accounts.roles import Role
from skillcert.assessment.access import batches_for, get_batch_for_user, get_objection_for_user
from skillcert.assessment.models import Batch
from skillcert.assessment.selectors import matching
from skillcert.assessment.services import receipt
from skillcert.assessment.services.implementation import record_inspection
from skillcert.assessment.services.objections import resolve_objection
from skillcert.assessment.workflow import BatchState
from skillcert.rules.errors import DomainError
from skillcert.web import display
from skillcert.web.assessment import display as batch_display
from skillcert.web.assessment.forms import BatchObjectionForm, InspectionForm
from skillcert.web.assessment.page import batch_context
from skillcert.web.forms import add_domain_error
from skillcert.web.guards import reviewer_required, signed_in_user

PAGE_SIZE = 50


def _is_inspector(user: User) -> bool:
    return user.role == Role.INSPECTOR


def _get_batch(request: HttpRequest, pk: int) -> Batch:
    """A batch the officer may read; drafts are the organization's own until filed."""
    return get_batch_for_user(request.user, pk)  # officers never see drafts


# --- the worklist --------------------------------------------------------------------------


@require_GET
@reviewer_required
def batch_worklist(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    province = batch_display.is_province_user(user)
    inspector = _is_inspector(user)
    labels = batch_display.REVIEWER_LABELS
    state = request.GET.get("state", "")
    params = {
        "state": state if state in labels else "",
        "copied": "1" if province and request.GET.get("copied") == "1" else "",
        "city": request.GET.get("city", "") if province else "",
        "q": request.GET.get("q", "").strip()[:100],
    }
    if inspector:
        batches = batch_display.inspectable(user)
        states: list[tuple[str, str]] = [(s, labels[s]) for s in batch_display.INSPECTABLE_STATES]
    else:
        batches = batches_for(user).exclude(state=BatchState.DRAFT)
        states = list(labels.items())
    if params["state"]:
        batches = batches.filter(state=params["state"])
    if params["copied"]:
        batches = batches.filter(copied_to_province=True)
    batches = matching(batches, params["q"])
    cities = list(Authority.objects.filter(kind="city").order_by("code"))
    if params["city"]:
        batches = batches.filter(site_city__code=params["city"])
    batches = batch_display.ordered_by_deadline(batches.select_related("organization", "site_city"))
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for batch in page:
        deadline = batch_display.batch_deadline(batch)
        rows.append(
            {
                "batch": batch,
                "deadline": deadline,
                "overdue": batch.late or bool(deadline and deadline.overdue),
            }
        )
    return render(
        request,
        "web/batches/review_list.html",
        {
            "rows": rows,
            "page": page,
            "params": params,
            "filtered": any(params.values()),
            "query": display.query_without_page(request),
            "states": states,
            "cities": cities,
            "province": province,
            "inspector": inspector,
        },
    )


# --- one batch -----------------------------------------------------------------------------


def _render_batch(request: HttpRequest, batch: Batch, status: int = 200, **extra: Any) -> Any:
    return render(
        request,
        "web/batches/review_batch.html",
        batch_context(request, batch, **extra),
        status=status,
    )


@require_GET
@reviewer_required
def batch_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_batch(request, _get_batch(request, pk))


@require_POST
@reviewer_required
def inspection_record(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch(request, pk)
    form = InspectionForm(request.POST)
    form.is_valid()
    try:
        record_inspection(batch, form.payload(), actor=request.user)
    except DomainError as exc:
        add_domain_error(form, exc)
        batch = _get_batch(request, pk)
        return _render_batch(
            request,
            batch,
            exc.status,
            error=exc.message,
            inspection_form=form,
            failed_action="inspections",
        )
    messages.success(request, "已记录抽查情况。")
    return redirect("web:review_batch", pk=batch.pk)


RECEIPT_STEPS = {
    "receive": (
        lambda batch, request: receipt.receive_plan(batch, actor=request.user),
        "已签收认定计划。",
    ),
    "return": (
        lambda batch, request: receipt.return_plan(
            batch, reason=request.POST.get("reason", ""), actor=request.user
        ),
        "已退回认定计划，退回通知已发出，评价组织修改后可重新报备。",
    ),
    "receive-results": (
        lambda batch, request: receipt.receive_results(batch, actor=request.user),
        "已签收结果报备。",
    ),
    "return-results": (
        lambda batch, request: receipt.return_results(
            batch, reason=request.POST.get("reason", ""), actor=request.user
        ),
        "已退回结果报备，退回通知已发出，评价组织更正后可重新报备。",
    ),
}


@require_POST
@reviewer_required
def batch_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The appraisal center receives (签收) or returns (退回, with every reason) a plan or a
    result filing; a returned plan is the organization's draft again (no longer listed here)."""
    batch = _get_batch(request, pk)
    action = request.POST.get("action", "")
    if action not in RECEIPT_STEPS:
        raise Http404("未知的操作")
    step, done = RECEIPT_STEPS[action]
    try:
        step(batch, request)
    except DomainError as exc:
        batch = _get_batch(request, pk)
        return _render_batch(
            request,
            batch,
            exc.status,
            error=exc.message,
            failed_action=action,
            reason_text=request.POST.get("reason", ""),
        )
    messages.success(request, done)
    if action == "return":  # a draft again: the organization's own until filed anew
        return redirect("web:review_batches")
    return redirect("web:review_batch", pk=batch.pk)


@require_POST
@reviewer_required
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_objection_for_user(request.user, pk)
    if objection.batch_id is None:  # a filing case's: resolved on the case's page
        raise Http404("未找到该异议")
    form = BatchObjectionForm(request.POST)
    form.is_valid()
    try:
        resolve_objection(
            objection,
            upheld=form.upheld_value(),
            reason=form.cleaned_data.get("reason", ""),
            actor=request.user,
        )
    except DomainError as exc:
        add_domain_error(form, exc)
        batch = _get_batch(request, objection.batch_id)
        return _render_batch(
            request, batch, exc.status, error=exc.message, objection_forms={objection.pk: form}
        )
    if form.upheld_value():
        messages.success(request, "已处理异议：异议成立，结果已退回评价组织更正后重新公示。")
    else:
        messages.success(request, "已处理异议：异议不成立。")
    return redirect("web:review_batch", pk=objection.batch_id)


# --- certificate number segments -----------------------------------------------------------
