"""The contract's error format: ``{"error": {"code", "message", "fields"}}``, in Chinese."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from skillcert.rules.errors import DomainError

# Codes and Chinese messages for DRF's own exceptions (its default texts vary by case).
_DRF_ERRORS: dict[type[exceptions.APIException], tuple[str, str]] = {
    exceptions.NotAuthenticated: ("not_authenticated", "请先登录（缺少或无效的 Bearer 令牌）"),
    exceptions.AuthenticationFailed: ("authentication_failed", "登录凭据无效或已过期，请重新登录"),
    exceptions.PermissionDenied: ("forbidden", "无权执行此操作"),
    exceptions.NotFound: ("not_found", "未找到请求的对象"),
    exceptions.MethodNotAllowed: ("method_not_allowed", "不支持该请求方法"),
    exceptions.NotAcceptable: ("not_acceptable", "无法提供请求的格式"),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", "不支持的请求内容类型"),
    exceptions.ParseError: ("malformed_request", "请求内容无法解析（应为 UTF-8 编码的 JSON）"),
    exceptions.Throttled: ("too_many_requests", "请求过于频繁，请稍后再试"),
}


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body = error_body(exc.code, exc.message, exc.fields)
        for name, value in getattr(exc, "extra", {}).items():
            body["error"][name] = value
        return Response(body, status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real server error: Django's 500 handling and logging take over
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            "invalid", "提交的数据有误，请检查标出的字段", _fields(exc.detail)
        )
        return response
    code, message = _drf_code_message(exc)
    # ``Throttled.__init__`` always sets ``wait`` (seconds, or None); the stubs do not declare it.
    wait = getattr(exc, "wait", None) if isinstance(exc, exceptions.Throttled) else None
    if wait:
        message = f"{message}（约 {int(wait) + 1} 秒后可重试）"
    response.data = error_body(code, message)
    return response


def _drf_code_message(exc: Exception) -> tuple[str, str]:
    for kind, pair in _DRF_ERRORS.items():
        if isinstance(exc, kind):
            return pair
    if isinstance(exc, exceptions.APIException):
        return ("error", str(exc.detail))
    return ("error", "请求失败")  # pragma: no cover


def _fields(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Flatten DRF's nested error detail into ``{"field.sub": [messages]}``."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = "non_field_errors" if key == "non_field_errors" and not prefix else key
            flat.update(_fields(value, f"{prefix}.{name}" if prefix else str(name)))
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_fields(item, f"{prefix}[{index}]"))
        return flat
    return {prefix or "non_field_errors": [str(detail)]}


def not_found_response() -> Response:
    return Response(error_body("not_found", "未找到请求的对象"), status=status.HTTP_404_NOT_FOUND)
