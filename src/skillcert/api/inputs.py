"""The OpenAPI request bodies, drawn from the request shapes the services read.

``request_body(Shape)`` is what a view hands ``extend_schema(request=...)``: a serializer built
from the shape's fields (``skillcert.rules.inputs``), named after the shape, so the committed
schema's ``components.schemas.<Shape>`` is exactly what the service reads. No request body is
described anywhere else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from skillcert.rules.inputs import Doc, doc_of, hint_of, names_of


def _field(hint: Any, doc: Doc) -> serializers.Field:
    options: dict[str, Any] = {"required": doc.required}
    if doc.nullable:
        options["allow_null"] = True
    if doc.description:
        options["help_text"] = doc.description
    origin = typing.get_origin(hint)
    if doc.format == "binary" or hint is bytes:
        return serializers.FileField(**options)
    if origin in (list, tuple, set, frozenset):
        args = typing.get_args(hint)
        child = _field(args[0], Doc(required=True)) if args else serializers.JSONField()
        return serializers.ListField(child=child, **options)
    if origin in (dict, Mapping):
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is not Any:
            return serializers.DictField(child=_field(args[1], Doc(required=True)), **options)
        return serializers.DictField(**options)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return request_body(hint)(**options)
    if hint is str:
        if doc.choices:
            return serializers.ChoiceField(list(doc.choices), **options)
        if doc.max_length is not None:
            options["max_length"] = doc.max_length
        if doc.format == "date":
            return serializers.DateField(**options)
        # Optional text may be sent empty (the services read "" as not given); required may not.
        options["allow_blank"] = not doc.required
        if doc.format == "email":
            return serializers.EmailField(**options)
        return serializers.CharField(**options)
    if hint is bool:
        return serializers.BooleanField(**options)
    if hint is int:
        return serializers.IntegerField(**options)
    if hint in (float, Decimal):
        return serializers.FloatField(**options)
    if hint is dt.date:
        return serializers.DateField(**options)
    return serializers.JSONField(**options)


@cache
def request_body(shape: type) -> Any:
    """The serializer class that describes ``shape`` (one component per shape, by its name)."""
    names_of(shape)  # a dataclass, or TypeError
    fields = {f.name: _field(hint_of(shape, f.name), doc_of(f)) for f in dataclasses.fields(shape)}
    return inline_serializer(shape.__name__, fields).__class__


def multipart(shape: type) -> dict[str, Any]:
    """A multipart body (uploads) described by ``shape``."""
    return {"multipart/form-data": request_body(shape)}
