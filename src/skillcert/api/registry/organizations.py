"""v1 endpoints of organizations: read, pilot result, exit, recommendation, mergers, registry."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.accounts.models import Authority
from skillcert.api.inputs import multipart, request_body
from skillcert.api.pagination import Pagination, paginated
from skillcert.api.registry.filings import filing_response
from skillcert.api.registry.serializers import (
    FilingSerializer,
    OrganizationSerializer,
    RetiredNumberSerializer,
)
from skillcert.registry import inputs as shapes
from skillcert.registry.access import get_organization_for_user, organizations_for
from skillcert.registry.models import CityThresholds, Organization
from skillcert.registry.selectors import all_city_codes, retired_numbers, with_scope
from skillcert.registry.services import organizations as service
from skillcert.registry.services.filings import recommend_province_wide
from skillcert.rules.errors import NotFound
from skillcert.rules.inputs import Body


def organization_response(
    request: Request, organization: Organization, code: int = 200
) -> Response:
    fresh = with_scope(Organization.objects.filter(pk=organization.pk)).get()
    context = {"city_codes": all_city_codes(), "request": request}
    return Response(OrganizationSerializer(fresh, context=context).data, status=code)


class OrganizationListView(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: OrganizationSerializer(many=True)})
    def get(self, request: Request) -> Response:
        organizations: QuerySet[Organization] = with_scope(organizations_for(request.user))
        status_filter = request.query_params.get("status")
        if status_filter:
            organizations = organizations.filter(status=status_filter)
        context = {"city_codes": all_city_codes(), "request": request}
        return paginated(
            request,
            organizations.order_by("name", "pk"),
            lambda page: OrganizationSerializer(page, many=True, context=context).data,
        )


class OrganizationDetailView(APIView):
    @extend_schema(responses={200: OrganizationSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return organization_response(request, get_organization_for_user(request.user, pk))


class PilotResultView(APIView):
    @extend_schema(
        request=request_body(shapes.PilotResult),
        responses={200: OrganizationSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        organization = get_organization_for_user(request.user, pk)
        body = Body(shapes.PilotResult, request.data)
        service.record_pilot_result(organization, passed=body.get("passed"), actor=request.user)
        return organization_response(request, organization)


class RevokeView(APIView):
    @extend_schema(
        request=request_body(shapes.Revocation),
        responses={200: OrganizationSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        organization = get_organization_for_user(request.user, pk)
        body = Body(shapes.Revocation, request.data)
        service.revoke_organization(
            organization,
            reason=body.get("reason"),
            category=body.get("category"),
            actor=request.user,
        )
        return organization_response(request, organization)


class RecommendView(APIView):
    @extend_schema(request=None, responses={201: FilingSerializer})
    def post(self, request: Request, pk: int) -> Response:
        organization = get_organization_for_user(request.user, pk)
        case = recommend_province_wide(organization, actor=request.user)
        return filing_response(case, request, status.HTTP_201_CREATED)


class MergeView(APIView):
    @extend_schema(
        request=request_body(shapes.Merger),
        responses={201: OrganizationSerializer},
    )
    def post(self, request: Request) -> Response:
        body = Body(shapes.Merger, request.data)
        visible = organizations_for(request.user)
        given = body.get("members")
        members = given if isinstance(given, list) else []
        ids = [*members, body.get("into")]
        for pk in ids:
            if isinstance(pk, int) and not visible.filter(pk=pk).exists():
                raise NotFound("未找到该评价组织", code="not_found")
        target = service.merge_organizations(request.data, actor=request.user)
        return organization_response(request, target, status.HTTP_201_CREATED)


class RetiredNumbersView(APIView):
    pagination_class = Pagination

    @extend_schema(responses={200: RetiredNumberSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return paginated(
            request,
            retired_numbers(request.user),
            lambda page: RetiredNumberSerializer(page, many=True).data,
        )


THRESHOLDS = inline_serializer(
    "CityThresholds",
    {
        "years_continuous": serializers.IntegerField(allow_null=True),
        "persons_total": serializers.IntegerField(allow_null=True),
        "persons_per_occupation": serializers.IntegerField(allow_null=True),
    },
)


class CityThresholdsView(APIView):
    """The city-wide filing thresholds a city bureau sets (read: its city and the province)."""

    def _authority(self, request: Request, code: str) -> Authority:
        authority = Authority.objects.filter(code=code, kind="city").first()
        if authority is None:
            raise NotFound("未找到该地市", code="not_found")
        return authority  # thresholds are conditions applicants must meet: anyone logged in reads

    @extend_schema(responses={200: THRESHOLDS})
    def get(self, request: Request, code: str) -> Response:
        row = CityThresholds.objects.filter(authority=self._authority(request, code)).first()
        return Response(_thresholds(row))

    @extend_schema(request=request_body(shapes.CityThresholds), responses={200: THRESHOLDS})
    def put(self, request: Request, code: str) -> Response:
        authority = self._authority(request, code)
        return Response(
            _thresholds(service.set_city_thresholds(authority, request.data, actor=request.user))
        )


def _thresholds(row: CityThresholds | None) -> dict[str, int | None]:
    keys = ("years_continuous", "persons_total", "persons_per_occupation")
    return {key: getattr(row, key) if row else None for key in keys}


class SealSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organization = serializers.IntegerField(source="organization_id")
    state = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField()


class OrganizationSealsView(APIView):
    """The organization's seal images: it uploads, its filing authority confirms."""

    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(responses={200: SealSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        organization = get_organization_for_user(request.user, pk)
        return Response(SealSerializer(organization.seals.all(), many=True).data)

    @extend_schema(
        request=multipart(shapes.SealUpload),
        responses={201: SealSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        from skillcert.registry.services.seals import upload_seal

        organization = get_organization_for_user(request.user, pk)
        upload = Body(shapes.SealUpload, request.FILES).get("file")
        seal = upload_seal(organization, upload, actor=request.user)
        return Response(SealSerializer(seal).data, status=status.HTTP_201_CREATED)


class SealDecisionView(APIView):
    @extend_schema(
        request=request_body(shapes.SealDecision),
        responses={200: SealSerializer},
    )
    def post(self, request: Request, pk: int, seal_pk: int) -> Response:
        from skillcert.registry.services.seals import decide_seal

        organization = get_organization_for_user(request.user, pk)
        seal = organization.seals.filter(pk=seal_pk).first()
        if seal is None:
            raise NotFound("未找到该印章", code="not_found")
        body = Body(shapes.SealDecision, request.data)
        # The service reads ``confirmed`` only for its truth; a note that is not text is none.
        note = body.get("note", "")
        decided = decide_seal(
            seal,
            confirmed=bool(body.get("confirmed")),
            note=note if isinstance(note, str) else "",
            actor=request.user,
        )
        return Response(SealSerializer(decided).data)
