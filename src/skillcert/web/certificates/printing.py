"""Pages of a batch print job (see ``certificates.printing``): start it from the batch page,
watch the progress (the page polls a JSON endpoint every second), download the PDF.

Only the organization, its city's center (and bureau) and the province print a batch
(``may_download_annexes``); a job of another batch, or an unknown job, is 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from skillcert.assessment.access import get_batch_for_user, may_download_annexes
from skillcert.assessment.models import Batch
from skillcert.audit.service import record_export
from skillcert.certificates import printing
from skillcert.jobs.models import Job, JobPhase
from skillcert.registry.access import organization_of
from skillcert.rules.errors import DomainError, NotFound
from skillcert.web.guards import not_found_is_404, signed_in_user

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from skillcert.accounts.models import User


def printable_batch(request: HttpRequest, pk: int) -> Batch:
    batch = get_batch_for_user(request.user, pk)
    if not may_download_annexes(request.user, batch):
        raise NotFound("未找到该认定批次", code="not_found")
    return batch


def batch_page_url(user: User | AnonymousUser, batch: Batch) -> str:
    name = "web:org_batch" if organization_of(user) is not None else "web:review_batch"
    return reverse(name, args=[batch.pk])


def _job(request: HttpRequest, pk: int, job_id: str) -> tuple[Batch, Job]:
    batch = printable_batch(request, pk)
    job = printing.job_of(batch, job_id)
    if job is None:
        raise Http404("未找到该打印任务")
    return batch, job


def _progress(batch: Batch, job: Job) -> dict[str, Any]:
    """The JSON the page polls; ``phase`` is the job's progress (queued, running, done, failed)."""
    ready = printing.file_ready(job)
    return {
        "phase": job.phase if ready or job.phase != JobPhase.DONE else JobPhase.FAILED,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "error": printing.status_note(job, ready=ready),
        "size": job.output_size,
        "file": reverse("web:batch_print_file", args=[batch.pk, job.pk]) if ready else None,
    }


@require_POST
@login_required
@not_found_is_404
def print_start(request: HttpRequest, pk: int) -> HttpResponse:
    batch = printable_batch(request, pk)
    try:
        job = printing.start(batch, signed_in_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(batch_page_url(request.user, batch))
    return redirect("web:batch_print_job", pk=batch.pk, job=job.pk)


@require_GET
@login_required
@not_found_is_404
def print_job(request: HttpRequest, pk: int, job: str) -> HttpResponse:
    batch, record = _job(request, pk, job)
    return render(
        request,
        "web/certificates/print.html",
        {
            "batch": batch,
            "job": job,
            "progress": _progress(batch, record),
            "batch_url": batch_page_url(request.user, batch),
        },
    )


@require_GET
@login_required
@not_found_is_404
def print_progress(request: HttpRequest, pk: int, job: str) -> JsonResponse:
    batch, record = _job(request, pk, job)
    response = JsonResponse(_progress(batch, record))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
@not_found_is_404
def print_file(request: HttpRequest, pk: int, job: str) -> FileResponse:
    batch, record = _job(request, pk, job)
    if not printing.file_ready(record):
        raise Http404("打印文件尚未生成")
    record_export(request.user, batch, what="批次证书打印 PDF")
    response = FileResponse(
        default_storage.open(record.output, "rb"), content_type="application/pdf"
    )
    name = f"{batch.title}-证书.pdf"
    response["Content-Disposition"] = (
        f'attachment; filename="batch-{batch.pk}-certificates.pdf"; '
        f"filename*=UTF-8''{quote(name)}"
    )
    response["Cache-Control"] = "private, no-store"
    return response
