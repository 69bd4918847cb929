"""The committed schema is valid OpenAPI and says what the endpoints really answer.

An independent validator (openapi-spec-validator, not drf-spectacular's own check) reads the
file other systems download; the contract's list shape, nullable fields and download media
types are checked against it.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
import yaml
from drf_spectacular.generators import EndpointEnumerator
from openapi_spec_validator import validate

import skillcert.api
from skillcert.api.schema import contract_paths

COMMITTED = Path(skillcert.api.__file__).parent / "openapi.yaml"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def ok_json(schema: dict[str, Any], path: str) -> dict[str, Any]:
    content = schema["paths"][path]["get"]["responses"]["200"]["content"]
    return resolve(schema, content["application/json"]["schema"])


def paginated_paths() -> list[str]:
    """The GET paths whose view pages its answer by hand (``paginated(...)``/``Pagination``)."""
    endpoints = contract_paths(EndpointEnumerator().get_api_endpoints())
    paths = []
    for path, _regex, method, callback in endpoints:
        view = getattr(callback, "cls", None)
        if method != "GET" or view is None or not path.startswith("/api/v1/"):
            continue
        source = inspect.getsource(view.get)
        if "paginated(" in source or "Pagination()" in source:
            paths.append(path)
    return sorted(set(paths))


def test_committed_schema_is_valid_openapi(schema):
    assert schema["openapi"].startswith("3.")
    validate(schema)  # picks the 3.0 or 3.1 validator from the declared version; raises if invalid


def test_the_lists_are_found():
    """Guards the discovery below: the known lists are among the paginated paths."""
    found = paginated_paths()
    for path in ("/api/v1/filings", "/api/v1/batches", "/api/v1/certificates", "/api/v1/worklist"):
        assert path in found
    assert len(found) >= 15


@pytest.mark.parametrize("path", paginated_paths())
def test_every_paginated_list_is_declared_as_a_page(schema, path):
    page = ok_json(schema, path)
    assert page["type"] == "object"
    assert {"count", "next", "results"} <= set(page["required"])
    assert page["properties"]["count"]["type"] == "integer"
    assert page["properties"]["next"]["nullable"] is True
    assert page["properties"]["results"]["type"] == "array"
    parameters = {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}
    assert {"page", "page_size"} <= parameters


def test_me_authority_is_nullable(schema):
    me = schema["components"]["schemas"]["MeResponse"]["properties"]
    assert me["authority"]["nullable"] is True
    assert me["authority_name"]["nullable"] is True


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("Organization", "filing_authority"),
        ("Organization", "home_city"),
        ("Certificate", "superseded_by"),
        ("Inspection", "filing_number"),
    ],
)
def test_fields_that_can_be_null_are_nullable(schema, component, field):
    assert schema["components"]["schemas"][component]["properties"][field]["nullable"] is True


def test_history_declares_from(schema):
    """Each history entry carries ``from`` (a Python keyword, so declared apart)."""
    history = schema["components"]["schemas"]["History"]
    assert list(history["properties"])[:4] == ["action", "label", "from", "to"]


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/api/v1/batches/{id}/annex4.xlsx", XLSX),
        ("/api/v1/batches/{id}/annex5.xlsx", XLSX),
        ("/api/v1/batches/candidates-template.xlsx", XLSX),
        ("/api/v1/batches/{id}/results-template.xlsx", XLSX),
        ("/api/v1/statistics.xlsx", XLSX),
        ("/api/v1/statistics/talent.xlsx", XLSX),
        ("/api/v1/national/exports/{id}.xlsx", XLSX),
        ("/api/v1/filings/{id}/receipt.pdf", "application/pdf"),
        ("/api/v1/certificates/{number}.pdf", "application/pdf"),
        ("/api/v1/batches/{id}/certificates.pdf", "application/pdf"),
        ("/api/v1/filings/{id}/materials/{material_pk}", "application/pdf"),
    ],
)
def test_downloads_declare_their_media_type_as_binary(schema, path, media_type):
    content = schema["paths"][path]["get"]["responses"]["200"]["content"]
    assert content[media_type]["schema"] == {"type": "string", "format": "binary"}
    assert "application/json" not in content


@pytest.mark.parametrize(
    ("query", "name"), [("", "openapi.yaml"), ("?format=json", "openapi.json")]
)
def test_schema_download_has_a_well_formed_content_disposition(client, query, name):
    response = client.get(f"/api/schema{query}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'inline; filename="{name}"'


def test_me_answers_null_authority_for_an_organization_user(client_for, org_user):
    body = client_for(org_user).get("/api/v1/me").json()
    assert body["authority"] is None
    assert body["authority_name"] is None
