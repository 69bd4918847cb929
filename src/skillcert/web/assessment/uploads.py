"""The batch pages' Excel files: the templates, the results upload, the marked-up copies of
refused uploads, and the annexes (附件4, 附件5).

The candidates upload belongs to the plan wizard (``batches``); it links the marked-up copy
through ``report_link`` here. A refused upload changes nothing and re-renders the page with
every bad row. A large upload's copy is made by a background job: the link is the same, the
page says the file is being prepared (``report_link(...).pending``), and until it is ready the
download answers with a page saying so (or, when the job failed, asking to upload again).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from skillcert.assessment import excel
from skillcert.assessment.access import get_batch_for_user, may_download_annexes, parties_for_batch
from skillcert.assessment.models import Batch
from skillcert.assessment.workflow import BatchParty, annex_not_ready
from skillcert.audit.service import record_export
from skillcert.documents import files
from skillcert.jobs import service as jobs
from skillcert.registry.services.materials import read_upload
from skillcert.rules.errors import DomainError, InvalidInput, NotFound
from skillcert.web.assessment.page import batch_context
from skillcert.web.guards import not_found_is_404, organization_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_REPORT = re.compile(r"/(candidates|results)-report/([A-Za-z0-9_-]+)\.xlsx$")


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    return response


class ReportLink(str):
    """A page address that also says whether its file is still being made (``pending``,
    read by the template part ``row_errors.html``)."""

    __slots__ = ("pending",)
    pending: bool

    def __new__(cls, url: str, *, pending: bool = False) -> ReportLink:
        link = super().__new__(cls, url)
        link.pending = pending
        return link


def report_link(batch: Batch, error: DomainError) -> ReportLink:
    """The page's address of the marked-up copy the import stored (``extra["report"]``);
    ``pending`` while a background job still makes it."""
    api_url = str(getattr(error, "extra", {}).get("report") or "")
    match = _REPORT.search(api_url)
    if match is None:
        return ReportLink("")
    kind, token = match.group(1), match.group(2)
    url = reverse("web:org_batch_report", args=[batch.pk, kind, token])
    return ReportLink(url, pending=excel.report_status(batch, token).pending)


def row_errors(error: DomainError) -> list[dict[str, Any]]:
    return list(getattr(error, "extra", {}).get("rows") or [])


# --- the templates and the results upload --------------------------------------------------


@require_GET
@organization_required
def candidates_template(request: HttpRequest) -> HttpResponse:
    return xlsx_response(excel.candidates_template(), "考生名单模板.xlsx")


@require_POST
@organization_required
def results_upload(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    try:
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput.for_field("file", "请选择要上传的成绩表（.xlsx）")
        count = excel.import_results(batch, read_upload(upload), actor=request.user)
    except DomainError as exc:
        batch = get_batch_for_user(request.user, pk)
        context = batch_context(
            request,
            batch,
            error=exc.message,
            failed_action="results-file",
            upload_errors=row_errors(exc),
            report_url=report_link(batch, exc),
            upload_name=getattr(request.FILES.get("file"), "name", ""),
        )
        return render(request, "web/batches/org_batch.html", context, status=exc.status)
    messages.success(request, f"已从成绩表录入 {count} 名考生的成绩，是否合格已按合格分数线计算。")
    return redirect("web:org_batch", pk=batch.pk)


@require_GET
@organization_required
def results_template(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    content = excel.results_template(batch)
    record_export(request.user, batch, what="成绩录入表（含考生名单）")
    return xlsx_response(content, f"成绩录入-{batch.title}.xlsx")


@require_GET
@organization_required
def report(request: HttpRequest, pk: int, kind: str, token: str) -> HttpResponse:
    """The marked-up copy of a refused upload, for the batch's organization only; while a
    background job still makes it, a page saying so (and, if the job failed, to upload the
    file again)."""
    batch = get_batch_for_user(request.user, pk)
    if BatchParty.ORGANIZATION not in parties_for_batch(request.user, batch):
        raise NotFound("未找到该错误报告", code="not_found")
    status = excel.report_status(batch, token)
    content = files.read(status.name) if status.name else None
    if content is None:
        refusal = excel.report_refusal(status)
        if refusal is None:
            raise NotFound("未找到该错误报告（可能已超过 7 天被清理）", code="not_found")
        context = {
            "batch": batch,
            "pending": status.pending,
            "message": refusal.message,
            "no_worker": status.pending and not jobs.workers_alive(),
            "rows": status.job.total if status.job is not None else 0,
            "kind_label": "考生名单" if kind == "candidates" else "成绩表",
            "retry_url": request.path,
            "back_url": (
                f"{reverse('web:org_batch_edit', args=[batch.pk])}?step=candidates"
                if kind == "candidates"
                else reverse("web:org_batch", args=[batch.pk])
            ),
        }
        return render(request, "web/batches/report_status.html", context, status=refusal.status)
    name = "考生名单-错误标注.xlsx" if kind == "candidates" else "成绩表-错误标注.xlsx"
    record_export(request.user, batch, what=name.removesuffix(".xlsx"))
    return xlsx_response(content, name)


# --- the annexes (organization, its center and bureau, the province) -----------------------


@require_GET
@login_required
@not_found_is_404
def annex(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    if not may_download_annexes(request.user, batch):
        raise NotFound("未找到该附件", code="not_found")
    if number == 4:
        from skillcert.assessment.annex4 import annex4

        if annex_not_ready(batch, 4):
            raise Http404(annex_not_ready(batch, 4))
        content = annex4(batch)
        record_export(request.user, batch, what="附件4 认定结果汇总表")
        return xlsx_response(content, f"附件4-认定结果汇总表-{batch.title}.xlsx")
    if number == 5:
        from skillcert.certificates.annex5 import annex5

        if annex_not_ready(batch, 5):
            raise Http404(annex_not_ready(batch, 5))
        content = annex5(batch)
        record_export(request.user, batch, what="附件5 合格人员证书信息表")
        return xlsx_response(content, f"附件5-合格人员证书信息表-{batch.title}.xlsx")
    raise Http404("未知的附件")
