"""Pages of an evaluation organization's assessment batches (/org/batches/…).

The list, the plan wizard (plan → candidates → review and filing), and the batch page
where the batch is run after filing: attendance, results, publicity, certificate numbers
and the result filing (the page's content is ``page.BatchPage``; the Excel files and the
annexes are in ``uploads``). Every write goes through ``assessment.services`` (or
``certificates.services``); a refused request re-renders the page with the service's
message next to what it names, and nothing is saved. The batch page's buttons are exactly
``allowed_batch_actions`` for the viewer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skillcert.assessment import excel, selectors
from skillcert.assessment.access import batches_for, get_batch_for_user
from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.assessment.models import Batch
from skillcert.assessment.services import implementation, plans, receipt, results
from skillcert.assessment.services.plan_input import RowsInvalid
from skillcert.assessment.workflow import BatchState
from skillcert.certificates.services.issuing import issue_batch
from skillcert.registry.machines import ORGANIZATION_MACHINE
from skillcert.registry.models import Channel, Organization
from skillcert.registry.selectors import cities_of
from skillcert.registry.services.materials import max_upload_bytes, read_upload
from skillcert.rules import clock
from skillcert.rules.errors import DomainError, InvalidInput
from skillcert.web import display
from skillcert.web.assessment import display as batch_display
from skillcert.web.assessment.forms import (
    STAFF_PREFIX,
    SUBJECT_PREFIX,
    AbsenceForm,
    PlanForm,
    StaffFormSet,
    SubjectFormSet,
    add_plan_errors,
    scope_choices,
    staff_initial,
    staff_payload,
    subject_initial,
    subjects_payload,
)
from skillcert.web.assessment.page import batch_context, plan_facts
from skillcert.web.assessment.uploads import report_link, row_errors
from skillcert.web.guards import organization_required

PAGE_SIZE = 50
PREVIEW_ROWS = 20

STEPS = [("plan", "批次计划"), ("candidates", "考生名单"), ("review", "核对报备")]
STEP_KEYS = [key for key, _label in STEPS]


def _wizard_url(batch: Batch, step: str) -> str:
    return f"{reverse('web:org_batch_edit', args=[batch.pk])}?step={step}"


# --- the list ------------------------------------------------------------------------------


@require_GET
@organization_required
def batch_list(request: HttpRequest) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    state = request.GET.get("state", "")
    batches = batches_for(request.user).select_related("site_city")
    if state in BatchState.values:
        batches = batches.filter(state=state)
    else:
        state = ""
    q = request.GET.get("q", "").strip()[:100]
    batches = selectors.matching(batches, q)
    page = Paginator(batch_display.ordered_by_deadline(batches), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [{"batch": b, "deadline": batch_display.batch_deadline(b)} for b in page]
    return render(
        request,
        "web/batches/org_list.html",
        {
            "organization": organization,
            "may_certify": organization.filing_number is not None
            and ORGANIZATION_MACHINE.may(organization, request.user, "batches"),
            "may_create": ORGANIZATION_MACHINE.may(organization, request.user, "batches"),
            "rows": rows,
            "page": page,
            "state": state,
            "q": q,
            "states": list(batch_display.ORGANIZATION_LABELS.items()),
            "query": display.query_without_page(request),
        },
    )


# --- the wizard ----------------------------------------------------------------------------


def _plan_form_args(organization: Organization, batch: Batch | None) -> dict[str, Any]:
    names = display.city_names()
    codes = list(cities_of(organization))
    if batch is not None and batch.site_city_id and batch.site_city.code not in codes:
        codes.append(batch.site_city.code)
    if not codes:  # not filed yet: the plan may still be drafted
        codes = sorted(names)
    return {
        "cities": [(code, names.get(code, code)) for code in sorted(codes)],
        "scope": scope_choices(organization, batch),
        "show_industry": organization.channel == Channel.PROVINCE
        or bool(batch and batch.industry_only),
    }


@require_http_methods(["GET", "POST"])
@organization_required
def batch_new(request: HttpRequest) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    if not ORGANIZATION_MACHINE.may(organization, request.user, "batches"):
        messages.error(request, f"本组织{organization.get_status_display()}，不能再新建认定批次。")
        return redirect("web:org_batches")
    if request.method == "POST":
        return _save_plan(request, organization, None)
    return _render_step(request, organization, None, "plan")


@require_http_methods(["GET", "POST"])
@organization_required
def batch_edit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    organization = request.organization  # type: ignore[attr-defined]
    step = request.GET.get("step", "plan")
    if step not in STEP_KEYS:
        step = "plan"
    if not BATCH_MACHINE.may(batch, request.user, "edit"):
        messages.info(request, f"该批次{batch.get_state_display()}，计划不能再修改。")
        return redirect("web:org_batch", pk=batch.pk)
    if request.method == "POST":
        if step != "plan":
            raise Http404("未知的操作")
        return _save_plan(request, organization, batch)
    return _render_step(request, organization, batch, step)


def _render_step(
    request: HttpRequest,
    organization: Organization,
    batch: Batch | None,
    step: str,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    context: dict[str, Any] = {
        "organization": organization,
        "batch": batch,
        "step": step,
        "steps": STEPS,
        "step_label": dict(STEPS)[step],
        "deadline": batch_display.batch_deadline(batch) if batch else None,
    }
    if step == "plan":
        form = extra.pop("form", None) or PlanForm(
            initial=PlanForm.initial_for(batch) if batch else {},
            **_plan_form_args(organization, batch),
        )
        context.update(
            {
                "form": form,
                "item_groups": form.item_groups(),
                "subjects": extra.pop("subjects", None)
                or SubjectFormSet(prefix=SUBJECT_PREFIX, initial=subject_initial(batch)),
                "staff": extra.pop("staff", None)
                or StaffFormSet(prefix=STAFF_PREFIX, initial=staff_initial(batch)),
                "groups": extra.pop("groups", {}),
            }
        )
    elif step == "candidates" and batch is not None:
        context.update(
            {
                "tally": batch_display.candidate_tally(batch),
                "preview": batch.candidates.all()[:PREVIEW_ROWS],
                "preview_rows": PREVIEW_ROWS,
                "max_upload_mb": max_upload_bytes() // (1024 * 1024),
                "city_names": display.city_names(),
            }
        )
    elif step == "review" and batch is not None:
        checklist = batch_display.plan_checklist(batch, clock.today())
        context.update(
            {
                "checklist": checklist,
                "refused": [item for item in checklist if not item["passed"]],
                "tally": batch_display.candidate_tally(batch),
                **plan_facts(batch, owner=True).as_context(),
            }
        )
    context.update(extra)
    return render(request, "web/batches/wizard.html", context, status=status)


def _save_plan(
    request: HttpRequest, organization: Organization, batch: Batch | None
) -> HttpResponse:
    form = PlanForm(request.POST, **_plan_form_args(organization, batch))
    subjects = SubjectFormSet(request.POST, prefix=SUBJECT_PREFIX)
    staff = StaffFormSet(request.POST, prefix=STAFF_PREFIX)
    forms_ok = form.is_valid() & subjects.is_valid() & staff.is_valid()
    parts = {"form": form, "subjects": subjects, "staff": staff}
    if not forms_ok:
        return _render_step(
            request, organization, batch, "plan", 400, error="请检查标出的字段", **parts
        )
    payload = {**form.payload(), **subjects_payload(subjects)}
    payload["staff"], origin = staff_payload(staff)
    try:
        if batch is None:
            batch = plans.create_batch(organization, payload, actor=request.user)
        else:
            batch = plans.update_batch(batch, payload, actor=request.user)
    except DomainError as exc:
        groups = add_plan_errors(form, staff, exc, origin)
        return _render_step(
            request,
            organization,
            batch,
            "plan",
            exc.status,
            error=exc.message,
            groups=groups,
            upload_errors=row_errors(exc),
            **parts,
        )
    messages.success(request, "已保存批次计划。")
    following = "candidates" if request.POST.get("go") == "next" else "plan"
    return redirect(_wizard_url(batch, following))


@require_POST
@organization_required
def candidates_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Replace the candidates from the Excel roster; a bad file changes nothing and shows
    every bad row with a link to the marked-up copy."""
    batch = get_batch_for_user(request.user, pk)
    organization = request.organization  # type: ignore[attr-defined]
    try:
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput.for_field("file", "请选择要上传的 Excel 文件（.xlsx）")
        count = excel.import_candidates(batch, read_upload(upload), actor=request.user)
    except DomainError as exc:
        batch = get_batch_for_user(request.user, pk)
        if not BATCH_MACHINE.may(batch, request.user, "edit"):
            messages.error(request, exc.message)
            return redirect("web:org_batch", pk=batch.pk)
        return _render_step(
            request,
            organization,
            batch,
            "candidates",
            exc.status,
            error=exc.message,
            upload_errors=row_errors(exc),
            report_url=report_link(batch, exc),
            file_errors=exc.fields.get("file", []) if not isinstance(exc, RowsInvalid) else [],
            upload_name=getattr(request.FILES.get("file"), "name", ""),
        )
    messages.success(request, f"已导入 {count} 名考生（替换了原有名单）。")
    return redirect(_wizard_url(batch, "candidates"))


