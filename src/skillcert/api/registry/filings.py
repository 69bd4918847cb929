"""v1 endpoints of filing cases: create, read, edit drafts, materials, actions, objections."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.api.inputs import multipart, request_body
from skillcert.api.pagination import Pagination, paginated
from skillcert.api.registry.objections import LodgeObjectionView, lodge_schema
from skillcert.api.registry.serializers import (
    FilingListSerializer,
    FilingSerializer,
)
from skillcert.api.workflow import step_view
from skillcert.documents import files
from skillcert.registry.access import (
    get_filing_for_user,
    get_material_for_user,
    organization_of,
)
from skillcert.registry.inputs import (
    CorrectionRequest,
    EvaluationRequest,
    FilingRequest,
    MaterialUpload,
    ObjectionRequest,
)
from skillcert.registry.models import FilingCase
from skillcert.registry.selectors import worklist
from skillcert.registry.services import filings as service
from skillcert.registry.services.materials import add_material, served_name
from skillcert.registry.workflow import FilingState
from skillcert.rules.errors import Forbidden, NotFound
from skillcert.rules.inputs import Body, EmptyRequest, ReasonRequest


def filing_response(case: FilingCase, request: Request, code: int = 200) -> Response:
    fresh = FilingCase.objects.select_related("organization", "authority").get(pk=case.pk)
    return Response(FilingSerializer(fresh, context={"request": request}).data, status=code)


class FilingListView(APIView):
    pagination_class = Pagination

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str),
            OpenApiParameter("kind", str),
            OpenApiParameter("q", str, description="办件编号或申请单位名称（部分）"),
            OpenApiParameter("case_number", str, description="办件编号（完整）"),
        ],
        responses={200: FilingListSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        cases = worklist(request.user, request.query_params)
        return paginated(request, cases, lambda page: FilingListSerializer(page, many=True).data)

    @extend_schema(request=request_body(FilingRequest), responses={201: FilingSerializer})
    def post(self, request: Request) -> Response:
        organization = organization_of(request.user)
        if organization is None:
            raise Forbidden("只有评价组织用户可以提交备案申请", code="forbidden")
        case = service.create_filing(organization, request.data, actor=request.user)
        return filing_response(case, request, status.HTTP_201_CREATED)


class FilingDetailView(APIView):
    @extend_schema(responses={200: FilingSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return filing_response(get_filing_for_user(request.user, pk), request)

    @extend_schema(request=request_body(FilingRequest), responses={200: FilingSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        case = get_filing_for_user(request.user, pk)
        return filing_response(
            service.update_filing(case, request.data, actor=request.user), request
        )


class FilingMaterialsView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request=multipart(MaterialUpload),
        responses={201: FilingSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        case = get_filing_for_user(request.user, pk)
        body, files = Body(MaterialUpload, request.data), Body(MaterialUpload, request.FILES)
        add_material(
            case,
            material_type=str(body.get("type", "")),  # a multipart field: always text
            upload=files.get("file"),
            actor=request.user,
        )
        return filing_response(case, request, status.HTTP_201_CREATED)


class MaterialDownloadView(APIView):
    # Materials are uploaded as PDF, JPEG or PNG and served with the type they were stored as.
    @extend_schema(
        responses={
            (200, "application/pdf"): bytes,
            (200, "image/jpeg"): bytes,
            (200, "image/png"): bytes,
        }
    )
    def get(self, request: Request, pk: int, material_pk: int) -> FileResponse:
        material = get_material_for_user(request.user, pk, material_pk)
        stream = files.open_stored(material.stored_name)
        if stream is None:
            raise NotFound("材料文件缺失，请联系系统管理员", code="file_missing")
        response = FileResponse(
            stream,
            as_attachment=True,
            filename=served_name(f"材料-{material.type}", material.pk, material.content_type),
            content_type=material.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


ACTIONS = {
    "submit": lambda case, data, user: service.submit_filing(case, actor=user),
    "accept": lambda case, data, user: service.accept_filing(case, actor=user),
    "not-accept": lambda case, data, user: service.not_accept_filing(
        case, reason=data.get("reason"), actor=user
    ),
    "select": lambda case, data, user: service.select_filing(case, actor=user),
    "not-select": lambda case, data, user: service.not_select_filing(
        case, reason=data.get("reason"), actor=user
    ),
    "publicize": lambda case, data, user: service.publicize_filing(case, actor=user),
    "file": lambda case, data, user: service.file_filing(case, actor=user),
    "request-correction": lambda case, data, user: service.request_correction(
        case, data, actor=user
    ),
    "withdraw": lambda case, data, user: service.withdraw_filing(case, actor=user),
}
SHAPES: dict[str, type] = {
    "not-accept": ReasonRequest,
    "not-select": ReasonRequest,
    "request-correction": CorrectionRequest,
}


def action_view(action: str) -> type[APIView]:
    """``POST /api/v1/filings/{id}/<action>``: one workflow step; returns the filing."""
    shape = SHAPES.get(action)
    return step_view(
        "filing",
        action,
        find=get_filing_for_user,
        take=lambda case, request: ACTIONS[action](
            case, Body(shape or EmptyRequest, request.data), request.user
        ),
        answer=filing_response,
        response=FilingSerializer,
        shape=shape,
    )


class FilingEvaluationsView(APIView):
    @extend_schema(
        request=request_body(EvaluationRequest),
        responses={201: FilingSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        case = get_filing_for_user(request.user, pk)
        service.record_evaluation(case, request.data, actor=request.user)
        return filing_response(case, request, status.HTTP_201_CREATED)


class FilingObjectionsView(LodgeObjectionView):
    """Anyone may object to a case in publicity, while it runs."""

    def subject(self, pk: int) -> FilingCase:
        case = FilingCase.objects.filter(pk=pk, state=FilingState.IN_PUBLICITY).first()
        if case is None:
            raise NotFound("该申请不在公示期", code="not_found")
        return case

    @lodge_schema(ObjectionRequest)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class FilingReceiptView(APIView):
    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request: Request, pk: int) -> HttpResponse:
        from skillcert.registry.receipt import render_receipt

        case = get_filing_for_user(request.user, pk)
        pdf = render_receipt(case)
        response = HttpResponse(pdf, content_type="application/pdf")
        filename = f"receipt-{case.filing_number or case.pk}.pdf"
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response
