"""Segment requests (号段申请): organizations ask, the provincial center grants or refuses."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.api.inputs import request_body
from skillcert.api.pagination import Pagination, paginated
from skillcert.api.workflow import HistorySerializer, WorkflowFields, history_of
from skillcert.certificates.access import get_segment_request_for_user, segment_requests_for
from skillcert.certificates.inputs import (
    SegmentRequestCreate,
    SegmentRequestGrant,
    SegmentRequestRefuse,
)
from skillcert.certificates.models import SegmentRequest
from skillcert.certificates.services import segment_requests as service
from skillcert.registry.access import organization_of
from skillcert.rules.errors import Forbidden
from skillcert.rules.inputs import Body


class SegmentRequestSerializer(WorkflowFields, serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    first = serializers.SerializerMethodField()
    last = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    class Meta:
        model = SegmentRequest
        fields = [
            "id",
            "case_number",
            "organization",
            "organization_name",
            "year",
            "level",
            "count",
            "reason",
            "state",
            "requested_on",
            "decided_on",
            "decision_reason",
            "first",
            "last",
            "actions",
            "next",
            "history",
        ]

    def get_first(self, request: SegmentRequest) -> int | None:
        return request.segment.first if request.segment else None

    def get_last(self, request: SegmentRequest) -> int | None:
        return request.segment.last if request.segment else None

    @extend_schema_field(HistorySerializer(many=True))
    def get_history(self, request: SegmentRequest) -> list[dict[str, Any]]:
        return history_of(request)


class SegmentRequestListView(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: SegmentRequestSerializer(many=True)})
    def get(self, request: Request) -> Response:
        items = segment_requests_for(request.user)
        state = request.query_params.get("state")
        if state:
            items = items.filter(state=state)
        return paginated(
            request,
            items,
            lambda page: (
                SegmentRequestSerializer(page, many=True, context={"request": request}).data
            ),
        )

    @extend_schema(
        request=request_body(SegmentRequestCreate),
        responses={201: SegmentRequestSerializer},
    )
    def post(self, request: Request) -> Response:
        organization = organization_of(request.user)
        if organization is None:
            raise Forbidden("号段由评价组织自行申请", code="forbidden")
        created = service.request_segments(organization, request.data, actor=request.user)
        data = SegmentRequestSerializer(created, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


class SegmentRequestDetailView(APIView):
    @extend_schema(responses={200: SegmentRequestSerializer})
    def get(self, request: Request, pk: int) -> Response:
        item = get_segment_request_for_user(request.user, pk)
        return Response(SegmentRequestSerializer(item, context={"request": request}).data)


class SegmentRequestGrantView(APIView):
    @extend_schema(
        request=request_body(SegmentRequestGrant),
        responses={200: SegmentRequestSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        item = get_segment_request_for_user(request.user, pk)
        item = service.grant_segment_request(item, request.data, actor=request.user)
        return Response(SegmentRequestSerializer(item, context={"request": request}).data)


class SegmentRequestRefuseView(APIView):
    @extend_schema(
        request=request_body(SegmentRequestRefuse),
        responses={200: SegmentRequestSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        item = get_segment_request_for_user(request.user, pk)
        reason = Body(SegmentRequestRefuse, request.data).get("reason")
        item = service.refuse_segment_request(item, reason=reason, actor=request.user)
        return Response(SegmentRequestSerializer(item, context={"request": request}).data)
