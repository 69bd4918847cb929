"""The OpenAPI schema is committed; a change to the API must update it on purpose (make schema)."""

from __future__ import annotations

from pathlib import Path

import yaml
from drf_spectacular.generators import SchemaGenerator

import skillcert.api

COMMITTED = Path(skillcert.api.__file__).parent / "openapi.yaml"


def test_committed_schema_matches_the_code():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    committed = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    assert generated == committed, (
        "the API differs from src/skillcert/api/openapi.yaml: run `make schema` and commit it"
    )
