"""v1 endpoints of supervision: draws (双随机), inspections and their publication (一公开),
conflicts of interest, annual reports, violations and exit, statistics."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.api.downloads import XLSX, xlsx_response
from skillcert.api.inputs import request_body
from skillcert.api.pagination import PAGE_PARAMETERS, Pagination, paginated, paginated_schema
from skillcert.api.supervision.serializers import (
    AnnualReportSerializer,
    InspectionSerializer,
    PublicInspectionSerializer,
    ViolationSerializer,
    _violation,
    draw_answer,
    inspection_answer,
    inspection_page,
)
from skillcert.api.throttling import WindowRateThrottle
from skillcert.audit.service import record_export
from skillcert.registry.access import get_organization_for_user
from skillcert.rules import clock
from skillcert.rules.errors import Forbidden, InvalidInput, NotFound
from skillcert.rules.inputs import Body
from skillcert.rules.years import parse_date, parse_year
from skillcert.supervision import exports, selectors
from skillcert.supervision.access import (
    get_inspection_for_user,
    inspections_for,
    officer_authority,
)
from skillcert.supervision.inputs import (
    AnnualReportRequest,
    ConflictRequest,
    DrawRequest,
    FindingRequest,
    InspectionConclusion,
    RectificationReport,
    RectificationReview,
    ViolationRequest,
)
from skillcert.supervision.models import (
    Inspection,
    InspectionDraw,
    InspectionState,
)
from skillcert.supervision.services import draws, inspections, reports

DRAW_REQUEST = request_body(DrawRequest)


# A draw is a free-form record (seed, pools, digests, result): a page of objects.
_OBJECT = build_basic_type(OpenApiTypes.OBJECT)
assert _OBJECT is not None, "build_basic_type answers None only for OpenApiTypes.NONE"
DRAW_PAGE = paginated_schema(_OBJECT)


class DrawsView(APIView):
    @extend_schema(parameters=PAGE_PARAMETERS, responses={200: DRAW_PAGE})
    def get(self, request: Request) -> Response:
        authority = officer_authority(request.user)
        records = InspectionDraw.objects.select_related("authority")
        if not authority.is_province:
            records = records.filter(authority=authority)
        return paginated(request, records, lambda page: [draw_answer(r) for r in page])

    @extend_schema(request=DRAW_REQUEST, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        record = draws.make_draw(request.data, actor=request.user)
        return Response(draw_answer(record), status=status.HTTP_201_CREATED)


class PublicView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [WindowRateThrottle]
    throttle_scope = "public"


class PublicDrawsView(PublicView):
    """Every draw with what anyone needs to recompute it (seed, pools, digests, result)."""

    @extend_schema(
        operation_id="public_inspection_draws_list",
        parameters=PAGE_PARAMETERS,
        responses={200: DRAW_PAGE},
        auth=[],
    )
    def get(self, request: Request) -> Response:
        records = InspectionDraw.objects.select_related("authority")
        return paginated(request, records, lambda page: [draws.public_record(r) for r in page])


class PublicDrawView(PublicView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT}, auth=[])
    def get(self, request: Request, pk: int) -> Response:
        record = InspectionDraw.objects.select_related("authority").filter(pk=pk).first()
        if record is None:
            raise NotFound("未找到该抽取记录", code="not_found")
        return Response(draws.public_record(record))


class InspectionsView(APIView):
    pagination_class = Pagination

    @extend_schema(
        operation_id="inspections_list",
        parameters=[OpenApiParameter("state", str)],
        responses={200: InspectionSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        records = (
            inspections_for(request.user)
            .select_related("organization", "authority", "rectification", "draw__drawn_by")
            .prefetch_related("findings", "inspectors")
            .distinct()
        )
        if request.query_params.get("state"):
            records = records.filter(state=request.query_params["state"])
        return paginated(request, records, lambda page: inspection_page(request, page))


class InspectionDetailView(APIView):
    @extend_schema(responses={200: InspectionSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(inspection_answer(get_inspection_for_user(request.user, pk), request))


class FindingsView(APIView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        request=request_body(FindingRequest),
        responses={201: InspectionSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        inspection = get_inspection_for_user(request.user, pk)
        inspections.record_finding(
            inspection,
            request.data,
            attachment=Body(FindingRequest, request.FILES).get("attachment"),
            actor=request.user,
        )
        return Response(
            inspection_answer(get_inspection_for_user(request.user, pk), request),
            status=status.HTTP_201_CREATED,
        )


def inspection_action(action: str) -> type[APIView]:
    def post(self: APIView, request: Request, pk: int) -> Response:
        inspection = get_inspection_for_user(request.user, pk)
        if action == "conclude":
            inspections.conclude(inspection, request.data, actor=request.user)
        elif action == "publish":
            inspections.publish(inspection, actor=request.user)
        elif action == "rectification":
            response = Body(RectificationReport, request.data).get("response")
            inspections.respond_rectification(inspection, response, actor=request.user)
        else:
            accepted = Body(RectificationReview, request.data).get("accepted")
            inspections.review_rectification(inspection, accepted, actor=request.user)
        return Response(inspection_answer(get_inspection_for_user(request.user, pk), request))

    shape = INSPECTION_ACTION_SHAPES[action]
    decorated = extend_schema(
        operation_id=f"inspection_{action.replace('-', '_')}",
        request=request_body(shape) if shape else None,
        responses={200: InspectionSerializer},
    )(post)
    name = "Inspection" + "".join(p.title() for p in action.split("-")) + "View"
    return type(name, (APIView,), {"post": decorated})


INSPECTION_ACTIONS = ("conclude", "publish", "rectification", "rectification-review")
# What each action reads from the body (``publish`` takes none).
INSPECTION_ACTION_SHAPES: dict[str, type | None] = {
    "conclude": InspectionConclusion,
    "publish": None,
    "rectification": RectificationReport,
    "rectification-review": RectificationReview,
}


class PublicInspectionResultsView(PublicView):
    """一公开: results the officers approved for publication."""

    pagination_class = Pagination

    @extend_schema(responses={200: PublicInspectionSerializer(many=True)}, auth=[])
    def get(self, request: Request) -> Response:
        records = (
            Inspection.objects.filter(state=InspectionState.PUBLISHED)
            .select_related("organization", "rectification")
            .prefetch_related("findings")
            .order_by("-published_on", "-pk")
        )
        return paginated(
            request, records, lambda page: PublicInspectionSerializer(page, many=True).data
        )


class ConflictsView(APIView):
    @extend_schema(
        request=request_body(ConflictRequest),
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        from skillcert.registry.models import Organization

        if getattr(request.user, "role", None) != "inspector":
            raise Forbidden("只有督查员可以申报回避", code="forbidden")  # before any lookup
        data = Body(ConflictRequest, request.data)
        organization_id = data.get("organization")
        organization = (
            Organization.objects.filter(pk=organization_id).first()
            if isinstance(organization_id, int)
            else None
        )
        if organization is None:
            raise InvalidInput.for_field("organization", "未找到该评价组织")
        conflict = draws.declare_conflict(organization, data.get("reason"), actor=request.user)
        return Response(
            {"id": conflict.pk, "organization": organization.pk, "reason": conflict.reason},
            status=status.HTTP_201_CREATED,
        )


class AnnualReportsView(APIView):
    @extend_schema(responses={200: AnnualReportSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        organization = get_organization_for_user(request.user, pk)
        return Response(
            AnnualReportSerializer(
                organization.annual_reports.select_related("organization"),
                many=True,
                context={"request": request},
            ).data
        )

    @extend_schema(
        request=request_body(AnnualReportRequest),
        responses={201: AnnualReportSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        organization = get_organization_for_user(request.user, pk)
        report = reports.file_annual_report(organization, request.data, actor=request.user)
        return Response(
            AnnualReportSerializer(report, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class MissingReportsView(APIView):
    @extend_schema(parameters=[OpenApiParameter("year", int)], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        authority = officer_authority(request.user)
        year = parse_year(request.query_params.get("year"), default=clock.today().year - 1)
        missing = reports.missing_reports(selectors.scoped(authority)["organizations"], year)
        return Response(
            {
                "year": year,
                "due_on": reports.report_due(year),
                "missing": [
                    {"id": o.pk, "name": o.name, "filing_number": o.filing_number} for o in missing
                ],
            }
        )


class ViolationsView(APIView):
    @extend_schema(
        request=request_body(ViolationRequest),
        responses={201: ViolationSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        organization = get_organization_for_user(request.user, pk)
        violation = reports.record_violation(organization, request.data, actor=request.user)
        return Response(_violation(violation), status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: ViolationSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        organization = get_organization_for_user(request.user, pk)
        return Response([_violation(v) for v in organization.violations.all()])


def _period(request: Request) -> tuple[dt.date, dt.date]:
    today = clock.today()
    defaults = {"from": dt.date(today.year, 1, 1), "to": today}
    days = {
        key: parse_date(request.query_params.get(key), field=key, default=default)
        for key, default in defaults.items()
    }
    start, end = days["from"], days["to"]
    if start > end:
        raise InvalidInput.for_field("to", "结束日期不能早于开始日期")
    return start, end


PERIOD = [OpenApiParameter("from", str), OpenApiParameter("to", str)]


class StatisticsView(APIView):
    @extend_schema(parameters=PERIOD, responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        authority = officer_authority(request.user)
        start, end = _period(request)
        return Response(selectors.statistics(authority, start, end))


class StatisticsWorkbookView(APIView):
    @extend_schema(parameters=PERIOD, responses={(200, XLSX): bytes})
    def get(self, request: Request) -> HttpResponse:
        authority = officer_authority(request.user)
        start, end = _period(request)
        content = exports.statistics_workbook(selectors.statistics(authority, start, end))
        return xlsx_response(content, f"统计-{authority.name}-{start}-{end}.xlsx")


class TalentWorkbookView(APIView):
    @extend_schema(parameters=PERIOD, responses={(200, XLSX): bytes})
    def get(self, request: Request) -> HttpResponse:
        authority = officer_authority(request.user)
        start, end = _period(request)
        rows = selectors.talent_rows(authority, start, end)
        content = exports.talent_workbook(rows)
        record_export(
            request.user, authority, what=f"人才统计 {start} 至 {end}", count=rows.count()
        )
        return xlsx_response(content, f"人才统计-{authority.name}-{start}-{end}.xlsx")