@require_POST
@organization_required
def batch_submit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    try:
        batch = plans.submit_plan(batch, actor=request.user)
    except DomainError as exc:
        batch = get_batch_for_user(request.user, pk)
        if not BATCH_MACHINE.may(batch, request.user, "edit"):
            messages.error(request, exc.message)
            return redirect("web:org_batch", pk=batch.pk)
        return _render_step(
            request,
            request.organization,  # type: ignore[attr-defined]
            batch,
            "review",
            exc.status,
            error=exc.message,
        )
    copied = "，并抄报省职业技能鉴定中心" if batch.copied_to_province else ""
    messages.success(
        request,
        f"计划已报备{batch.site_city.name}职业技能鉴定中心{copied}（办件编号 "
        f"{batch.plan_case_number}），鉴定中心应在 {batch.plan_receipt_due} 前签收或退回。"
        "认定开始后可记录考勤、录入成绩。",
    )
    return redirect("web:org_batch", pk=batch.pk)


# --- one batch -----------------------------------------------------------------------------


@require_GET
@organization_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    return render(request, "web/batches/org_batch.html", batch_context(request, batch))


def _absent_numbers(request: HttpRequest) -> list[str]:
    numbers = list(request.POST.getlist("absent"))
    numbers += re.split(r"[\s,，、;；]+", request.POST.get("absent_numbers", ""))
    seen: dict[str, None] = {}
    for number in numbers:
        if number.strip():
            seen.setdefault(number.strip(), None)
    return list(seen)


