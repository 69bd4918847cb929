"""The API draws request bodies from the shapes: one component per shape, by its name."""

from __future__ import annotations

import dataclasses

from rest_framework import serializers

from skillcert.api.inputs import multipart, request_body
from skillcert.rules.inputs import given


@dataclasses.dataclass
class Item:
    level: int | None = given(required=True)


@dataclasses.dataclass
class SampleRequest:
    title: str | None = given("名称", required=True, max_length=20)
    kind: str | None = given(choices=("x", "y"))
    labelled: str | None = given(choices=(("a", "甲"), ("b", "乙")))
    on: str | None = given(format="date")
    items: list[Item] | None = given()
    marks: dict[str, str] | None = given()
    flag: bool | None = given(nullable=True)


@dataclasses.dataclass
class UploadRequest:
    file: bytes | None = given("Excel 文件", required=True, format="binary")


def test_request_body_fields_follow_the_shape():
    serializer = request_body(SampleRequest)()
    assert type(serializer).__name__ == "SampleRequest"
    fields = serializer.fields
    assert list(fields) == ["title", "kind", "labelled", "on", "items", "marks", "flag"]
    assert isinstance(fields["title"], serializers.CharField) and fields["title"].required
    assert fields["title"].max_length == 20 and fields["title"].help_text == "名称"
    assert isinstance(fields["kind"], serializers.ChoiceField)
    assert list(fields["kind"].choices) == ["x", "y"] and not fields["kind"].required
    assert dict(fields["labelled"].choices) == {"a": "甲", "b": "乙"}  # labels carried
    assert isinstance(fields["on"], serializers.DateField)
    assert isinstance(fields["items"], serializers.ListField)
    assert type(fields["items"].child).__name__ == "Item"
    assert isinstance(fields["marks"], serializers.DictField)
    assert isinstance(fields["flag"], serializers.BooleanField) and fields["flag"].allow_null


def test_one_class_per_shape():
    assert request_body(SampleRequest) is request_body(SampleRequest)


def test_multipart():
    body = multipart(UploadRequest)
    assert list(body) == ["multipart/form-data"]
    assert isinstance(body["multipart/form-data"]().fields["file"], serializers.FileField)
