"""Request shapes: read only what they declare, drawn as the schema the contract publishes."""

from __future__ import annotations

import dataclasses

import pytest

from skillcert.rules.inputs import (
    Body,
    ReasonRequest,
    UndeclaredField,
    given,
    hint_of,
    names_of,
)


@dataclasses.dataclass
class Row:
    code: str | None = given("编码", required=True, max_length=6)
    years: int | None = given()


@dataclasses.dataclass
class Shape:
    title: str | None = given("名称", required=True, max_length=200)
    start_date: str | None = given(format="date")
    kind: str | None = given(choices=("a", "b"))
    flags: dict[str, bool] | None = given()
    rows: list[Row] | None = given()
    note: str | None = given(nullable=True)


def test_body_reads_declared_keys():
    body = Body(Shape, {"title": "x", "rows": [], "other": 1})
    assert body.get("title") == "x"
    assert body["rows"] == []
    assert "kind" not in body
    assert body.get("kind", "default") == "default"
    assert dict(body) == {"title": "x", "rows": []}  # the undeclared key is not handed on
    assert len(body) == 2


@pytest.mark.parametrize(
    "read", [lambda b: b.get("other"), lambda b: b["other"], lambda b: "other" in b]
)
def test_body_refuses_an_undeclared_key(read):
    with pytest.raises(UndeclaredField, match="Shape declares no field 'other'"):
        read(Body(Shape, {"other": 1}))


def test_a_body_that_is_not_an_object_reads_as_empty():
    body = Body(Shape, ["title"])
    assert not body.is_object
    assert body.get("title") is None
    assert Body(Shape, {}).is_object


def test_names_of_wants_a_dataclass():
    assert names_of(ReasonRequest) == {"reason"}
    with pytest.raises(TypeError):
        names_of(dict)


def test_hint_of_drops_none():
    assert hint_of(Shape, "title") is str
    assert hint_of(Shape, "rows") == list[Row]
    assert hint_of(Shape, "flags") == dict[str, bool]
