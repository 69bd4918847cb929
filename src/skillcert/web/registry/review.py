"""Pages of officers and inspectors (/review/…): the worklist, a case, an organization.

The buttons on a case are exactly ``workflow.allowed_actions`` for the viewer's parties; every
button posts to ``filing_action``, which dispatches to the service. A refused action re-renders
the case with the service's message and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skillcert.accounts.roles import Role
from skillcert.assessment.access import get_objection_for_user
from skillcert.assessment.services.objections import resolve_objection
from skillcert.registry import checklist as eligibility
from skillcert.registry.access import (
    filings_for,
    get_filing_for_user,
    get_organization_for_user,
    may_read_materials,
    organizations_for,
    parties_for_case,
    sees_full_phone,
)
from skillcert.registry.corrections import targets_of
from skillcert.registry.machines import FILING_MACHINE, OBJECTION_MACHINE, ORGANIZATION_MACHINE
from skillcert.registry.models import (
    FilingCase,
    Organization,
)
from skillcert.registry.selectors import cities_of, with_scope, worklist
from skillcert.registry.services import filings as service
from skillcert.registry.services import organizations as organization_service
from skillcert.registry.workflow import (
    FilingKind,
    FilingState,
    Party,
)
from skillcert.rules import clock
from skillcert.rules.errors import DomainError
from skillcert.web import display
from skillcert.web.forms import add_domain_error
from skillcert.web.guards import reviewer_required, signed_in_user
from skillcert.web.registry.forms import (
    EvaluationForm,
    ReasonForm,
    ResolveObjectionForm,
    RevokeForm,
    ThresholdsForm,
)

PAGE_SIZE = 50


# --- the worklist --------------------------------------------------------------------------


@require_GET
@reviewer_required
def worklist_page(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    kind = request.GET.get("kind", "")
    params = {
        "state": state if state in FilingState.values else "",
        "kind": kind if kind in FilingKind.values else "",
        "q": request.GET.get("q", "").strip()[:100],
    }
    page = Paginator(worklist(request.user, params), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for case in page:
        deadline = display.next_deadline(case)
        rows.append(
            {
                "case": case,
                "deadline": deadline,
                "overdue": case.overdue or FILING_MACHINE.overdue(case),
            }
        )
    return render(
        request,
        "web/review/worklist.html",
        {
            "rows": rows,
            "page": page,
            "params": params,
            "filtered": any(params.values()),
            "query": display.query_without_page(request),
            "states": FilingState.choices,
            "kinds": FilingKind.choices,
        },
    )


# --- one case ------------------------------------------------------------------------------


def _case_context(request: HttpRequest, case: FilingCase, **extra: Any) -> dict[str, Any]:
    user = request.user
    parties = parties_for_case(user, case)
    actions = FILING_MACHINE.available(case, user)
    reviewer = Party.REVIEWER in parties
    buttons = [
        t for t in actions if t.action not in {"evaluations", "objections", "request-correction"}
    ]
    reason_forms = extra.pop("reason_forms", {})
    materials = display.materials_of(case) if may_read_materials(user, case) else []
    objection_forms = extra.pop("objection_forms", {})
    objections = [
        {
            "objection": objection,
            "form": objection_forms.get(objection.pk) or ResolveObjectionForm(),
            "resolvable": OBJECTION_MACHINE.may(objection, user, "resolve"),
        }
        for objection in case.objections.all()
    ]
    return {
        "case": case,
        "deadline": display.next_deadline(case),
        "acceptance": display.acceptance_deadline(case),
        "occupations": case.occupations.all(),
        "checklist": eligibility.for_case(case).items,
        "materials": materials,
        "may_read_materials": may_read_materials(user, case),
        "evaluations": case.evaluations.all(),
        "evaluation_allowed": any(t.action == "evaluations" for t in actions),
        "evaluation_form": extra.pop("evaluation_form", None)
        or EvaluationForm(initial={"date": clock.today().isoformat()}),
        "objections": objections,
        "show_contact": reviewer or getattr(user, "is_province_officer", False),
        "full_phone": sees_full_phone(user, case.organization_id),
        "history": FILING_MACHINE.history(case),
        "next": FILING_MACHINE.next(case),
        "final": FILING_MACHINE.is_final(case),
        "buttons": [
            {
                "transition": t,
                "needs_reason": t.action in REASON_ACTIONS,
                "form": reason_forms.get(t.action) or ReasonForm(),
            }
            for t in buttons
        ],
        "allowed": [t.action for t in actions],
        "read_only": not buttons
        and not any(t.action in {"evaluations", "request-correction"} for t in actions),
        "correction_allowed": any(t.action == "request-correction" for t in actions),
        "correction_rows": correction_rows(case, extra.pop("correction_sent", None)),
        **extra,
    }


def correction_rows(
    case: FilingCase, sent: tuple[dict[str, str], dict[str, list[str]]] | None = None
) -> list[dict[str, Any]]:
    """The 补正 form's rows: every field and material of the case, ticked and with the
    message the officer sent (a refused form comes back as it was filled in)."""
    messages_sent, errors = sent or ({}, {})
    return [
        {
            "target": target,
            "label": label,
            "checked": target in messages_sent,
            "message": messages_sent.get(target, ""),
            "errors": errors.get(target, []),
        }
        for target, label in targets_of(case).items()
    ]


def _correction_items(request: HttpRequest) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The ticked targets with their messages, as the service reads them."""
    ticked = request.POST.getlist("target")
    sent = {target: request.POST.get(f"message__{target}", "").strip() for target in ticked}
    return [{"target": t, "message": m} for t, m in sent.items()], sent