def _score_entries(request: HttpRequest, batch: Batch) -> tuple[list[dict[str, Any]], list[int]]:
    """The typed scores: one entry per candidate with any score typed, and its candidate."""
    entries, origin = [], []
    for c in batch.candidates.exclude(attended=False):
        values = [
            request.POST.get(f"score-{c.pk}-{index}", "").strip()
            for index in range(len(batch.subjects))
        ]
        if not any(values):
            continue
        entries.append(
            {"id_number": c.id_number, "scores": dict(zip(batch.subjects, values, strict=True))}
        )
        origin.append(c.pk)
    return entries, origin


_RESULT_PATH = re.compile(r"^results\[(\d+)\](?:\.(?:id_number|scores)(?:\.(.+))?)?$")


def _score_errors(error: DomainError, origin: list[int]) -> tuple[dict[int, dict], list[str]]:
    by_candidate: dict[int, dict[str, list[str]]] = {}
    general: list[str] = []
    for path, texts in error.fields.items():
        match = _RESULT_PATH.match(path)
        if match is None or int(match.group(1)) >= len(origin):
            general.extend(texts)
            continue
        cells = by_candidate.setdefault(origin[int(match.group(1))], {})
        cells.setdefault(match.group(2) or "", []).extend(texts)
    return by_candidate, general


