"""v1 endpoints of certificates: records and PDFs for the issuer and officers, revocation,
reissue, correction, photos and seals; public verification, credentials and the JWKS."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import permissions, serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.api.inputs import multipart, request_body
from skillcert.api.pagination import Pagination, paginated
from skillcert.api.throttling import WindowRateThrottle
from skillcert.api.workflow import WorkflowFields
from skillcert.audit.service import record_export
from skillcert.certificates.access import certificates_for, get_certificate_for_user
from skillcert.certificates.counts import CountedPaginator
from skillcert.certificates.inputs import CertificateCorrection, CertificateReason, PhotoUpload
from skillcert.certificates.keys import public_jwks
from skillcert.certificates.models import Certificate, CertificateStatus
from skillcert.certificates.services import lifecycle
from skillcert.certificates.verification import find_public, public_view
from skillcert.rules.idtypes import ID_TYPES
from skillcert.rules.inputs import Body
from skillcert.rules.levels import level_name


class CertificateSerializer(WorkflowFields, serializers.ModelSerializer):
    id_type_name = serializers.SerializerMethodField()
    level_name = serializers.SerializerMethodField()
    superseded_by: serializers.SlugRelatedField[Certificate] = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True
    )
    supersedes = serializers.SerializerMethodField()
    has_photo = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "number",
            "status",
            "name",
            "id_type",
            "id_type_name",
            "id_number",
            "work_unit",
            "city",
            "occupation_code",
            "occupation_name",
            "work_type",
            "level",
            "level_name",
            "issued_on",
            "organization",
            "organization_name",
            "filing_number",
            "batch",
            "revoked_on",
            "revocation_reason",
            "superseded_by",
            "supersedes",
            "reissue_count",
            "last_reissued_on",
            "has_photo",
            "notes",
            "events",
            "pdf",
            "actions",
            "next",
        ]

    def get_id_type_name(self, certificate: Certificate) -> str:
        kind = ID_TYPES.get(certificate.id_type)
        return kind.name if kind else ""

    def get_level_name(self, certificate: Certificate) -> str:
        return level_name(certificate.level)

    def get_supersedes(self, certificate: Certificate) -> list[str]:
        return list(certificate.supersedes.values_list("number", flat=True))

    def get_has_photo(self, certificate: Certificate) -> bool:
        from skillcert.certificates.pdf import has_photo

        return has_photo(certificate)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_notes(self, certificate: Certificate) -> list[str]:
        """What the printed certificate lacks or why it cannot be printed (no photo, seal)."""
        from skillcert.certificates.pdf import document_notes

        return document_notes(certificate)

    def get_events(self, certificate: Certificate) -> list[dict[str, Any]]:
        return [
            {
                "kind": e.kind,
                "on": e.on,
                "reason": e.reason,
                "actor": e.actor,
                "related": e.related.number if e.related is not None else None,
            }
            for e in certificate.events.select_related("related")
        ]

    def get_pdf(self, certificate: Certificate) -> str:
        return f"/api/v1/certificates/{certificate.number}.pdf"


class CertificateListSerializer(WorkflowFields, serializers.ModelSerializer):
    class Meta:
        model = Certificate
        fields = [
            "number",
            "status",
            "name",
            "occupation_name",
            "work_type",
            "level",
            "issued_on",
            "organization",
            "organization_name",
            "batch",
            "actions",
            "next",
        ]


def certificate_response(certificate: Certificate, request: Request, code: int = 200) -> Response:
    fresh = Certificate.objects.select_related("superseded_by", "organization").get(
        pk=certificate.pk
    )
    return Response(CertificateSerializer(fresh, context={"request": request}).data, status=code)


def body(request: Request) -> dict[str, Any]:
    return request.data if isinstance(request.data, dict) else {}


class CertificatePagination(Pagination):
    """The contract's list; its exact ``count`` from ``certificates.counts`` (counted once per
    scope and status, then cached until a certificate changes)."""

    django_paginator_class = CountedPaginator


class CertificateListView(APIView):
    pagination_class = CertificatePagination

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="证书编号、姓名或证件号码"),
            OpenApiParameter("batch", int),
            OpenApiParameter("status", str, enum=["valid", "revoked", "superseded"]),
        ],
        responses={200: CertificateListSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        certificates = (
            certificates_for(request.user)
            .select_related("organization")
            .order_by("-issued_on", "number")
        )
        params = request.query_params
        text = (params.get("q") or "").strip()
        if text:
            certificates = certificates.filter(
                Q(number=text.upper()) | Q(name=text) | Q(id_number=text.upper())
            )
        batch = (params.get("batch") or "").isdigit()
        if batch:
            certificates = certificates.filter(batch_id=int(params["batch"]))
        status_filter = params.get("status")
        if status_filter:
            certificates = certificates.filter(status=status_filter)
        # Cached: the scope, or one of its statuses. A search or a batch is counted from the
        # indexes each time (cached, its keys would be as many as the searches).
        cached = not text and not batch and status_filter in {None, "", *CertificateStatus.values}
        return paginated(
            request,
            certificates,
            lambda page: (
                CertificateListSerializer(page, many=True, context={"request": request}).data
            ),
            CertificatePagination if cached else Pagination,
        )


class CertificateDetailView(APIView):
    @extend_schema(responses={200: CertificateSerializer})
    def get(self, request: Request, number: str) -> Response:
        return certificate_response(get_certificate_for_user(request.user, number), request)


class CertificatePdfView(APIView):
    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request: Request, number: str) -> HttpResponse:
        from skillcert.certificates.pdf import render_certificate

        certificate = get_certificate_for_user(request.user, number)
        content = render_certificate(certificate)
        record_export(request.user, certificate, what="证书 PDF", count=1)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{certificate.number}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response


REASON = request_body(CertificateReason)


class RevokeView(APIView):
    @extend_schema(request=REASON, responses={200: CertificateSerializer})
    def post(self, request: Request, number: str) -> Response:
        certificate = get_certificate_for_user(request.user, number)
        reason = Body(CertificateReason, request.data).get("reason")
        lifecycle.revoke_certificate(certificate, reason=reason, actor=request.user)
        return certificate_response(certificate, request)


class ReissueView(APIView):
    @extend_schema(request=REASON, responses={200: CertificateSerializer})
    def post(self, request: Request, number: str) -> Response:
        certificate = get_certificate_for_user(request.user, number)
        reason = Body(CertificateReason, request.data).get("reason")
        lifecycle.reissue_certificate(certificate, reason=reason, actor=request.user)
        return certificate_response(certificate, request)


class CorrectView(APIView):
    @extend_schema(
        request=request_body(CertificateCorrection),
        responses={201: CertificateSerializer},
    )
    def post(self, request: Request, number: str) -> Response:
        certificate = get_certificate_for_user(request.user, number)
        replacement = lifecycle.correct_certificate(certificate, body(request), actor=request.user)
        return certificate_response(replacement, request, status.HTTP_201_CREATED)


PUBLIC_CERTIFICATE = inline_serializer(
    "PublicCertificate",
    {
        "number": serializers.CharField(),
        "name": serializers.CharField(),
        "id_type": serializers.CharField(),
        "id_masked": serializers.CharField(),
        "occupation": serializers.CharField(),
        "work_type": serializers.CharField(),
        "level": serializers.CharField(),
        "organization": serializers.CharField(),
        "issued_on": serializers.DateField(),
        "status": serializers.ChoiceField(["valid", "revoked", "superseded"]),
        "issuer": serializers.CharField(),
        "issuer_status_on_issue_date": serializers.CharField(),
        "plan_filed_on": serializers.DateField(allow_null=True),
        "results_filed_on": serializers.DateField(allow_null=True),
        "superseded_by": serializers.CharField(allow_null=True),
    },
)


COMPACT_UTF8 = {"ensure_ascii": False, "separators": (",", ":")}


class JsonOnly(BaseContentNegotiation):
    """The public answer is always JSON: no negotiation to pay for on the busiest endpoint."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0]

    def select_renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        return (renderers[0], renderers[0].media_type)