def _errors_by_target(items: list[dict[str, str]], exc: DomainError) -> dict[str, list[str]]:
    """``items[2].message`` → the errors of the third ticked target's row."""
    errors: dict[str, list[str]] = {}
    for path, texts in exc.fields.items():
        match = re.match(r"^items\[(\d+)\]", path)
        if match and int(match.group(1)) < len(items):
            errors.setdefault(items[int(match.group(1))]["target"], []).extend(texts)
    return errors


@require_GET
@reviewer_required
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_filing_for_user(request.user, pk)
    return render(request, "web/review/case.html", _case_context(request, case))


SIMPLE_ACTIONS: dict[str, Callable[..., Any]] = {
    "accept": service.accept_filing,
    "select": service.select_filing,
    "publicize": service.publicize_filing,
    "file": service.file_filing,
}
REASON_ACTIONS: dict[str, Callable[..., Any]] = {
    "not-accept": service.not_accept_filing,
    "not-select": service.not_select_filing,
}
DONE = {
    "request-correction": "已一次性告知需要补正的全部内容，并出具补正告知书。",
    "accept": "已受理，并出具受理通知书。",
    "not-accept": "已作出不予受理决定，并出具不予受理通知书。",
    "evaluations": "已记录技术评估。",
    "select": "已确定遴选通过。",
    "not-select": "已作出未予遴选决定。",
    "publicize": "已发布公示。",
    "file": "已予以备案，并出具备案回执。",
}


@require_POST
@reviewer_required
def filing_action(request: HttpRequest, pk: int) -> HttpResponse:
    """The one endpoint of every button on a case: dispatches ``action`` to its service."""
    case = get_filing_for_user(request.user, pk)
    action = request.POST.get("action", "")
    if action not in DONE:
        raise Http404("未知的操作")
    form: Any = None
    forms: dict[str, Any] = {}
    items: list[dict[str, str]] = []
    sent: dict[str, str] = {}
    try:
        if action == "request-correction":
            items, sent = _correction_items(request)
            forms = {"correction_sent": (sent, {})}
            service.request_correction(case, {"items": items}, actor=request.user)
        elif action == "evaluations":
            form = EvaluationForm(request.POST)
            form.is_valid()
            forms = {"evaluation_form": form}
            service.record_evaluation(case, form.payload(), actor=request.user)
        elif action in REASON_ACTIONS:
            form = ReasonForm(request.POST)
            form.is_valid()
            forms = {"reason_forms": {action: form}}
            REASON_ACTIONS[action](
                case, reason=form.cleaned_data.get("reason", ""), actor=request.user
            )
        else:
            SIMPLE_ACTIONS[action](case, actor=request.user)
    except DomainError as exc:
        if form is not None:
            add_domain_error(form, exc)
        if action == "request-correction":
            forms = {"correction_sent": (sent, _errors_by_target(items, exc))}
        case = get_filing_for_user(request.user, pk)
        context = _case_context(request, case, error=exc.message, failed_action=action, **forms)
        return render(request, "web/review/case.html", context, status=exc.status)
    messages.success(request, DONE[action])
    return redirect("web:review_case", pk=case.pk)


