"""Pages of a batch print job (see ``web.printing``): start it from the batch page, watch the
progress (the page polls a JSON endpoint every second), download the PDF.

Only the organization, its city's center (and bureau) and the province print a batch
(``may_download_annexes``); a job of another batch, or an unknown job, is 404.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from skillcert.assessment.access import get_batch_for_user, may_download_annexes
from skillcert.assessment.models import Batch
from skillcert.registry.access import organization_of
from skillcert.rules.errors import DomainError, NotFound
from skillcert.web import printing
from skillcert.web.guards import not_found_is_404


def printable_batch(request: HttpRequest, pk: int) -> Batch:
    batch = get_batch_for_user(request.user, pk)
    if not may_download_annexes(request.user, batch):
        raise NotFound("未找到该认定批次", code="not_found")
    return batch


def batch_page_url(user: Any, batch: Batch) -> str:
    name = "web:org_batch" if organization_of(user) is not None else "web:review_batch"
    return reverse(name, args=[batch.pk])


def _job(request: HttpRequest, pk: int, job: str) -> tuple[Batch, dict[str, Any]]:
    batch = printable_batch(request, pk)
    state = printing.read(job)
    if state is None or state["batch"] != batch.pk:
        raise Http404("未找到该打印任务")
    return batch, state


def _progress(batch: Batch, state: dict[str, Any]) -> dict[str, Any]:
    job = state["job"]
    done = state["state"] == printing.DONE
    return {
        "state": state["state"],
        "done": state["total"] if done else state["done"],
        "total": state["total"],
        "percent": printing.percent(state),
        "error": state.get("error", ""),
        "size": state.get("size", 0),
        "file": reverse("web:batch_print_file", args=[batch.pk, job]) if done else None,
    }


@require_POST
@login_required
@not_found_is_404
def print_start(request: HttpRequest, pk: int) -> HttpResponse:
    batch = printable_batch(request, pk)
    try:
        job = printing.start(batch, request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(batch_page_url(request.user, batch))
    return redirect("web:batch_print_job", pk=batch.pk, job=job)


@require_GET
@login_required
@not_found_is_404
def print_job(request: HttpRequest, pk: int, job: str) -> HttpResponse:
    batch, state = _job(request, pk, job)
    return render(
        request,
        "web/certificates/print.html",
        {
            "batch": batch,
            "job": job,
            "progress": _progress(batch, state),
            "batch_url": batch_page_url(request.user, batch),
        },
    )


@require_GET
@login_required
@not_found_is_404
def print_progress(request: HttpRequest, pk: int, job: str) -> JsonResponse:
    batch, state = _job(request, pk, job)
    response = JsonResponse(_progress(batch, state))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
@not_found_is_404
def print_file(request: HttpRequest, pk: int, job: str) -> HttpResponse:
    batch, state = _job(request, pk, job)
    path = printing.pdf_path(job)
    if state["state"] != printing.DONE or not path.is_file():
        raise Http404("打印文件尚未生成")
    response = FileResponse(path.open("rb"), content_type="application/pdf")
    name = f"{batch.title}-证书.pdf"
    response["Content-Disposition"] = (
        f'attachment; filename="batch-{batch.pk}-certificates.pdf"; '
        f"filename*=UTF-8''{quote(name)}"
    )
    response["Cache-Control"] = "private, no-store"
    return response