class PublicVerifyView(APIView):
    """Anyone verifies a certificate by its number and the holder's name (rate-limited)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    content_negotiation_class = JsonOnly
    throttle_classes = [WindowRateThrottle]
    throttle_scope = "verify"

    @extend_schema(
        parameters=[OpenApiParameter("name", str, required=True, description="持证人姓名")],
        responses={200: PUBLIC_CERTIFICATE},
        auth=[],
    )
    def get(self, request: Request, number: str) -> JsonResponse:
        certificate = find_public(number, request.query_params.get("name", ""))
        # Always JSON (JsonOnly): the answer is encoded here as DRF's JSONRenderer would
        # (UTF-8, compact), without its renderer machinery on the busiest public path.
        return JsonResponse(public_view(certificate), json_dumps_params=COMPACT_UTF8)


class PublicCredentialView(APIView):
    """The electronic certificate: a compact JWS (EdDSA, Ed25519) with ``kid`` and an SM2
    signature in its header, signed once per status change or key rotation (stored), not per
    request."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [WindowRateThrottle]
    throttle_scope = "verify"

    @extend_schema(
        parameters=[OpenApiParameter("name", str, required=True)],
        responses={(200, "application/jose"): str},
        auth=[],
    )
    def get(self, request: Request, number: str) -> HttpResponse:
        from skillcert.certificates.credentials import credential_for

        certificate = find_public(number, request.query_params.get("name", ""))
        credential = credential_for(certificate)
        response = HttpResponse(credential, content_type="application/jose")
        response["Content-Disposition"] = f'attachment; filename="{certificate.number}.jws"'
        return response


