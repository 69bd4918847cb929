"""v1 endpoints of accounts: tokens, registration, the current user.

Views stay thin: they parse the request, call one service or selector, and shape the answer.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.accounts.services import issue_token
from skillcert.api.accounts import serializers as s
from skillcert.api.throttling import WindowRateThrottle
from skillcert.registry.services.organizations import register_organization
from skillcert.rules.errors import NotAuthenticated


def parsed(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class TokenView(APIView):
    """Exchange a username and password for a Bearer token."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [WindowRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=s.TokenRequest, responses={200: s.TokenResponse}, auth=[])
    def post(self, request: Request) -> Response:
        data = parsed(s.TokenRequest, request)
        user = authenticate(request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            raise NotAuthenticated("用户名或密码错误", code="invalid_credentials")
        token, expiry = issue_token(user)
        return Response(s.TokenResponse({"token": token, "expiry": expiry}).data)


class RegisterView(APIView):
    """An evaluation organization registers itself (public)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [WindowRateThrottle]
    throttle_scope = "register"

    @extend_schema(request=s.RegisterRequest, responses={201: s.RegisterResponse}, auth=[])
    def post(self, request: Request) -> Response:
        data = parsed(s.RegisterRequest, request)
        organization = register_organization(**data)
        return Response({"organization": organization.pk}, status=status.HTTP_201_CREATED)


class MeView(APIView):
    """The user the token belongs to, with role and authority."""

    @extend_schema(responses={200: s.MeResponse})
    def get(self, request: Request) -> Response:
        return Response(s.MeResponse(request.user).data)
