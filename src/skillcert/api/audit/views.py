"""v1 endpoints of the audit record: search and verify (audit administrator only; everyone
else 403, enforced by ``skillcert.audit.selectors``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.api.pagination import Pagination, paginated
from skillcert.audit import selectors

FILTERS = [
    OpenApiParameter("actor", str, description="操作人（姓名或署名的一部分，或账户编号）"),
    OpenApiParameter("action", str, description="操作（如 export、login，或前缀 accounts）"),
    OpenApiParameter("from", str, description="记录日期起（YYYY-MM-DD，含）"),
    OpenApiParameter("to", str, description="记录日期止（YYYY-MM-DD，含）"),
]

AuditEntryAnswer = inline_serializer(
    "AuditEntry",
    {
        "seq": serializers.IntegerField(),
        "at": serializers.DateTimeField(),
        "business_date": serializers.DateField(),
        "actor": serializers.CharField(),
        "actor_id": serializers.IntegerField(allow_null=True),
        "actor_role": serializers.CharField(),
        "action": serializers.CharField(),
        "object": inline_serializer(
            "AuditObject", {"type": serializers.CharField(), "id": serializers.CharField()}
        ),
        "before": serializers.JSONField(allow_null=True),
        "after": serializers.JSONField(allow_null=True),
    },
)

AuditVerification = inline_serializer(
    "AuditVerification",
    {
        "ok": serializers.BooleanField(),
        "entries": serializers.IntegerField(),
        "first_bad": serializers.IntegerField(allow_null=True),
    },
)


class AuditEntriesView(APIView):
    pagination_class = Pagination

    @extend_schema(parameters=FILTERS, responses={200: AuditEntryAnswer.__class__(many=True)})
    def get(self, request: Request) -> Response:
        selectors.require_audit_reader(request.user)
        query = selectors.parse_query(request.query_params)
        entries = selectors.search(request.user, query)
        return paginated(request, entries, _answers)


def _answers(page: list[Any]) -> list[dict[str, Any]]:
    return [selectors.entry_answer(entry) for entry in page]


class AuditVerifyView(APIView):
    @extend_schema(responses={200: AuditVerification})
    def get(self, request: Request) -> Response:
        return Response(selectors.verify(request.user).as_answer())
