"""Objections through the contract: lodged by anyone while a publicity runs, resolved by the
officers who handle it. One view for both subjects; each subject's endpoint names how its
subject is found and which request shape it publishes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.api.inputs import request_body
from skillcert.api.registry.serializers import ObjectionSerializer
from skillcert.api.throttling import WindowRateThrottle
from skillcert.assessment.access import get_objection_for_user
from skillcert.assessment.services.objections import lodge_objection, resolve_objection
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
        data = ObjectionSerializer(objection, context={"reviewer": False, "request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


def lodge_schema(shape: type) -> Any:
    return extend_schema(request=request_body(shape), responses={201: ObjectionSerializer}, auth=[])


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
