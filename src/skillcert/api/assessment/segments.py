"""v1 certificate segments (号段) the provincial center allocates."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.api.assessment.serializers import SegmentSerializer
from skillcert.api.inputs import request_body
from skillcert.api.pagination import Pagination, paginated
from skillcert.certificates.inputs import SegmentAllocation
from skillcert.certificates.models import Segment
from skillcert.certificates.services.segments import allocate_segment


class SegmentsView(APIView):
    pagination_class = Pagination

    @extend_schema(
        parameters=[OpenApiParameter("organization", int)],
        responses={200: SegmentSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        from skillcert.certificates.models import CertificateCounter
        from skillcert.registry.access import organizations_for

        segments = Segment.objects.filter(
            organization__in=organizations_for(request.user)
        ).order_by("organization", "year", "level", "first")
        organization = request.query_params.get("organization")
        if organization and organization.isdigit():
            segments = segments.filter(organization_id=int(organization))
        counters = {
            (c.organization_id, c.year, c.level): c.last_serial
            for c in CertificateCounter.objects.filter(
                organization__in=segments.values("organization")
            )
        }
        return paginated(
            request,
            segments,
            lambda page: SegmentSerializer(page, many=True, context={"counters": counters}).data,
        )

    @extend_schema(
        request=request_body(SegmentAllocation),
        responses={201: SegmentSerializer},
    )
    def post(self, request: Request) -> Response:
        segment = allocate_segment(request.data, actor=request.user)
        return Response(SegmentSerializer(segment).data, status=status.HTTP_201_CREATED)
