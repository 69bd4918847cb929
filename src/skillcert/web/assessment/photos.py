"""Candidates' 2-inch photos for the certificates (/org/batches/<id>/photos).

The batch's candidates with whether each has a photo (those without print a blank 照片 box),
an upload per candidate through ``certificates.services.photos.upload_photo``, and the stored
photos served to the organization only.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from skillcert.assessment.access import get_batch_for_user
from skillcert.assessment.models import Batch
from skillcert.certificates.models import CandidatePhoto
from skillcert.certificates.services.photos import (
    MIN_PIXELS,
    PHOTO_PIXELS,
    upload_photo,
)
from skillcert.documents import files
from skillcert.registry.services.materials import max_upload_bytes, served_name
from skillcert.rules.errors import DomainError
from skillcert.web import display
from skillcert.web.guards import organization_required

PAGE_SIZE = 50
FILTERS = {"missing": "缺照片的考生", "passed-missing": "缺照片的合格考生"}


def _candidates(batch: Batch, only: str) -> Any:
    candidates = batch.candidates.select_related("photo").order_by("position", "pk")
    if only in FILTERS:
        candidates = candidates.filter(photo__isnull=True)
    if only == "passed-missing":
        candidates = candidates.filter(passed=True)
    return candidates


def _page(request: HttpRequest, batch: Batch, status: int = 200, **extra: Any) -> HttpResponse:
    only = request.GET.get("only", "")
    only = only if only in FILTERS else ""
    page = Paginator(_candidates(batch, only), PAGE_SIZE).get_page(request.GET.get("page"))
    # A missing reverse one-to-one raises RelatedObjectDoesNotExist, an AttributeError.
    rows = [{"candidate": c, "photo": getattr(c, "photo", None)} for c in page]
    everyone = batch.candidates.all()
    return render(
        request,
        "web/certificates/photos.html",
        {
            "batch": batch,
            "rows": rows,
            "page": page,
            "only": only,
            "filters": FILTERS,
            "total": everyone.count(),
            "missing": everyone.filter(photo__isnull=True).count(),
            "passed_missing": everyone.filter(photo__isnull=True, passed=True).count(),
            "query": display.query_without_page(request),
            "max_upload_mb": max_upload_bytes() // (1024 * 1024),
            "photo_pixels": PHOTO_PIXELS,
            "min_pixels": MIN_PIXELS,
            **extra,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@organization_required
def batch_photos(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    if request.method == "GET":
        return _page(request, batch)
    candidate = batch.candidates.filter(pk=request.POST.get("candidate", "0") or 0).first()
    if candidate is None:
        raise Http404("本批次没有该考生")
    try:
        upload_photo(candidate, request.FILES.get("file"), actor=request.user)
    except DomainError as exc:
        return _page(
            request,
            batch,
            exc.status,
            error=f"{candidate.name}的照片未上传：{exc.message}",
            failed=candidate.pk,
            failed_errors=list(exc.fields.get("file", [])) or [exc.message],
        )
    messages.success(request, f"已上传{candidate.name}的照片（已裁切为二寸比例）。")
    back = reverse("web:org_batch_photos", args=[batch.pk])
    params = {k: v for k, v in request.GET.items() if k in {"only", "page"} and v}
    return redirect(
        f"{back}?{urlencode(params)}#c{candidate.pk}" if params else f"{back}#c{candidate.pk}"
    )


@require_GET
@organization_required
def candidate_photo(request: HttpRequest, pk: int, candidate: int) -> FileResponse:
    batch = get_batch_for_user(request.user, pk)
    photo = CandidatePhoto.objects.filter(candidate__batch=batch, candidate_id=candidate).first()
    stream = files.open_stored(photo.stored_name) if photo is not None else None
    if stream is None:
        raise Http404("该考生没有照片")
    response = FileResponse(
        stream, content_type="image/jpeg", filename=served_name("照片", candidate, "image/jpeg")
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response
