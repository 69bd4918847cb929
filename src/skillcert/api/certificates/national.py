"""v1 endpoints of the national query system's outbox (全国联网查询上报): 附件5 exports per batch
or period, the status changes of reported certificates, sending them, and their files.
Officers who report only (the province department and center; a city center for its city's
batches); organizations 403, the public 401."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.api.inputs import request_body
from skillcert.api.pagination import Pagination, paginated
from skillcert.api.workflow import WorkflowFields
from skillcert.audit.service import record_export
from skillcert.certificates import national
from skillcert.certificates.inputs import NationalExportRequest
from skillcert.certificates.models import NationalExport, NationalExportState
from skillcert.documents import files
from skillcert.rules.errors import NotFound

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class NationalExportSerializer(WorkflowFields, serializers.ModelSerializer):
    batch_title = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by_name")
    file = serializers.SerializerMethodField()

    class Meta:
        model = NationalExport
        fields = [
            "id",
            "kind",
            "key",
            "batch",
            "batch_title",
            "period_from",
            "period_to",
            "certificate_count",
            "file_name",
            "sha256",
            "file",
            "created_at",
            "created_by",
            "state",
            "sent_at",
            "sender",
            "receipt",
            "attempts",
            "last_error",
            "actions",
            "next",
        ]

    def get_batch_title(self, export: NationalExport) -> str | None:
        return export.batch.title if export.batch is not None else None

    def get_file(self, export: NationalExport) -> str:
        return f"/api/v1/national/exports/{export.pk}.xlsx"


EXPORT_REQUEST = request_body(NationalExportRequest)
SEND_RESPONSE = inline_serializer(
    "NationalExportSent",
    {
        "export": NationalExportSerializer(),
        "sent_now": serializers.BooleanField(),
        "message": serializers.CharField(),
    },
)


def export_data(export: NationalExport, request: Request) -> dict[str, Any]:
    fresh = NationalExport.objects.select_related("batch", "created_by").get(pk=export.pk)
    return NationalExportSerializer(fresh, context={"request": request}).data


class NationalExportListView(APIView):
    pagination_class = Pagination

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=[s.value for s in NationalExportState]),
            OpenApiParameter("kind", str, enum=["batch", "period", "changes"]),
        ],
        responses={200: NationalExportSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        national.check_may_report(request.user)
        exports = national.exports_for(request.user)
        for name in ("state", "kind"):
            if request.query_params.get(name):
                exports = exports.filter(**{name: request.query_params[name]})
        return paginated(
            request,
            exports,
            lambda page: (
                NationalExportSerializer(page, many=True, context={"request": request}).data
            ),
        )

    @extend_schema(
        request=EXPORT_REQUEST,
        responses={201: NationalExportSerializer, 200: NationalExportSerializer},
    )
    def post(self, request: Request) -> Response:
        national.check_may_report(request.user)
        wanted = national.parse_export_request(request.data)
        prepared = national.prepare(
            batch=wanted.batch, period=wanted.period, changes=wanted.changes, actor=request.user
        )
        code = status.HTTP_201_CREATED if prepared.created else status.HTTP_200_OK
        return Response(export_data(prepared.export, request), status=code)


class NationalExportDetailView(APIView):
    @extend_schema(responses={200: NationalExportSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(export_data(national.get_export_for_user(request.user, pk), request))


class NationalExportSendView(APIView):
    @extend_schema(request=None, responses={200: SEND_RESPONSE})
    def post(self, request: Request, pk: int) -> Response:
        export = national.get_export_for_user(request.user, pk)
        delivery = national.deliver(export, actor=request.user)
        return Response(
            {
                "export": export_data(delivery.export, request),
                "sent_now": delivery.sent_now,
                "message": delivery.message,
            }
        )


class NationalExportFileView(APIView):
    @extend_schema(responses={(200, XLSX): bytes})
    def get(self, request: Request, pk: int) -> FileResponse:
        export = national.get_export_for_user(request.user, pk)
        stream = files.open_stored(national.export_name(export))
        if stream is None:
            raise NotFound("上报文件不存在", code="file_missing")
        record_export(request.user, export, what="全国联网上报文件")
        response = FileResponse(
            stream, as_attachment=True, filename=export.file_name, content_type=XLSX
        )
        response["Cache-Control"] = "private, no-store"
        return response
