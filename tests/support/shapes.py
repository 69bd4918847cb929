"""Reading the published request schemas in tests, and shapes with a field taken away."""

from __future__ import annotations

import dataclasses
from typing import Any

from drf_spectacular.generators import SchemaGenerator


def generated_schema() -> dict[str, Any]:
    """The OpenAPI schema as the code draws it now (not the committed file)."""
    return SchemaGenerator().get_schema(request=None, public=True)


def resolve(schema: dict, node: dict) -> dict:
    """Follow ``$ref`` (and a described reference, ``{allOf: [{$ref}], description}``)."""
    while "$ref" in node or "allOf" in node:
        if "allOf" in node:
            node = node["allOf"][0]
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def request_schema(schema: dict, path: str, method: str, media: str) -> dict:
    body = schema["paths"][path][method]["requestBody"]["content"][media]["schema"]
    return resolve(schema, body)


def without(shape: type, name: str) -> type:
    """``shape`` less one field: a parser that reads that field must refuse to. Built through the
    class namespace, so a field named like a keyword (``from``) is kept as it is."""
    kept = [f for f in dataclasses.fields(shape) if f.name != name]
    namespace: dict[str, Any] = {"__annotations__": {f.name: object for f in kept}}
    namespace.update({f.name: dataclasses.field(default=None) for f in kept})
    return dataclasses.dataclass(init=False, repr=False, eq=False)(
        type(shape.__name__, (), namespace)
    )
