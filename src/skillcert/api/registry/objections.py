"""Objections that belong to no filing the caller can see.

Batches (a later capability) register their own resolver here; until then such an id is
answered like an absent one.
"""

from __future__ import annotations

from collections.abc import Callable

from rest_framework.request import Request
from rest_framework.response import Response

from skillcert.rules.errors import NotFound

OTHER_RESOLVERS: list[Callable[[Request, int], Response | None]] = []


def resolve_other_objection(request: Request, pk: int) -> Response:
    for resolver in OTHER_RESOLVERS:
        response = resolver(request, pk)
        if response is not None:
            return response
    raise NotFound("未找到该异议", code="not_found")