def _publicize(request: HttpRequest, batch: Batch) -> str:
    batch = results.publicize_results(batch, actor=request.user)
    return f"已发布结果公示，公示期至 {batch.publicity_end}；期满且无未处理的异议后可生成证书编号。"


def _issue(request: HttpRequest, batch: Batch) -> str:
    lacking = selectors.passers_without_photos(batch)
    if lacking and request.POST.get("confirm_no_photos") != "1":
        raise InvalidInput(
            f"{len(lacking)} 名合格人员没有照片：{'、'.join(lacking[:20])}"
            f"{'等' if len(lacking) > 20 else ''}。请先上传照片；如确需先生成编号，"
            "请勾选“确认无照片的人员先生成证书编号”后再提交。",
            code="photos_missing",
            fields={"confirm_no_photos": ["请确认"]},
        )
    issued = issue_batch(batch, actor=request.user)
    return f"已生成 {issued} 个证书编号。请下载附件4、附件5，在期限内报备结果。"


def _file_results(request: HttpRequest, batch: Batch) -> str:
    batch = results.file_results(batch, actor=request.user)
    if batch.late:
        return f"已报备结果（附件4、附件5）。报备期限为 {batch.results_due}，已记为逾期报备。"
    return "已报备结果（附件4、附件5）。"


def _withdraw(request: HttpRequest, batch: Batch) -> str:
    if request.POST.get("confirm_withdraw") != "1":
        raise InvalidInput(
            "请勾选“确认撤回本批次计划”后再提交；撤回后不能恢复。",
            code="confirm_required",
            fields={"confirm_withdraw": ["请确认"]},
        )
    batch = receipt.withdraw_plan(batch, actor=request.user)
    return f"已撤回认定计划（办件编号 {batch.plan_case_number}），本批次已办结。"


ACTIONS: dict[str, Callable[[HttpRequest, Batch], str]] = {
    "publicize": _publicize,
    "issue": _issue,
    "file-results": _file_results,
    "withdraw": _withdraw,
}


@require_POST
@organization_required
def batch_act(request: HttpRequest, pk: int) -> HttpResponse:
    """The one endpoint of the batch page's forms: attendance, typed results, publicity,
    certificate numbers, result filing."""
    batch = get_batch_for_user(request.user, pk)
    action = request.POST.get("action", "")
    extra: dict[str, Any] = {}
    try:
        if action == "attendance":
            form = AbsenceForm(request.POST)
            form.is_valid()
            extra["absence_form"] = form
            absent = implementation.record_attendance(
                batch, {"absent": _absent_numbers(request)}, actor=request.user
            )
            done = f"已记录考勤：缺考 {absent} 人，其余考生均已参加。"
        elif action == "results":
            entries, origin = _score_entries(request, batch)
            extra["score_data"] = request.POST
            if not entries:
                raise InvalidInput("请至少填写一名考生的成绩")
            try:
                results.enter_results(batch, {"results": entries}, actor=request.user)
            except InvalidInput as exc:
                extra["score_errors"], general = _score_errors(exc, origin)
                extra["score_general"] = general
                raise
            done = f"已录入 {len(entries)} 名考生的成绩，是否合格已按合格分数线计算。"
        elif action in ACTIONS:
            done = ACTIONS[action](request, batch)
        else:
            raise Http404("未知的操作")
    except DomainError as exc:
        batch = get_batch_for_user(request.user, pk)
        context = batch_context(
            request, batch, error=exc.message, failed_action=action, error_code=exc.code, **extra
        )
        return render(request, "web/batches/org_batch.html", context, status=exc.status)
    messages.success(request, done)
    return redirect("web:org_batch", pk=batch.pk)
