"""The OpenAPI schema is committed; a change to the API must update it on purpose (make schema)."""

from __future__ import annotations

from pathlib import Path

import pytest
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


@pytest.mark.django_db  # the docs page carries the site footer (网站信息)
def test_schema_and_docs_have_a_chinese_title(client):
    """The docs are linked from the public pages as 开发者接口: their title says so in Chinese."""
    committed = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    title = committed["info"]["title"]
    assert title == "安徽省职业技能等级认定服务平台 开发者接口"
    assert not any(word in title for word in ("API", "skillcert"))
    assert "Interface contract" not in committed["info"]["description"]
    docs = client.get("/api/docs").content.decode()
    assert f"<title>{title}</title>" in docs
