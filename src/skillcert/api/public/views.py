"""Public v1 endpoints: the catalog of filed organizations, notices, occupation lookup, the
audit record's signed checkpoints and their keys."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.api.pagination import Pagination, paginated
from skillcert.api.registry.serializers import NoticeSerializer, PublicOrganizationSerializer
from skillcert.api.throttling import WindowRateThrottle
from skillcert.audit import checkpoints as audit_checkpoints
from skillcert.certificates.national.filings import confirmed_ids
from skillcert.reference.selectors import search_occupations
from skillcert.registry.models import Organization
from skillcert.registry.selectors import all_city_codes, public_catalog, public_notices
from skillcert.rules import clock


class PublicView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [WindowRateThrottle]
    throttle_scope = "public"


class CatalogView(PublicView):
    pagination_class = Pagination

    @extend_schema(
        parameters=[
            OpenApiParameter("scope", str, enum=["province", "city"]),
            OpenApiParameter("city", str),
            OpenApiParameter("occupation", str),
            OpenApiParameter("level", int),
            OpenApiParameter("q", str),
        ],
        responses={200: PublicOrganizationSerializer(many=True)},
        auth=[],
    )
    def get(self, request: Request) -> Response:
        context: dict[str, Any] = {"city_codes": all_city_codes()}

        def page_data(page: list[Organization]) -> Any:
            # 部鉴定中心评估确认 of the page's organizations, asked at once.
            confirmed = confirmed_ids([organization.pk for organization in page])
            serializer = PublicOrganizationSerializer(
                page, many=True, context={**context, "confirmed": confirmed}
            )
            return serializer.data

        return paginated(request, public_catalog(request.query_params), page_data)


class NoticesView(PublicView):
    pagination_class = Pagination

    @extend_schema(
        parameters=[OpenApiParameter("current", bool), OpenApiParameter("kind", str)],
        responses={200: NoticeSerializer(many=True)},
        auth=[],
    )
    def get(self, request: Request) -> Response:
        context = {"today": clock.today()}
        return paginated(
            request,
            public_notices(request.query_params),
            lambda page: NoticeSerializer(page, many=True, context=context).data,
        )


class OccupationSearchView(PublicView):
    """Autocomplete for the application form: a code prefix, any part of the name, or the
    name's pinyin initials. A new occupation (新职业) carries its code when the 2022 edition
    has one (else null) and the document that published it."""

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True)],
        responses={
            200: inline_serializer(
                "OccupationHit",
                {
                    "code": serializers.CharField(allow_null=True),
                    "name": serializers.CharField(),
                    "edition": serializers.CharField(),
                    "new_occupation": serializers.BooleanField(),
                    "document_no": serializers.CharField(),
                    "access_type": serializers.BooleanField(),
                },
                many=True,
            )
        },
        auth=[],
    )
    def get(self, request: Request) -> Response:
        hits = search_occupations(request.query_params.get("q", ""), limit=20)
        return Response(
            [
                {
                    "code": o.code,
                    "name": o.name,
                    "edition": o.edition,
                    "new_occupation": o.new_occupation,
                    "document_no": o.new_document_no,
                    "access_type": o.access_type,
                }
                for o in hits
            ]
        )


class AuditCheckpointsView(PublicView):
    """The audit record's signed checkpoints, one element per signature (Ed25519 and SM2):
    keep a copy, and ``skillcert audit verify --checkpoints FILE`` shows later whether the
    record up to each was rewritten or cut short."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "AuditCheckpoint",
                {
                    "seq": serializers.IntegerField(),
                    "at": serializers.CharField(),
                    "head": serializers.CharField(),
                    "alg": serializers.ChoiceField(choices=["EdDSA", "SM2SM3"]),
                    "kid": serializers.CharField(),
                    "signature": serializers.CharField(),
                },
                many=True,
            )
        },
        auth=[],
    )
    def get(self, request: Request) -> Response:
        return Response(audit_checkpoints.published())


class AuditCheckpointKeysView(PublicView):
    """The public keys of the checkpoint signatures (JWK: Ed25519 as OKP, SM2 as EC with
    ``crv`` "SM2"), retired ones included."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "AuditCheckpointKeys",
                {"keys": serializers.ListField(child=serializers.DictField())},
            )
        },
        auth=[],
    )
    def get(self, request: Request) -> Response:
        return Response({"keys": audit_checkpoints.public_jwks()})
