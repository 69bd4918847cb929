"""One description of each request body: a dataclass per write.

The service that takes a write reads the body only through ``Body(Shape, data)``, which refuses
(loudly, as a programming error) any key the shape does not declare; the API draws the OpenAPI
request schema from the same shape (``skillcert.api.inputs``). What the code accepts and what
the contract publishes therefore cannot drift apart: a parser that starts reading a new key
fails its tests until the shape declares it, and declaring it puts it in the schema.

A shape describes the wire, not the checked result: ``site_city`` is the city's code as sent,
dates are ISO strings, lists of objects are lists of nested shapes. Formats and rules are still
checked by the services, with the field's path in each error (``items[0].level``).

    @dataclass
    class ReasonRequest:
        reason: str | None = given("理由", required=True, max_length=2000)
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any, Union


@dataclasses.dataclass(frozen=True)
class Doc:
    """What the contract says of one field besides its type."""

    description: str = ""
    required: bool = False
    nullable: bool = False
    max_length: int | None = None
    # the allowed values, or (value, label) pairs: the labels explain the values in the contract
    choices: tuple[str | tuple[str, str], ...] = ()
    format: str | None = None  # "date", "email", "binary" (a file in a multipart body)


def given(
    description: str = "",
    *,
    required: bool = False,
    nullable: bool = False,
    max_length: int | None = None,
    choices: tuple[str | tuple[str, str], ...] = (),
    format: str | None = None,
) -> Any:
    """A field of a request shape: absent unless sent (default None), described for the contract."""
    doc = Doc(description, required, nullable, max_length, choices, format)
    return dataclasses.field(default=None, metadata={"input": doc})


class UndeclaredField(RuntimeError):
    """A parser read a key its request shape does not declare (a defect, never the caller's)."""


def doc_of(field: dataclasses.Field[Any]) -> Doc:
    doc = field.metadata.get("input")
    return doc if isinstance(doc, Doc) else Doc()


def names_of(shape: type) -> frozenset[str]:
    if not dataclasses.is_dataclass(shape):
        raise TypeError(f"{shape!r} is not a request shape (a dataclass)")
    return frozenset(f.name for f in dataclasses.fields(shape))


class Body(Mapping[str, object]):
    """The request body as the shape allows it to be read.

    A body that is not a JSON object reads as empty (the shape's required fields then report
    themselves missing); ``is_object`` tells a parser that wants to refuse it outright.
    """

    def __init__(self, shape: type, data: object) -> None:
        self.shape = shape
        self.names = names_of(shape)
        self.is_object = isinstance(data, Mapping)
        self._data: Mapping[str, object] = data if isinstance(data, Mapping) else {}

    def _declared(self, key: str) -> None:
        if key not in self.names:
            raise UndeclaredField(f"{self.shape.__name__} declares no field {key!r}")

    def __getitem__(self, key: str) -> object:
        self._declared(key)
        return self._data[key]

    def get(self, key: str, default: object = None) -> object:
        self._declared(key)
        return self._data.get(key, default)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        self._declared(key)
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return (key for key in self._data if key in self.names)

    def __len__(self) -> int:
        return sum(1 for _ in self)


# --- the field types, for the API's drawing of the shape (api/inputs.py) ---------------------


def hint_of(shape: type, name: str) -> Any:
    """The field's type without ``None`` (what the API adapter maps to a serializer field)."""
    hint = typing.get_type_hints(shape)[name]
    if typing.get_origin(hint) in (Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return args[0] if len(args) == 1 else Any
    return hint


# --- shapes shared by several writes ----------------------------------------------------------


@dataclasses.dataclass
class ReasonRequest:
    """A decision that needs a reason (not accepted, not selected, refused, revoked…)."""

    reason: str | None = given("理由（对方可见）", required=True)


@dataclasses.dataclass
class EmptyRequest:
    """A step that takes no body (anything sent is ignored)."""
