"""Pages of a batch print job (see ``web.printing``): start it from the batch page, watch the
progress (the page polls a JSON endpoint every second), download the PDF.

Only the organization, its city's center (and bureau) and the province print a batch
(``may_download_annexes``); a job of another batch, or an unknown job, is 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from skillcert.assessment.access import get_batch_for_user, may_download_annexes
from skillcert.assessment.models import Batch
from skillcert.certificates import printing
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


def _job(request: HttpRequest, pk: int, job: str) -> tuple[Batch, dict[str, Any]]:
    batch = printable_batch(request, pk)
    record = printing.read(job)
    if record is None or record["batch"] != batch.pk:
        raise Http404("未找到该打印任务")
    return batch, record


def _progress(batch: Batch, record: dict[str, Any]) -> dict[str, Any]:
    """The JSON the page polls; ``phase`` is the job's progress (running, done, failed)."""
    job = record["job"]
    done = record["phase"] == printing.DONE
    return {
        "phase": record["phase"],
        "done": record["total"] if done else record["done"],
        "total": record["total"],
        "percent": printing.percent(record),
        "error": record.get("error", ""),
        "size": record.get("size", 0),
        "file": reverse("web:batch_print_file", args=[batch.pk, job]) if done else None,
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
    return redirect("web:batch_print_job", pk=batch.pk, job=job)


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
    path = printing.pdf_path(job)
    if record["phase"] != printing.DONE or not path.is_file():
        raise Http404("打印文件尚未生成")
    response = FileResponse(path.open("rb"), content_type="application/pdf")
    name = f"{batch.title}-证书.pdf"
    response["Content-Disposition"] = (
        f'attachment; filename="batch-{batch.pk}-certificates.pdf"; '
        f"filename*=UTF-8''{quote(name)}"
    )
    response["Cache-Control"] = "private, no-store"
    return response
