"""v1 endpoints of the filing's report to the ministry's appraisal center (备案报部, 三 (三)):
the list (the province's officers see all, a city's bureau and center their city's), the
center's answer recorded by the provincial center (``confirm``, ``return`` with a reason), the
reviewing officers' corrected ``resend`` and a retry of a failed ``send``. Organizations 403,
the public 401. Described in docs/government-service.md (not in api.md)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.api.inputs import request_body
from skillcert.api.pagination import Pagination, paginated
from skillcert.api.workflow import WorkflowFields
from skillcert.certificates.inputs import (
    FilingReportConfirm,
    FilingReportResend,
    FilingReportReturn,
)
from skillcert.certificates.models import FilingReport, FilingReportKind, FilingReportState
from skillcert.certificates.national import filings


class FilingReportSerializer(WorkflowFields, serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name")
    credit_code = serializers.CharField(source="organization.credit_code")
    authority = serializers.CharField(source="authority.name")
    kind_label = serializers.CharField(source="get_kind_display")
    state_label = serializers.CharField(source="get_state_display")
    title = serializers.SerializerMethodField()
    resent_as = serializers.SerializerMethodField()

    class Meta:
        model = FilingReport
        fields = [
            "id",
            "subject",
            "round",
            "kind",
            "kind_label",
            "title",
            "organization",
            "organization_name",
            "credit_code",
            "filing",
            "authority",
            "payload",
            "file_name",
            "sha256",
            "created_at",
            "state",
            "state_label",
            "sent_at",
            "sender",
            "receipt",
            "attempts",
            "last_error",
            "answered_on",
            "reason",
            "replaces",
            "resent_as",
            "note",
            "actions",
            "next",
        ]

    def get_title(self, report: FilingReport) -> str:
        return filings.title_of(report)

    def get_resent_as(self, report: FilingReport) -> int | None:
        following = FilingReport.objects.filter(replaces_id=report.pk).values_list("pk", flat=True)
        return following.first()


def report_data(report: FilingReport, request: Request) -> dict[str, Any]:
    fresh = filings.reports_for(request.user).get(pk=report.pk)
    return FilingReportSerializer(fresh, context={"request": request}).data


class FilingReportListView(APIView):
    pagination_class = Pagination

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=[s.value for s in FilingReportState]),
            OpenApiParameter("kind", str, enum=[k.value for k in FilingReportKind]),
        ],
        responses={200: FilingReportSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        filings.check_may_read(request.user)
        reports = filings.reports_for(request.user)
        for name in ("state", "kind"):
            if request.query_params.get(name):
                reports = reports.filter(**{name: request.query_params[name]})
        return paginated(
            request,
            reports,
            lambda page: FilingReportSerializer(page, many=True, context={"request": request}).data,
        )


class FilingReportDetailView(APIView):
    @extend_schema(responses={200: FilingReportSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(report_data(filings.get_for_user(request.user, pk), request))


class FilingReportSendView(APIView):
    @extend_schema(
        operation_id="filing_report_send", request=None, responses={200: FilingReportSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        report = filings.get_for_user(request.user, pk)
        return Response(report_data(filings.deliver(report, actor=request.user), request))


class FilingReportConfirmView(APIView):
    @extend_schema(
        operation_id="filing_report_confirm",
        request=request_body(FilingReportConfirm),
        responses={200: FilingReportSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        report = filings.get_for_user(request.user, pk)
        done = filings.confirm(report, request.data, actor=request.user)
        return Response(report_data(done, request))


class FilingReportReturnView(APIView):
    @extend_schema(
        operation_id="filing_report_return",
        request=request_body(FilingReportReturn),
        responses={200: FilingReportSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        report = filings.get_for_user(request.user, pk)
        done = filings.return_report(report, request.data, actor=request.user)
        return Response(report_data(done, request))


class FilingReportResendView(APIView):
    @extend_schema(
        operation_id="filing_report_resend",
        request=request_body(FilingReportResend),
        responses={201: FilingReportSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        report = filings.get_for_user(request.user, pk)
        made = filings.resend(report, request.data, actor=request.user)
        return Response(report_data(made, request), status=status.HTTP_201_CREATED)
