"""Lists as the contract says: ``{"count", "next", "results"}``.

A list view paginates by hand (``paginated(...)`` inside ``APIView.get``), so it also sets
``pagination_class = Pagination``: DRF's ``APIView`` ignores the attribute, but drf-spectacular
reads it to declare the list (``responses={200: ItemSerializer(many=True)}``) in the paginated
shape, with the ``page`` and ``page_size`` parameters. A list of free-form items declares its
response with ``paginated_schema(...)`` and ``PAGE_PARAMETERS`` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import OpenApiParameter
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None, "paginate_queryset ran first (PAGE_SIZE is set: it pages)"
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


PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="分页结果集中的页码。"),
    OpenApiParameter("page_size", int, description="每页返回的结果数量。"),
]


def paginated_schema(item: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI schema of one page of ``item``s (for lists without a serializer)."""
    return Pagination().get_paginated_response_schema({"type": "array", "items": item})


def paginated(
    request: Request,
    items: Any,
    serialize: Callable[[list[Any]], Any],
    pagination: type[Pagination] = Pagination,
) -> Response:
    """One page of ``items`` in the contract's list shape (``pagination``: a subclass that
    counts otherwise, e.g. the certificates' cached count)."""
    paginator = pagination()
    page: list[Any] | None = paginator.paginate_queryset(items, request)
    assert page is not None, "PAGE_SIZE is set, so paginate_queryset always returns a page"
    return paginator.get_paginated_response(serialize(page))
