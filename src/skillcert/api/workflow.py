"""``actions``, ``next`` and ``history`` of every stateful object, asked of its workflow; the
endpoints of its steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import models
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from skillcert.accounts.display import with_person_labels
from skillcert.api.inputs import request_body
from skillcert.workflow.machine import machine_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from skillcert.accounts.models import User


class ActionSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="the last path segment of the action's POST")
    # Stubs are wrong here: they see this field as overriding ``Field.label``, but DRF's
    # SerializerMetaclass pops declared fields off the class (no attribute is shadowed).
    label = serializers.CharField(help_text="its Chinese name")  # type: ignore[assignment]


class NextSerializer(serializers.Serializer):
    party = serializers.CharField(
        help_text="a role, `organization`, `public`, or `system` (time moves it on `due`)"
    )
    action = serializers.CharField()
    # Stubs are wrong here: they see this field as overriding ``Field.label``, but DRF's
    # SerializerMetaclass pops declared fields off the class (no attribute is shadowed).
    label = serializers.CharField()  # type: ignore[assignment]
    due = serializers.DateField(allow_null=True)
    deadline = serializers.BooleanField(
        help_text="true: `due` is owed by the party (late after it); false: possible from `due`"
    )


class HistorySerializer(serializers.Serializer):
    action = serializers.CharField()
    # Stubs are wrong here: they see this field as overriding ``Field.label``, but DRF's
    # SerializerMetaclass pops declared fields off the class (no attribute is shadowed).
    label = serializers.CharField()  # type: ignore[assignment]
    to = serializers.CharField()
    actor = serializers.CharField()
    at = serializers.DateTimeField()
    note = serializers.CharField()

    def get_fields(self) -> dict[str, serializers.Field]:
        # ``from`` is a Python keyword, so it cannot be declared above: put it before ``to``.
        fields = super().get_fields()
        ordered: dict[str, serializers.Field] = {}
        for name, field in fields.items():
            if name == "to":
                ordered["from"] = serializers.CharField()
            ordered[name] = field
        return ordered


def _user(serializer: serializers.Serializer) -> User | AnonymousUser | None:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class WorkflowFields(serializers.Serializer):
    """Mixed into a ModelSerializer of a model with a workflow: adds ``actions`` and
    ``next`` (list them in ``Meta.fields``)."""

    actions = serializers.SerializerMethodField()
    next = serializers.SerializerMethodField()

    @extend_schema_field(ActionSerializer(many=True))
    def get_actions(self, obj: models.Model) -> list[dict[str, str]]:
        return machine_for(obj).actions(obj, _user(self))

    @extend_schema_field(NextSerializer(allow_null=True))
    def get_next(self, obj: models.Model) -> dict[str, Any] | None:
        return machine_for(obj).next(obj)


def history_of(obj: models.Model) -> list[dict[str, Any]]:
    """The object's history; ``actor`` names the person as pages do (姓名（部门）, or the
    name stored: ``accounts.display``)."""
    machine = machine_for(obj)
    changes = with_person_labels(machine.history(obj))
    return [
        {
            "action": change.action,
            "label": machine.workflow.action_label(change.action),
            "from": change.from_state,
            "to": change.to_state,
            "actor": change.actor_label,
            "at": change.at,
            "note": change.note,
        }
        for change in changes
    ]


def step_view(
    kind: str,
    action: str,
    *,
    find: Callable[[Any, int], Any],
    take: Callable[[Any, Request], Any],
    answer: Callable[[Any, Request], Response],
    response: Any,
    shape: type | None = None,
) -> type[APIView]:
    """``POST /api/v1/<kind>s/{id}/<action>``: one workflow step on the object ``find`` gives
    the user (404 otherwise); ``take`` does it (``shape`` is the body it reads, published as the
    request), and the answer is the object as it now stands."""

    @extend_schema(
        operation_id=f"{kind}_{action.replace('-', '_')}",
        request=request_body(shape) if shape is not None else None,
        responses={200: response},
    )
    def post(self: APIView, request: Request, pk: int) -> Response:
        obj = find(request.user, pk)
        done = take(obj, request)
        return answer(done if done is not None else obj, request)

    name = kind.title() + "".join(part.title() for part in action.split("-")) + "View"
    return type(name, (APIView,), {"post": post, "__doc__": f"{kind.title()} action {action}."})
