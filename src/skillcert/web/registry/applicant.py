"""Pages of an evaluation organization (/org/…): its applications and the application wizard.

Every write goes through ``registry.services``; a refused request re-renders the page with
the service's message next to the field it names, and nothing is saved.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skillcert.accounts.models import Authority
from skillcert.registry import checklist as eligibility
from skillcert.registry.access import get_filing_for_user
from skillcert.registry.corrections import is_material
from skillcert.registry.machines import FILING_MACHINE
from skillcert.registry.models import FilingCase, Organization
from skillcert.registry.selectors import exit_notice_of, worklist
from skillcert.registry.services import filings as service
from skillcert.registry.services.materials import add_material, max_upload_bytes
from skillcert.registry.workflow import APPLICANT_KINDS, FilingKind, is_refused
from skillcert.rules.errors import DomainError
from skillcert.rules.filing import Material
from skillcert.web import display
from skillcert.web.forms import add_domain_error
from skillcert.web.guards import organization_required
from skillcert.web.registry.forms import (
    OCCUPATION_PREFIX,
    BasicForm,
    OccupationForm,
    OccupationFormSet,
    RecordForm,
    add_occupation_errors,
    occupations_payload,
)

STEPS = [
    ("basic", "基本信息"),
    ("occupations", "职业（工种）"),
    ("record", "经历与承诺"),
    ("materials", "上传材料"),
    ("review", "核对提交"),
]
STEP_KEYS = [key for key, _label in STEPS]


def _wizard_url(case: FilingCase, step: str) -> str:
    return f"{reverse('web:org_filing_edit', args=[case.pk])}?step={step}"


def step_of(path: str) -> str:
    """The wizard step where the field a path names is filled in."""
    head = path.split(".", 1)[0].split("[", 1)[0]
    if head == "occupations":
        return "occupations"
    if head in {"record", "narrative", "pledge_signed"} or head.startswith("priority_"):
        return "record"
    if head == "materials":
        return "materials"
    return "basic"


def field_name(target: str) -> str:
    """The wizard form's field a 补正 target names (``basic.contact_phone`` → contact_phone)."""
    return target.rsplit(".", 1)[-1]


def correction_items(case: FilingCase) -> list[dict[str, str]]:
    """The 补正 items the applicant must answer, each with the wizard step that corrects it."""
    labels = dict(STEPS)
    items = []
    for item in case.correction_items or []:
        target = str(item.get("target", ""))
        step = "materials" if is_material(target) else step_of(target)
        items.append(
            {
                "label": str(item.get("label") or target),
                "message": str(item.get("message", "")),
                "step": labels[step],
                "url": _wizard_url(case, step),
            }
        )
    return items


def _corrections_for_step(case: FilingCase, step: str) -> dict[str, Any]:
    """What the wizard highlights on ``step``: form fields by name, occupation rows by index,
    the occupations table as a whole, materials by type (each with the officer's message)."""
    fields: dict[str, str] = {}
    rows: dict[int, str] = {}
    table = ""
    materials: dict[str, str] = {}
    for item in case.correction_items or []:
        target, message = str(item.get("target", "")), str(item.get("message", ""))
        if is_material(target):
            materials[target] = message
            continue
        if step_of(target) != step:
            continue
        row = re.match(r"^occupations\[(\d+)\]$", target)
        if row:
            rows[int(row.group(1))] = message
        elif target == "occupations":
            table = message
        else:
            fields[field_name(target)] = message
    return {
        "corrections": fields,
        "correction_occupation_rows": rows,
        "correction_table": table,
        "correction_materials": materials,
    }


def _missing_items(case: FilingCase) -> list[dict[str, str]]:
    """Each thing still missing before submission, with the wizard step that fills it in."""
    labels = dict(STEPS)
    items = []
    for path, texts in service.missing_for_submission(case).items():
        step = step_of(path)
        for text in texts:
            items.append({"text": text, "step": labels[step], "url": _wizard_url(case, step)})
    return items


# --- the list and the start of a new application -------------------------------------------


@require_GET
@organization_required
def filings(request: HttpRequest) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    cases = list(worklist(request.user))
    rows = [{"case": case, "deadline": display.next_deadline(case)} for case in cases]
    return render(
        request,
        "web/org/filings.html",
        {
            "organization": organization,
            "rows": rows,
            "startable": display.startable_kinds(organization, cases),
            "cities": _other_cities(organization),
        },
    )


