"""Lists as the contract says: ``{"count", "next", "results"}``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {"count": self.page.paginator.count, "next": self.get_next_link(), "results": data}
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["count", "next", "results"],
            "properties": {
                "count": {"type": "integer"},
                "next": {"type": "string", "format": "uri", "nullable": True},
                "results": schema,
            },
        }


def paginated(request: Any, items: Any, serialize: Callable[[list[Any]], Any]) -> Response:
    """One page of ``items`` in the contract's list shape."""
    paginator = Pagination()
    page = paginator.paginate_queryset(items, request)
    return paginator.get_paginated_response(serialize(page))
