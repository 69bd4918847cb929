"""``GET /api/v1/worklist``: what the caller can do now, across every workflow."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.api.pagination import PAGE_PARAMETERS, Pagination
from skillcert.workflow.worklist import counts, worklist


class WorkItemSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="the workflow: filing, batch, objection, …")
    id = serializers.IntegerField()
    title = serializers.CharField()
    action = serializers.CharField()
    # Stubs are wrong here: they see this field as overriding ``Field.label``, but DRF's
    # SerializerMetaclass pops declared fields off the class (no attribute is shadowed).
    label = serializers.CharField()  # type: ignore[assignment]
    due = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()


class WorklistView(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses={
            200: inline_serializer(
                "Worklist",
                {
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "results": WorkItemSerializer(many=True),
                    "counts": serializers.DictField(child=serializers.IntegerField()),
                },
            )
        },
    )
    def get(self, request: Request) -> Response:
        items = worklist(request.user)
        paginator = Pagination()
        page = paginator.paginate_queryset(items, request)
        response = paginator.get_paginated_response(WorkItemSerializer(page, many=True).data)
        response.data["counts"] = counts(items)
        return response