@require_POST
@reviewer_required
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_objection_for_user(request.user, pk)
    if objection.filing_id is None:  # a batch's: resolved on the batch's page
        raise Http404("未找到该异议")
    form = ResolveObjectionForm(request.POST)
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
        case = get_filing_for_user(request.user, objection.filing_id)
        context = _case_context(
            request, case, error=exc.message, objection_forms={objection.pk: form}
        )
        return render(request, "web/review/case.html", context, status=exc.status)
    messages.success(request, "已处理异议。")
    return redirect("web:review_case", pk=objection.filing_id)


# --- organizations -------------------------------------------------------------------------


@require_GET
@reviewer_required
def organizations_page(request: HttpRequest) -> HttpResponse:
    organizations = with_scope(organizations_for(request.user).order_by("filing_number", "name"))
    page = Paginator(organizations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/review/organizations.html", {"page": page})


def _organization_context(
    request: HttpRequest, organization: Organization, **extra: Any
) -> dict[str, Any]:
    user = request.user
    allowed = {t.action for t in ORGANIZATION_MACHINE.available(organization, user)}
    names = display.city_names()
    return {
        "organization": organization,
        "cities": [names.get(code, code) for code in cities_of(organization)],
        "scope_items": organization.scope_items.all(),
        "cases": filings_for(user).filter(organization=organization).order_by("-created_at"),
        "may_pilot": "pilot-result" in allowed,
        "may_revoke": "revoke" in allowed,
        "may_recommend": "recommend" in allowed,
        "next": ORGANIZATION_MACHINE.next(organization),
        "revoke_form": extra.pop("revoke_form", None) or RevokeForm(),
        **extra,
    }


@require_GET
@reviewer_required
def organization_page(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_organization_for_user(request.user, pk)
    return render(
        request, "web/review/organization.html", _organization_context(request, organization)
    )


@require_POST
@reviewer_required
def organization_action(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_organization_for_user(request.user, pk)
    action = request.POST.get("action", "")
    revoke_form = RevokeForm(request.POST)
    revoke_form.is_valid()
    user = request.user
    try:
        if action in {"pilot_passed", "pilot_failed"}:
            organization_service.record_pilot_result(
                organization, passed=action == "pilot_passed", actor=user
            )
            done = "已确认试点评估结果。"
        elif action == "revoke":
            organization_service.revoke_organization(
                organization,
                reason=revoke_form.cleaned_data.get("reason", ""),
                category=revoke_form.cleaned_data.get("category"),
                actor=user,
            )
            done = "已撤销备案，并发布退出公告。"
        elif action == "recommend":
            case = service.recommend_province_wide(organization, actor=user)
            messages.success(request, "已推荐至省人社厅，面向全省备案申请已提交。")
            return redirect("web:review_case", pk=case.pk)
        else:
            raise Http404("未知的操作")
    except DomainError as exc:
        if action == "revoke":
            add_domain_error(revoke_form, exc)
        organization = get_organization_for_user(user, pk)
        context = _organization_context(
            request, organization, error=exc.message, revoke_form=revoke_form
        )
        return render(request, "web/review/organization.html", context, status=exc.status)
    messages.success(request, done)
    return redirect("web:review_organization", pk=organization.pk)


# --- the city's thresholds -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@reviewer_required
def thresholds_page(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if user.role != Role.CITY_BUREAU or user.authority is None or user.authority.is_province:
        raise PermissionDenied("只有市人社局可以设定本市的备案条件")
    authority = user.authority
    current = getattr(authority, "thresholds", None)
    initial = {
        key: getattr(current, key, None) or ""
        for key in ("years_continuous", "persons_total", "persons_per_occupation")
    }
    form = ThresholdsForm(request.POST or None, initial=initial)
    status = 200
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            organization_service.set_city_thresholds(authority, form.payload(), actor=user)
        except DomainError as exc:
            add_domain_error(form, exc)
            error, status = exc.message, exc.status
        else:
            messages.success(request, "已保存本市备案条件，此后的资格审查按新条件核对。")
            return redirect("web:review_thresholds")
    return render(
        request,
        "web/review/thresholds.html",
        {"form": form, "authority": authority, "current": current, "error": error},
        status=status,
    )
