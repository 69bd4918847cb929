"""OpenAPI generation hooks (paths as the contract writes them) and the view that serves it."""

from __future__ import annotations

from typing import Any

from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response


def contract_paths(endpoints: list[tuple[str, str, str, Any]], **kwargs: Any) -> list[Any]:
    """Routes answer with and without a slash; document them without (``/?$`` → nothing)."""
    cleaned = []
    for path, path_regex, method, callback in endpoints:
        if path.endswith("/") and len(path) > 1:
            path = path[:-1]
        cleaned.append((path, path_regex, method, callback))
    return cleaned


# Integer bounds Django derives from the database column type: they differ between SQLite and
# PostgreSQL (and say nothing about the domain), so the committed schema leaves them out.
_BACKEND_BOUNDS = {32767, 2147483647, 9223372036854775807}


def without_backend_bounds(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Drop the database-dependent ``maximum``/``format: int64`` of integer fields."""

    def clean(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "integer" and node.get("maximum") in _BACKEND_BOUNDS:
                node.pop("maximum")
                if node.get("format") == "int64":
                    node.pop("format")
            for value in node.values():
                clean(value)
        elif isinstance(node, list):
            for value in node:
                clean(value)

    clean(result)
    return result


class SchemaView(SpectacularAPIView):
    """``/api/schema/`` as a well-formed download (RFC 6266).

    drf-spectacular names the file after the title, which is Chinese: Django then encodes the
    whole header value as an RFC 2047 word, which no browser reads as a Content-Disposition.
    """

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if "Content-Disposition" in response:
            suffix = response.accepted_renderer.format
            response["Content-Disposition"] = f'inline; filename="openapi.{suffix}"'
        return response
