"""The registry's writes: the contract publishes each request shape, the parsers read no more."""

from __future__ import annotations

import dataclasses

import pytest

from skillcert.accounts.models import Authority, User
from skillcert.accounts.roles import Role
from skillcert.registry import inputs as shapes
from skillcert.registry import payloads
from skillcert.registry.services import organizations, review
from skillcert.rules.inputs import Body, UndeclaredField, names_of
from tests.support.shapes import request_schema, resolve, without

JSON = "application/json"
MULTIPART = "multipart/form-data"
ENDPOINTS = [
    ("/api/v1/filings", "post", JSON, shapes.FilingRequest),
    ("/api/v1/filings/{id}", "patch", JSON, shapes.FilingRequest),
    ("/api/v1/filings/{id}/materials", "post", MULTIPART, shapes.MaterialUpload),
    ("/api/v1/filings/{id}/evaluations", "post", JSON, shapes.EvaluationRequest),
    ("/api/v1/organizations/{id}/pilot-result", "post", JSON, shapes.PilotResult),
    ("/api/v1/organizations/{id}/revoke", "post", JSON, shapes.Revocation),
    ("/api/v1/organizations/merge", "post", JSON, shapes.Merger),
    ("/api/v1/cities/{code}/thresholds", "put", JSON, shapes.CityThresholds),
    ("/api/v1/organizations/{id}/seals", "post", MULTIPART, shapes.SealUpload),
    ("/api/v1/organizations/{id}/seals/{seal_pk}/decide", "post", JSON, shapes.SealDecision),
    ("/api/v1/filings/{id}/objections", "post", JSON, shapes.ObjectionRequest),
    ("/api/v1/batches/{id}/objections", "post", JSON, shapes.BatchObjectionRequest),
    ("/api/v1/objections/{id}/resolve", "post", JSON, shapes.ObjectionResolution),
]
NESTED = [
    ("basic", shapes.FilingBasic),
    ("record", shapes.FilingRecord),
    ("narrative", shapes.FilingNarrative),
]


@pytest.mark.parametrize(("path", "method", "media", "shape"), ENDPOINTS)
def test_each_write_publishes_its_shape(schema, path, method, media, shape):
    published = request_schema(schema, path, method, media)
    assert set(published["properties"]) == names_of(shape)
    required = {f.name for f in dataclasses.fields(shape) if f.metadata["input"].required}
    if method != "patch":
        assert set(published.get("required", [])) == required


def test_a_filing_publishes_its_nested_parts(schema):
    filing = request_schema(schema, "/api/v1/filings", "post", JSON)["properties"]
    for key, shape in NESTED:
        assert set(resolve(schema, filing[key])["properties"]) == names_of(shape)
    row = resolve(schema, filing["occupations"]["items"])
    assert set(row["properties"]) == names_of(shapes.FilingOccupation)
    assert {"priority_standards", "priority_self_certification"} <= set(filing)


def test_body_refuses_an_undeclared_key():
    body = Body(shapes.PilotResult, {"passed": True, "extra": 1})
    assert list(body) == ["passed"]
    with pytest.raises(UndeclaredField):
        body.get("extra")


@pytest.mark.parametrize(
    ("target", "name", "field"),
    [
        (payloads, "FilingRequest", "priority_standards"),
        (payloads, "FilingRequest", "narrative"),
        (payloads, "FilingBasic", "contact_email"),
        (payloads, "FilingOccupation", "levels"),
        (payloads, "FilingRecord", "persons_total"),
        (payloads, "FilingNarrative", "sites"),
    ],
)
def test_the_filing_parser_reads_only_declared_keys(db, monkeypatch, target, name, field):
    monkeypatch.setattr(target, name, without(getattr(shapes, name), field))
    data = {
        "basic": {"contact_email": "a@b.cn"},
        "occupations": [{"name": "x", "code": "4-01-02-01", "levels": [3]}],
        "record": {"persons_total": 1},
        "narrative": {"sites": "x"},
    }
    with pytest.raises(UndeclaredField):
        payloads.parse_filing_payload(data)


def test_the_evaluation_parser_reads_only_declared_keys(monkeypatch):
    monkeypatch.setattr(review, "EvaluationRequest", without(shapes.EvaluationRequest, "score"))
    with pytest.raises(UndeclaredField):
        review._evaluation_values({"method": "report"})


def test_the_organization_parsers_read_only_declared_keys(monkeypatch):
    monkeypatch.setattr(organizations, "Merger", without(shapes.Merger, "into"))
    with pytest.raises(UndeclaredField):
        organizations.merge_organizations({"members": [1, 2]}, actor=None)  # type: ignore[arg-type]
    thresholds = without(shapes.CityThresholds, "persons_per_occupation")
    monkeypatch.setattr(organizations, "CityThresholdsRequest", thresholds)
    authority = Authority(pk=1, code="01", kind="city")
    bureau = User(username="bureau", role=Role.CITY_BUREAU, authority=authority)
    with pytest.raises(UndeclaredField):
        organizations.set_city_thresholds(authority, {}, actor=bureau)


def test_the_objection_parser_reads_only_its_shape(monkeypatch):
    from skillcert.assessment.services import objections

    monkeypatch.setattr(objections, "ObjectionRequest", without(shapes.ObjectionRequest, "contact"))
    with pytest.raises(UndeclaredField, match="contact"):
        objections._lodged({"content": "x", "contact": "y"})
