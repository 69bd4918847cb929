"""The national query system's outbox (/review/national): 附件5 exports of issued
certificates, for the province department and center (any batch, or a period) and the city
centers (the batches held in their city). Everything goes through ``certificates.national``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from skillcert.assessment.access import batches_for
from skillcert.assessment.workflow import BatchState
from skillcert.audit.service import record_export
from skillcert.certificates import national
from skillcert.certificates.machines import NATIONAL_EXPORT_MACHINE
from skillcert.certificates.models import NationalExport
from skillcert.certificates.national import preparing
from skillcert.documents import files
from skillcert.jobs.models import Job, JobPhase
from skillcert.rules.errors import DomainError, Forbidden
from skillcert.web import display
from skillcert.web.certificates.forms import NationalBatchForm, NationalPeriodForm
from skillcert.web.forms import add_domain_error
from skillcert.web.guards import reviewer_required, signed_in_user

if TYPE_CHECKING:
    from collections.abc import Iterable

    from skillcert.accounts.models import User

PAGE_SIZE = 30
REPORTABLE_STATES = (BatchState.CERTIFICATES_ISSUED, BatchState.RESULTS_FILED)


def _check(user: User) -> None:
    try:
        national.check_may_report(user)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None


def province_wide(user: User) -> bool:
    return user.role in national.PROVINCE_REPORTERS


def batch_choices(user: User) -> list[tuple[int, str]]:
    """Numbered batches the user may report that no export holds yet."""
    batches = batches_for(user).filter(state__in=REPORTABLE_STATES)
    if not province_wide(user):
        batches = batches.filter(site_city_id=user.authority_id)
    reported = NationalExport.objects.filter(batch__isnull=False).values("batch_id")
    return [
        (b.pk, f"{b.title}（{b.organization.name}，#{b.pk}）")
        for b in batches.exclude(pk__in=reported)
        .select_related("organization")
        .order_by("-start_date", "-pk")
    ]


def export_rows(exports: Iterable[NationalExport], user: User) -> list[dict[str, Any]]:
    """Each export with what the viewer may do on it, asked of its workflow: ``send`` is
    labelled 重新发送 once an attempt failed."""
    rows = []
    for export in exports:
        offered = {a["action"]: a["label"] for a in NATIONAL_EXPORT_MACHINE.actions(export, user)}
        send = offered.get("send", "")
        rows.append({"export": export, "send": f"重新{send}" if send and export.attempts else send})
    return rows


def job_row(job: Job) -> dict[str, Any]:
    """A job making an export, as the page and its progress poll show it."""
    return {
        "id": job.pk,
        "title": job.title,
        "phase": job.phase,
        "phase_label": job.get_phase_display(),
        "note": preparing.status_note(job),
        "export": (job.result or {}).get("export") if job.phase == JobPhase.DONE else None,
    }


def _page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    user = signed_in_user(request)
    exports = national.exports_for(user).select_related("batch", "batch__organization")
    page = Paginator(exports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/certificates/national.html",
        {
            "page": page,
            "rows": export_rows(page.object_list, user),
            "province": province_wide(user),
            "batch_form": extra.pop("batch_form", None)
            or NationalBatchForm(batches=batch_choices(user)),
            "period_form": extra.pop("period_form", None) or NationalPeriodForm(),
            "unsent": national.unsent(user).count(),
            "changes_pending": national.changes_pending() if province_wide(user) else 0,
            "query": display.query_without_page(request),
            "sender": national.sender_path(),
            "jobs": [job_row(job) for job in preparing.recent_for(user)[:5]],
            **extra,
        },
        status=status,
    )


@require_GET
@reviewer_required
def outbox(request: HttpRequest) -> HttpResponse:
    _check(signed_in_user(request))
    return _page(request)


@require_POST
@reviewer_required
def export_new(request: HttpRequest) -> HttpResponse:
    """Start preparing the export of a batch (or, for the province, of a period of issue dates
    or of the status changes of reported certificates): checked now, made by a worker
    (``national.preparing``); the page follows the job."""
    user = signed_in_user(request)
    _check(user)
    scope = request.POST.get("scope", "batch")
    batch_form = NationalBatchForm(request.POST, batches=batch_choices(user))
    period_form = NationalPeriodForm(request.POST)
    try:
        if scope == "changes":
            started = preparing.start(changes=True, actor=user)
        elif scope == "period":
            period_form.is_valid()
            data = period_form.cleaned_data
            period = national.parse_period(data.get("start"), data.get("end"))
            started = preparing.start(period=period, actor=user)
        else:
            batch_form.is_valid()
            started = preparing.start(
                batch=national.parse_batch_id(batch_form.cleaned_data.get("batch")), actor=user
            )
    except DomainError as exc:
        if scope == "changes":  # nothing to fill in: the message above the forms says it
            batch_form = NationalBatchForm(batches=batch_choices(user))
            period_form = NationalPeriodForm()
        elif scope == "period":
            add_domain_error(period_form, exc, NationalPeriodForm.PATHS)
            batch_form = NationalBatchForm(batches=batch_choices(user))
        else:
            add_domain_error(batch_form, exc)
            period_form = NationalPeriodForm()
        return _page(
            request,
            exc.status,
            error=exc.message,
            failed=scope,
            batch_form=batch_form,
            period_form=period_form,
        )
    if started.existing is not None:
        export = started.existing
        messages.info(
            request,
            f"该范围已有上报记录 #{export.pk}（{export.get_state_display()}），未重复生成。",
        )
    else:
        job = started.job
        assert job is not None
        if job.phase == JobPhase.DONE:  # a worker was quicker than this answer
            messages.success(request, preparing.status_note(job))
        elif job.phase == JobPhase.FAILED:
            messages.error(request, job.error)
        else:
            messages.info(request, "已开始生成上报文件，完成后列在下方上报记录中。")
    return redirect("web:review_national")


@require_GET
@reviewer_required
def export_job(request: HttpRequest, job: str) -> JsonResponse:
    """The progress of one of the viewer's export jobs (polled by the page)."""
    user = signed_in_user(request)
    _check(user)
    record = preparing.job_for(user, job)
    if record is None:
        raise Http404("未找到该上报任务")
    response = JsonResponse(job_row(record))
    response["Cache-Control"] = "no-store"
    return response


def _export(request: HttpRequest, pk: int) -> NationalExport:
    _check(signed_in_user(request))
    try:
        return national.get_export_for_user(request.user, pk)
    except DomainError as exc:
        raise Http404(exc.message) from None


@require_POST
@reviewer_required
def export_send(request: HttpRequest, pk: int) -> HttpResponse:
    export = _export(request, pk)
    try:
        delivery = national.deliver(export, actor=request.user)
    except DomainError as exc:
        return _page(request, exc.status, error=exc.message, failed_export=export.pk)
    if delivery.sent_now:
        messages.success(request, f"上报 #{export.pk} {delivery.message}。")
    else:
        messages.info(request, delivery.message)
    return redirect("web:review_national")


@require_GET
@reviewer_required
def export_file(request: HttpRequest, pk: int) -> FileResponse:
    export = _export(request, pk)
    try:
        stream = files.open_stored(national.export_name(export))
    except DomainError as exc:
        raise Http404(exc.message) from None
    if stream is None:
        raise Http404("上报文件不存在")
    record_export(request.user, export, what="全国联网上报文件")
    return FileResponse(
        stream,
        as_attachment=True,
        filename=export.file_name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