def jwks_view(request: HttpRequest) -> JsonResponse:
    """``/.well-known/jwks.json``: every public key, current and retired."""
    response = JsonResponse(public_jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response


class CandidatePhotoView(APIView):
    """The candidate's 2-inch photo: JPEG or PNG, checked and cropped to the ratio."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request=multipart(PhotoUpload),
        responses={
            201: inline_serializer(
                "PhotoStored",
                {
                    "id_number": serializers.CharField(),
                    "width": serializers.IntegerField(),
                    "height": serializers.IntegerField(),
                },
            )
        },
    )
    def post(self, request: Request, pk: int, id_number: str) -> Response:
        from skillcert.assessment.access import get_batch_for_user
        from skillcert.certificates.services.photos import upload_photo
        from skillcert.rules.errors import NotFound

        batch = get_batch_for_user(request.user, pk)
        candidate = batch.candidates.filter(id_number=id_number.strip().upper()).first()
        if candidate is None:
            raise NotFound("本批次没有该证件号码的考生", code="not_found")
        upload = Body(PhotoUpload, request.FILES).get("file")
        photo = upload_photo(candidate, upload, actor=request.user)
        return Response(
            {"id_number": candidate.id_number, "width": photo.width, "height": photo.height},
            status=status.HTTP_201_CREATED,
        )


class BatchPrintView(APIView):
    """All valid certificates of a batch in one PDF, in number order."""

    @extend_schema(
        parameters=[OpenApiParameter("processes", int)],
        responses={(200, "application/pdf"): bytes},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        from skillcert.assessment.access import get_batch_for_user, may_download_annexes
        from skillcert.certificates.pdf import render_batch
        from skillcert.rules.errors import Forbidden

        batch = get_batch_for_user(request.user, pk)
        if not may_download_annexes(request.user, batch):
            raise Forbidden("只有评价组织、所在市鉴定中心和省级可以打印证书", code="forbidden")
        asked = request.query_params.get("processes", "1")
        processes = min(max(int(asked), 1), 4) if asked.isdigit() else 1
        content = render_batch(batch, processes=processes)
        record_export(request.user, batch, what="批次证书打印 PDF")
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="batch-{batch.pk}-certificates.pdf"'
        return response
