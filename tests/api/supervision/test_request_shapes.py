"""Supervision's writes: the contract publishes each request shape, the parsers read no more."""

from __future__ import annotations

import dataclasses

import pytest

from skillcert.rules.inputs import UndeclaredField, doc_of, names_of
from skillcert.supervision import inputs as shapes
from skillcert.supervision.services import draws, inspections, reports
from tests.support.shapes import resolve, without

JSON = "application/json"
ENDPOINTS = [
    ("/api/v1/inspection-draws", shapes.DrawRequest),
    ("/api/v1/inspector-conflicts", shapes.ConflictRequest),
    ("/api/v1/inspections/{id}/findings", shapes.FindingRequest),
    ("/api/v1/inspections/{id}/conclude", shapes.InspectionConclusion),
    ("/api/v1/inspections/{id}/rectification", shapes.RectificationReport),
    ("/api/v1/inspections/{id}/rectification-review", shapes.RectificationReview),
    ("/api/v1/organizations/{id}/annual-reports", shapes.AnnualReportRequest),
    ("/api/v1/organizations/{id}/violations", shapes.ViolationRequest),
]


@pytest.mark.parametrize(("path", "shape"), ENDPOINTS)
def test_each_write_publishes_its_shape(schema, path, shape):
    body = schema["paths"][path]["post"]["requestBody"]["content"][JSON]["schema"]
    assert body["$ref"].endswith(f"/{shape.__name__}Request")  # the component keeps its name
    published = resolve(schema, body)
    assert set(published["properties"]) == names_of(shape)
    required = {f.name for f in dataclasses.fields(shape) if doc_of(f).required}
    assert set(published.get("required", [])) == required


def test_publication_takes_no_body(schema):
    assert "requestBody" not in schema["paths"]["/api/v1/inspections/{id}/publish"]["post"]


VALID_DRAW = {"targets": "batches", "count": 1, "inspectors": 1}


@pytest.mark.parametrize(
    ("module", "name", "field", "call"),
    [
        (draws, "DrawRequest", "targets", lambda: draws.make_draw({}, actor=None)),
        (draws, "DrawRequest", "from", lambda: draws.make_draw(VALID_DRAW, actor=None)),
        (draws, "DrawRequest", "seed", lambda: draws.make_draw(VALID_DRAW, actor=None)),
        (
            inspections,
            "FindingRequest",
            "stage",
            lambda: inspections.record_finding(None, {}, actor=None),
        ),
        (
            inspections,
            "InspectionConclusion",
            "note",
            lambda: inspections.conclude(None, {"conclusion": "rectify"}, actor=None),
        ),
        (
            reports,
            "AnnualReportRequest",
            "year",
            lambda: reports.file_annual_report(None, {}, actor=None),
        ),
        (
            reports,
            "ViolationRequest",
            "kind",
            lambda: reports.record_violation(None, {}, actor=None),
        ),
        (
            reports,
            "ViolationRequest",
            "exit",
            lambda: reports.record_violation(
                None, {"kind": "dishonesty", "description": "x"}, actor=None
            ),
        ),
    ],
)
def test_the_parsers_read_only_declared_keys(monkeypatch, module, name, field, call):
    # The checks of who may write come first: passed here, the body is read at once.
    monkeypatch.setattr(draws, "officer_authority", lambda actor: None)
    monkeypatch.setattr(inspections.INSPECTION_MACHINE, "check_party", lambda *args: None)
    monkeypatch.setattr(reports.ANNUAL_REPORT_MACHINE, "check_party", lambda *args: None)
    monkeypatch.setattr(reports, "AnnualReport", lambda **kwargs: None)
    monkeypatch.setattr(reports, "decides_for_organization", lambda *args: True)
    monkeypatch.setattr(module, name, without(getattr(shapes, name), field))
    with pytest.raises(UndeclaredField):
        call()
