"""Public supervision pages: every random draw with what anyone needs to recompute it
(/draws), and the inspection results the officers approved for publication
(/inspection-results, 一公开). No login; the inspectors' names are never on the results."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from skillcert.supervision.models import Inspection, InspectionDraw, InspectionState
from skillcert.web import display
from skillcert.web.supervision import display as sd

PAGE_SIZE = 50


@require_GET
def draws_list(request: HttpRequest) -> HttpResponse:
    records = InspectionDraw.objects.select_related("authority")
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/supervision/public_draws.html",
        {"page": page, "query": display.query_without_page(request)},
    )


@require_GET
def draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = InspectionDraw.objects.select_related("authority").filter(pk=pk).first()
    if record is None:
        raise Http404("未找到该抽取记录")
    return render(
        request,
        "web/supervision/public_draw.html",
        {"view": sd.draw_view(record), "command": sd.RECOMPUTE_COMMAND},
    )


@require_GET
def inspection_results(request: HttpRequest) -> HttpResponse:
    records = (
        Inspection.objects.filter(state=InspectionState.PUBLISHED)
        .select_related("organization", "batch", "authority", "rectification")
        .order_by("-published_on", "-pk")
    )
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/supervision/public_results.html",
        {"page": page, "query": display.query_without_page(request)},
    )
