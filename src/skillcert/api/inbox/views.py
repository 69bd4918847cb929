"""``GET /api/v1/messages`` (the caller's messages, with ``unread``) and
``POST /api/v1/messages/{id}/read``: everyone signed in reads their own inbox only; another
person's message is answered 404, like a missing one."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.api.pagination import PAGE_PARAMETERS, Pagination
from skillcert.inbox import service
from skillcert.inbox.models import Message
from skillcert.rules.errors import NotFound


class MessageSerializer(serializers.ModelSerializer):
    read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Message
        fields = ["id", "at", "title", "body", "link", "read"]
        read_only_fields = fields


class MessagesView(APIView):
    pagination_class = Pagination  # read by drf-spectacular (see api/pagination.py)

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses={
            200: inline_serializer(
                "Messages",
                {
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "results": MessageSerializer(many=True),
                    "unread": serializers.IntegerField(help_text="未读消息数"),
                },
            )
        },
    )
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(service.messages_of(request.user), request)
        response = paginator.get_paginated_response(MessageSerializer(page, many=True).data)
        response.data["unread"] = service.unread_count(request.user)
        return response


class MessageReadView(APIView):
    @extend_schema(request=None, responses={200: MessageSerializer})
    def post(self, request: Request, pk: str) -> Response:
        message = service.mark_read(request.user, int(pk))
        if message is None:
            raise NotFound("未找到该消息", code="not_found")
        return Response(MessageSerializer(message).data)
