"""JSON answers for API paths that match nothing, and for server errors under /api/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from skillcert.api.errors import error_body


# Exempt from CSRF: a POST to a path that does not exist changes nothing, and the contract
# answers it with its JSON 404 whatever the method or credentials (never Django's HTML 403).
@csrf_exempt
def unknown_endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    return JsonResponse(error_body("not_found", "接口不存在"), status=404)


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body("server_error", "服务器内部错误，请稍后再试"), status=500)