def _other_cities(organization: Organization) -> list[Authority]:
    """Cities a cross-city filing may go to (where it does not serve yet)."""
    serving = set(organization.service_areas.values_list("city_id", flat=True))
    return [
        city
        for city in Authority.objects.filter(kind="city").order_by("code")
        if city.pk not in serving
    ]


@require_POST
@organization_required
def filing_new(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind") or request.POST.get("kind") or FilingKind.INITIAL
    data: dict[str, Any] = {"kind": kind}
    if request.POST.get("city"):
        data["city"] = request.POST["city"]
    try:
        case = service.create_filing(request.organization, data, actor=request.user)  # type: ignore[attr-defined]
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("web:org_filings")
    label = FilingKind(kind).label if kind in APPLICANT_KINDS else kind
    messages.success(request, f"已创建「{label}」申请草稿，请逐步填写，每一步都会保存。")
    return redirect(_wizard_url(case, "basic"))


# --- the wizard ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@organization_required
def filing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_filing_for_user(request.user, pk)
    step = request.GET.get("step", "basic")
    if step not in STEP_KEYS:
        step = "basic"
    if not FILING_MACHINE.may(case, request.user, "submit"):
        messages.info(request, f"该申请已{case.get_state_display()}，不能再修改。")
        return redirect("web:org_filing", pk=case.pk)
    if request.method == "POST" and step in SAVERS:
        return SAVERS[step](request, case)
    return _render_step(request, case, step)


def _render_step(
    request: HttpRequest, case: FilingCase, step: str, status: int = 200, **extra: Any
) -> HttpResponse:
    context: dict[str, Any] = {
        "case": case,
        "step": step,
        "steps": STEPS,
        "step_label": dict(STEPS)[step],
        "next_step": STEP_KEYS[STEP_KEYS.index(step) + 1] if step != "review" else None,
        "previous_step": STEP_KEYS[STEP_KEYS.index(step) - 1] if step != "basic" else None,
        "correction_items": correction_items(case),
        **_corrections_for_step(case, step),
    }
    if step == "basic":
        context["form"] = extra.pop("form", None) or BasicForm(
            initial=BasicForm.initial_for(case), show_channel=case.kind == FilingKind.INITIAL
        )
    elif step == "occupations":
        context["formset"] = extra.pop("formset", None) or OccupationFormSet(
            prefix=OCCUPATION_PREFIX,
            initial=[OccupationForm.initial_for(o) for o in case.occupations.all()] or [{}],
        )
    elif step == "record":
        context["form"] = extra.pop("form", None) or RecordForm(
            initial=RecordForm.initial_for(case)
        )
    elif step == "materials":
        context.update(_materials_context(case, extra.pop("material_errors", {})))
    else:
        context.update(_review_context(case))
    context.update(extra)
    return render(request, "web/org/wizard.html", context, status=status)


def _saved(request: HttpRequest, case: FilingCase, step: str) -> HttpResponse:
    if request.POST.get("go") == "next":
        following = STEP_KEYS[STEP_KEYS.index(step) + 1]
        messages.success(request, "已保存草稿。")
        return redirect(_wizard_url(case, following))
    messages.success(request, "已保存草稿。")
    return redirect(_wizard_url(case, step))


def _save_basic(request: HttpRequest, case: FilingCase) -> HttpResponse:
    form = BasicForm(request.POST, show_channel=case.kind == FilingKind.INITIAL)
    if form.is_valid():
        try:
            service.update_filing(case, form.payload(), actor=request.user)
        except DomainError as exc:
            add_domain_error(form, exc, BasicForm.paths())
            return _render_step(request, case, "basic", exc.status, form=form, error=exc.message)
        return _saved(request, case, "basic")
    return _render_step(request, case, "basic", 400, form=form, error="请检查标出的字段")


def _save_occupations(request: HttpRequest, case: FilingCase) -> HttpResponse:
    formset = OccupationFormSet(request.POST, prefix=OCCUPATION_PREFIX)
    if not formset.is_valid():
        return _render_step(
            request, case, "occupations", 400, formset=formset, error="请检查标出的字段"
        )
    rows, origin = occupations_payload(formset)
    try:
        service.update_filing(case, {"occupations": rows}, actor=request.user)
    except DomainError as exc:
        general = add_occupation_errors(formset, exc, origin)
        return _render_step(
            request,
            case,
            "occupations",
            exc.status,
            formset=formset,
            error=exc.message,
            table_errors=general,
        )
    return _saved(request, case, "occupations")


def _save_record(request: HttpRequest, case: FilingCase) -> HttpResponse:
    form = RecordForm(request.POST)
    if form.is_valid():
        try:
            service.update_filing(case, form.payload(), actor=request.user)
        except DomainError as exc:
            add_domain_error(form, exc, RecordForm.paths())
            return _render_step(request, case, "record", exc.status, form=form, error=exc.message)
        return _saved(request, case, "record")
    return _render_step(request, case, "record", 400, form=form, error="请检查标出的字段")


SAVERS = {"basic": _save_basic, "occupations": _save_occupations, "record": _save_record}


def _materials_context(case: FilingCase, errors: dict[str, str]) -> dict[str, Any]:
    required = eligibility.required_for(case)
    uploaded = {m.type: m for m in case.materials.all()}
    to_correct = _corrections_for_step(case, "materials")["correction_materials"]
    rows = [
        {
            "type": material.value,
            "label": material.label,
            "required": material in required,
            "file": uploaded.get(material.value),
            "error": errors.get(material.value, ""),
            "correction": to_correct.get(material.value, ""),
        }
        for material in Material
    ]
    return {
        "materials": rows,
        "materials_missing": [r for r in rows if r["required"] and not r["file"]],
        "max_upload_mb": max_upload_bytes() // (1024 * 1024),
    }


def _review_context(case: FilingCase) -> dict[str, Any]:
    missing = service.missing_for_submission(case)
    grouped: dict[str, list[str]] = {}
    for path, texts in missing.items():
        grouped.setdefault(step_of(path), []).extend(texts)
    return {
        "checklist": eligibility.for_case(case).items,
        "missing": [
            {"step": key, "label": label, "messages": grouped[key]}
            for key, label in STEPS
            if key in grouped
        ],
        "occupations": case.occupations.all(),
        "materials": display.materials_of(case),
    }


@require_POST
@organization_required
def filing_material(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_filing_for_user(request.user, pk)
    material_type = request.POST.get("type", "")
    try:
        material = add_material(
            case,
            material_type=material_type,
            upload=request.FILES.get("file"),
            actor=request.user,
        )
    except DomainError as exc:
        if not FILING_MACHINE.may(case, request.user, "submit"):
            messages.error(request, exc.message)
            return redirect("web:org_filing", pk=case.pk)
        return _render_step(
            request,
            case,
            "materials",
            exc.status,
            material_errors={material_type: exc.message},
            error=exc.message,
        )
    messages.success(
        request, f"已上传《{Material(material.type).label}》：{material.original_name}"
    )
    return redirect(_wizard_url(case, "materials"))


@require_POST
@organization_required
def filing_submit(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_filing_for_user(request.user, pk)
    try:
        case = service.submit_filing(case, actor=request.user)
    except DomainError as exc:
        case = get_filing_for_user(request.user, pk)
        if not FILING_MACHINE.may(case, request.user, "submit"):
            messages.error(request, exc.message)
            return redirect("web:org_filing", pk=case.pk)
        return _render_step(request, case, "review", exc.status, error=exc.message)
    deadline = display.acceptance_deadline(case)
    messages.success(request, f"申请已提交。{deadline or ''}")
    return redirect("web:org_filing", pk=case.pk)


# --- one application -----------------------------------------------------------------------


@require_POST
@organization_required
def filing_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """撤回: only when the engine offers it, and only when the applicant ticked the confirmation."""
    case = get_filing_for_user(request.user, pk)
    if request.POST.get("confirm") != "1":
        messages.error(request, "请勾选确认后再撤回申请。")
        return redirect("web:org_filing", pk=case.pk)
    try:
        case = service.withdraw_filing(case, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("web:org_filing", pk=case.pk)
    messages.success(request, f"申请 {case.case_number} 已撤回，本件办结。")
    return redirect("web:org_filing", pk=case.pk)


@require_GET
@organization_required
def filing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_filing_for_user(request.user, pk)
    may_submit = FILING_MACHINE.may(case, request.user, "submit")
    actions = FILING_MACHINE.available(case, request.user)
    return render(
        request,
        "web/org/filing.html",
        {
            "case": case,
            "may_edit": may_submit,
            "organization": case.organization,
            "exit_notice": exit_notice_of(case.organization),
            "actions": actions,
            "may_withdraw": any(t.action == "withdraw" for t in actions),
            "correction_items": correction_items(case),
            "next": FILING_MACHINE.next(case),
            "deadline": display.next_deadline(case),
            "acceptance": display.acceptance_deadline(case),
            "occupations": case.occupations.all(),
            "materials": display.materials_of(case),
            "history": FILING_MACHINE.history(case),
            "missing": _missing_items(case) if may_submit else [],
            "refused": is_refused(case),
        },
    )
