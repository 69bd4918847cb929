"""v1 endpoints of batches: plans, the workflow's steps (submit, results, attendance,
publicity, issue, result filing), spot checks and objections to published results.

The batch's files (uploads, templates, reports, annexes) are in ``uploads``; the provincial
center's certificate segments in ``segments``; the responses in ``serializers``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.api.assessment.serializers import (
    BatchListSerializer,
    BatchSerializer,
    batch_response,
)
from skillcert.api.inputs import request_body
from skillcert.api.pagination import Pagination, paginated
from skillcert.api.registry.objections import LodgeObjectionView, lodge_schema
from skillcert.api.workflow import step_view
from skillcert.assessment.access import batches_for, get_batch_for_user
from skillcert.assessment.inputs import (
    AttendanceRequest,
    BatchRequest,
    InspectionRequest,
    ResultsRequest,
)
from skillcert.assessment.models import Batch
from skillcert.assessment.selectors import matching, ordered_by_deadline
from skillcert.assessment.services import implementation, plans, receipt, results
from skillcert.certificates.services.issuing import issue_batch
from skillcert.registry.access import organization_of
from skillcert.registry.inputs import BatchObjectionRequest
from skillcert.rules.errors import Forbidden, NotFound
from skillcert.rules.inputs import Body, ReasonRequest


def body(request: Request) -> dict[str, Any]:
    return request.data if isinstance(request.data, dict) else {}


BATCH_BODY = request_body(BatchRequest)


class BatchListView(APIView):
    pagination_class = Pagination

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str),
            OpenApiParameter("copied_to_province", bool),
            OpenApiParameter(
                "q", str, description="办件编号（计划 JH- 或结果 JG-）或批次名称中的文字"
            ),
        ],
        responses={200: BatchListSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:

        batches = batches_for(request.user).select_related("organization", "site_city")
        state = request.query_params.get("state")
        if state:
            batches = batches.filter(state=state)
        batches = matching(batches, request.query_params.get("q", ""))
        if request.query_params.get("copied_to_province") in {"1", "true"}:
            batches = batches.filter(copied_to_province=True)
        batches = ordered_by_deadline(batches)
        return paginated(request, batches, lambda page: BatchListSerializer(page, many=True).data)

    @extend_schema(request=BATCH_BODY, responses={201: BatchSerializer})
    def post(self, request: Request) -> Response:
        organization = organization_of(request.user)
        if organization is None:
            raise Forbidden("只有评价组织用户可以创建认定批次", code="forbidden")
        batch = plans.create_batch(organization, request.data, actor=request.user)
        return batch_response(batch, request, status.HTTP_201_CREATED)


class BatchDetailView(APIView):
    @extend_schema(responses={200: BatchSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return batch_response(get_batch_for_user(request.user, pk), request)

    @extend_schema(request=BATCH_BODY, responses={200: BatchSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        batch = get_batch_for_user(request.user, pk)
        return batch_response(plans.update_batch(batch, request.data, actor=request.user), request)


def _no_body(request: Request, batch: Batch) -> Batch:
    return batch


BATCH_ACTIONS: dict[str, Any] = {
    "submit": lambda batch, request: plans.submit_plan(batch, actor=request.user),
    "results": lambda batch, request: results.enter_results(
        batch, body(request), actor=request.user
    ),
    "attendance": lambda batch, request: implementation.record_attendance(
        batch, body(request), actor=request.user
    ),
    "publicize": lambda batch, request: results.publicize_results(batch, actor=request.user),
    "issue": lambda batch, request: issue_batch(batch, actor=request.user),
    "file-results": lambda batch, request: results.file_results(batch, actor=request.user),
    # The appraisal center's receipt and return of the plan and result filings; the
    # organization's withdrawal of its plan (domain.md §9).
    "receive": lambda batch, request: receipt.receive_plan(batch, actor=request.user),
    "return": lambda batch, request: receipt.return_plan(
        batch, reason=Body(ReasonRequest, request.data).get("reason"), actor=request.user
    ),
    "receive-results": lambda batch, request: receipt.receive_results(batch, actor=request.user),
    "return-results": lambda batch, request: receipt.return_results(
        batch, reason=Body(ReasonRequest, request.data).get("reason"), actor=request.user
    ),
    "withdraw": lambda batch, request: receipt.withdraw_plan(batch, actor=request.user),
}
ACTION_BODIES = {
    "results": ResultsRequest,
    "attendance": AttendanceRequest,
    "return": ReasonRequest,
    "return-results": ReasonRequest,
}


def batch_action_view(action: str) -> type[APIView]:
    """``POST /api/v1/batches/{id}/<action>``: one workflow step; returns the batch."""

    def take(batch: Batch, request: Request) -> None:
        BATCH_ACTIONS[action](batch, request)  # the answer reads the batch afresh

    return step_view(
        "batch",
        action,
        find=get_batch_for_user,
        take=take,
        answer=batch_response,
        response=BatchSerializer,
        shape=ACTION_BODIES.get(action),
    )


class BatchInspectionsView(APIView):
    @extend_schema(
        request=request_body(InspectionRequest),
        responses={201: BatchSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        batch = get_batch_for_user(request.user, pk)
        implementation.record_inspection(batch, request.data, actor=request.user)
        return batch_response(batch, request, status.HTTP_201_CREATED)


class BatchObjectionsView(LodgeObjectionView):
    """Anyone may object to published results while the publicity runs."""

    def subject(self, pk: int) -> Batch:
        batch = Batch.objects.filter(pk=pk).first()  # the service checks the publicity runs
        if batch is None:
            raise NotFound("该批次不在结果公示期", code="not_found")
        return batch

    @lodge_schema(BatchObjectionRequest)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)
