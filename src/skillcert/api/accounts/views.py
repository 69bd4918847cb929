"""v1 endpoints of accounts: tokens, registration, the current user, password changes.

Views stay thin: they parse the request, call one service or selector, and shape the answer.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.accounts import security
from skillcert.accounts.models import User
from skillcert.accounts.roles import Role
from skillcert.accounts.services import issue_token, set_user_names
from skillcert.api.accounts import serializers as s
from skillcert.api.throttling import WindowRateThrottle
from skillcert.registry.services.organizations import register_organization
from skillcert.rules.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound


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
        username = data["username"]
        # django-axes (first authentication backend) refuses a locked account, right password or
        # not, and counts each failure for the user name whatever the client address.
        user = authenticate(request, username=username, password=data["password"])
        if getattr(request, "axes_locked_out", False):
            raise Forbidden(security.locked_message(username), code="account_locked")
        if user is None or not user.is_active:
            raise NotAuthenticated("用户名或密码错误", code="invalid_credentials")
        if security.totp_required(user) and not security.has_totp(user):
            # SKILLCERT_REQUIRE_TOTP: the device is enrolled on the pages, never skipped here.
            raise Forbidden(
                "请先在网页上绑定动态口令（TOTP）后再使用接口", code="otp_enrollment_required"
            )
        if security.has_totp(user):
            otp = (data.get("otp") or "").strip()
            if not otp:
                raise InvalidInput.for_field(
                    "otp",
                    "本账号已绑定动态验证码，请同时提交 otp（验证器上的 6 位数字）",
                    code="otp_required",
                )
            if not security.verify_totp(user, otp):
                # A wrong code is a failed login of the account: counted, and it may lock it.
                user_login_failed.send(
                    sender=__name__, credentials={"username": username}, request=request
                )
                if getattr(request, "axes_locked_out", False):
                    raise Forbidden(security.locked_message(username), code="account_locked")
                raise NotAuthenticated("动态验证码不正确", code="otp_invalid")
        token, expiry = issue_token(user)
        security.record_login(user, request)
        body = {
            "token": token,
            "expiry": expiry,
            "password_expired": security.password_expired(user),
        }
        return Response(s.TokenResponse(body).data)


class PasswordView(APIView):
    """The signed-in user changes their own password (the policy of domain.md §11)."""

    # A wrong old password counts as a failed login (the account lock); the user's other
    # tokens end, the one making the request stays (accounts.security.change_password).

    throttle_classes = [WindowRateThrottle]
    throttle_scope = "auth"
    allow_temporary_password = True  # skillcert.api.permissions.PasswordChanged

    @extend_schema(request=s.PasswordChangeRequest, responses={200: s.PasswordChangeResponse})
    def post(self, request: Request) -> Response:
        data = parsed(s.PasswordChangeRequest, request)
        user = security.change_password(
            request.user,  # type: ignore[arg-type]
            old_password=data["old_password"],
            new_password=data["new_password"],
            request=request,
            keep_token=request.auth if isinstance(request.auth, AuthToken) else None,
        )
        return Response(
            s.PasswordChangeResponse({"password_expired": security.password_expired(user)}).data
        )


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


def _set_names(user: User, request: Request) -> User:
    data = parsed(s.NamesRequest, request)
    return set_user_names(
        user,
        display_name=data.get("display_name", user.display_name),
        department=data.get("department", user.department),
        actor=request.user,
    )


class MeView(APIView):
    """The user the token belongs to, with role and authority; ``PATCH``: the user's own
    姓名 and 部门."""

    allow_temporary_password = True  # skillcert.api.permissions.PasswordChanged

    @extend_schema(responses={200: s.MeResponse})
    def get(self, request: Request) -> Response:
        return Response(s.MeResponse(request.user).data)

    @extend_schema(request=s.NamesRequest, responses={200: s.MeResponse})
    def patch(self, request: Request) -> Response:
        user = _set_names(request.user, request)  # type: ignore[arg-type]
        return Response(s.MeResponse(user).data)


class UserNamesView(APIView):
    """``PATCH /api/v1/users/{id}``: the system administrator sets an account's 姓名 and 部门
    (account management). Anyone else is refused (403) whichever account the id names."""

    @extend_schema(request=s.NamesRequest, responses={200: s.MeResponse})
    def patch(self, request: Request, pk: int) -> Response:
        actor = request.user
        if getattr(actor, "role", None) != Role.SYSTEM_ADMIN:
            raise Forbidden("只有系统管理员可以修改他人的姓名和部门", code="forbidden")
        user = User.objects.filter(pk=pk).select_related("authority").first()
        if user is None:
            raise NotFound("未找到该用户", code="not_found")
        return Response(s.MeResponse(_set_names(user, request)).data)
