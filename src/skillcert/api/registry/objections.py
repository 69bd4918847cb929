"""Objections through the contract: lodged by anyone while a publicity runs, resolved by the
officers who handle it, followed by the objector with its reference and code (public,
rate-limited like the certificate check). One view for both subjects; each subject's endpoint
names how its subject is found and which request shape it publishes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.api.inputs import request_body
from skillcert.api.registry.serializers import ObjectionSerializer
from skillcert.api.throttling import WindowRateThrottle
from skillcert.assessment.access import get_objection_for_user
from skillcert.assessment.services.objections import (
    find_public,
    lodge_objection,
    public_view,
    resolve_objection,
)
from skillcert.registry.inputs import ObjectionResolution
from skillcert.rules.inputs import Body


class LodgeObjectionView(APIView):
    """``POST …/objections``: the subject's endpoint sets ``shape`` (the published request) and
    ``subject`` (the object in its publicity, or the 404 the contract answers)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type[BaseAuthentication]] = []
    throttle_classes = [WindowRateThrottle]
    throttle_scope = "public"

    def subject(self, pk: int) -> Any:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        objection = lodge_objection(self.subject(pk), request.data)
        shown = ObjectionSerializer(objection, context={"reviewer": False, "request": request})
        # The objector's reference (the case number) and code, the code shown this once.
        data = {
            **shown.data,
            "reference": objection.case_number,
            "code": getattr(objection, "code", ""),
        }
        response = Response(data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class LodgedObjectionSerializer(ObjectionSerializer):
    reference = serializers.CharField(help_text="办件编号: the objector's reference")
    code = serializers.CharField(help_text="查询码: shown once; with the reference, follows it")

    class Meta(ObjectionSerializer.Meta):
        fields = [*ObjectionSerializer.Meta.fields, "reference", "code"]


def lodge_schema(shape: type) -> Any:
    return extend_schema(
        request=request_body(shape), responses={201: LodgedObjectionSerializer}, auth=[]
    )


PUBLIC_OBJECTION = inline_serializer(
    "PublicObjection",
    {
        "reference": serializers.CharField(),
        "state": serializers.ChoiceField(choices=["open", "upheld", "dismissed"]),
        "state_label": serializers.CharField(),
        "lodged_at": serializers.DateTimeField(),
        "outcome": serializers.ChoiceField(choices=["upheld", "dismissed"], required=False),
        "outcome_label": serializers.CharField(required=False),
        "reason": serializers.CharField(required=False),
        "resolved_at": serializers.DateTimeField(required=False),
    },
)


class PublicObjectionView(APIView):
    """``GET /api/v1/public/objections/{reference}?code=``: the objector follows the objection.
    A wrong code answers exactly as an unknown reference (404)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type[BaseAuthentication]] = []
    throttle_classes = [WindowRateThrottle]
    throttle_scope = "verify"

    @extend_schema(
        parameters=[OpenApiParameter("code", str, required=True, description="查询码")],
        responses={200: PUBLIC_OBJECTION},
        auth=[],
    )
    def get(self, request: Request, reference: str) -> Response:
        objection = find_public(reference, request.query_params.get("code", ""))
        response = Response(public_view(objection))
        response["Cache-Control"] = "private, no-store"
        return response


class ObjectionResolveView(APIView):
    @extend_schema(request=request_body(ObjectionResolution), responses={200: ObjectionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        objection = get_objection_for_user(request.user, pk)  # to a filing case or a batch
        body = Body(ObjectionResolution, request.data)
        resolved = resolve_objection(
            objection, upheld=body.get("upheld"), reason=body.get("reason"), actor=request.user
        )
        return Response(
            ObjectionSerializer(resolved, context={"reviewer": True, "request": request}).data
        )
