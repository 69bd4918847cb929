"""v1 files of batches: the candidates' and results' Excel uploads, their templates and error
reports, and the annexes 4 and 5."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.api.assessment.serializers import BatchSerializer, batch_response
from skillcert.api.downloads import XLSX, xlsx_response
from skillcert.api.inputs import multipart
from skillcert.assessment.access import get_batch_for_user, may_download_annexes, parties_for_batch
from skillcert.assessment.inputs import CandidatesUpload, ResultsUpload
from skillcert.assessment.workflow import annex_not_ready
from skillcert.audit.service import record_export
from skillcert.documents import files
from skillcert.rules.errors import Forbidden, InvalidInput, NotFound
from skillcert.rules.inputs import Body


class CandidatesUploadView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request=multipart(CandidatesUpload),
        responses={200: BatchSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        from skillcert.assessment.excel import import_candidates
        from skillcert.registry.services.materials import read_upload

        batch = get_batch_for_user(request.user, pk)
        upload = Body(CandidatesUpload, request.FILES).get("file")
        data = read_upload(upload) if upload is not None else None
        if data is None:
            raise InvalidInput.for_field("file", "请选择要上传的 Excel 文件")
        import_candidates(batch, data, actor=request.user)
        return batch_response(batch, request)


class ResultsUploadView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request=multipart(ResultsUpload),
        responses={200: BatchSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        from skillcert.assessment.excel import import_results
        from skillcert.registry.services.materials import read_upload

        batch = get_batch_for_user(request.user, pk)
        upload = Body(ResultsUpload, request.FILES).get("file")
        if upload is None:
            raise InvalidInput.for_field("file", "请选择要上传的 Excel 文件")
        import_results(batch, read_upload(upload), actor=request.user)
        return batch_response(batch, request)


class CandidatesTemplateView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={(200, XLSX): bytes}, auth=[])
    def get(self, request: Request) -> HttpResponse:
        from skillcert.assessment.excel import candidates_template

        return xlsx_response(candidates_template(), "考生名单模板.xlsx")


class ResultsTemplateView(APIView):
    @extend_schema(responses={(200, XLSX): bytes})
    def get(self, request: Request, pk: int) -> HttpResponse:
        from skillcert.assessment.excel import results_template

        batch = get_batch_for_user(request.user, pk)
        if "organization" not in parties_for_batch(request.user, batch):
            raise Forbidden("只有本批次的评价组织可以下载成绩模板", code="forbidden")
        content = results_template(batch)
        record_export(request.user, batch, what="成绩录入表（含考生名单）")
        return xlsx_response(content, f"成绩录入-{batch.title}.xlsx")


class CandidatesReportView(APIView):
    # The marked-up copy of a refused upload (candidates or results). A large upload's copy
    # is made by a background job: until it is done the same URL answers 409
    # ``report_pending``; when the job failed, 404 ``report_failed`` (upload the file again).
    # (A comment, not a docstring: a docstring would become the schema's description.)

    @extend_schema(responses={(200, XLSX): bytes})
    def get(self, request: Request, pk: int, token: str) -> FileResponse:
        from skillcert.assessment.excel import report_refusal, report_status

        batch = get_batch_for_user(request.user, pk)
        if "organization" not in parties_for_batch(request.user, batch):
            raise NotFound("未找到该错误报告", code="not_found")
        status = report_status(batch, token)
        stream = files.open_stored(status.name) if status.name else None
        if stream is None:
            refusal = report_refusal(status)
            if refusal is not None:
                raise refusal
            raise NotFound("未找到该错误报告（可能已过期）", code="not_found")
        record_export(request.user, batch, what="错误报告")
        return FileResponse(stream, as_attachment=True, filename="错误报告.xlsx", content_type=XLSX)


class AnnexView(APIView):
    annex = 4

    @extend_schema(responses={(200, XLSX): bytes})
    def get(self, request: Request, pk: int) -> HttpResponse:
        batch = get_batch_for_user(request.user, pk)
        if not may_download_annexes(request.user, batch):
            raise Forbidden("只有评价组织、所在市鉴定中心和省级可以下载附件", code="forbidden")
        if self.annex == 4:
            from skillcert.assessment.annex4 import annex4

            not_ready = annex_not_ready(batch, 4)
            if not_ready:
                raise _not_yet(not_ready)
            content = annex4(batch)
            record_export(request.user, batch, what="附件4 认定结果汇总表")
            return xlsx_response(content, f"附件4-认定结果汇总表-{batch.title}.xlsx")
        from skillcert.certificates.annex5 import annex5

        not_ready = annex_not_ready(batch, 5)
        if not_ready:
            raise _not_yet(not_ready)
        content = annex5(batch)
        record_export(request.user, batch, what="附件5 合格人员证书信息表")
        return xlsx_response(content, f"附件5-合格人员证书信息表-{batch.title}.xlsx")


def _not_yet(message: str) -> Exception:
    from skillcert.rules.errors import Conflict

    return Conflict(message, code="invalid_state")
