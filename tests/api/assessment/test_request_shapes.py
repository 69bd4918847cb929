"""The assessment's writes: the contract publishes each request shape, the parsers read no more."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from skillcert.accounts.models import User
from skillcert.accounts.roles import Role
from skillcert.assessment import inputs as shapes
from skillcert.assessment.services import implementation, results
from skillcert.assessment.services import plan_input as plans
from skillcert.certificates import inputs as certificate_shapes
from skillcert.certificates.services import segments
from skillcert.rules.assessment import COLUMN_FIELDS
from skillcert.rules.inputs import UndeclaredField, names_of
from tests.support.shapes import request_schema, resolve, without

JSON = "application/json"
MULTIPART = "multipart/form-data"
ENDPOINTS = [
    ("/api/v1/batches", "post", JSON, shapes.BatchRequest),
    ("/api/v1/batches/{id}", "patch", JSON, shapes.BatchRequest),
    ("/api/v1/batches/{id}/results", "post", JSON, shapes.ResultsRequest),
    ("/api/v1/batches/{id}/attendance", "post", JSON, shapes.AttendanceRequest),
    ("/api/v1/batches/{id}/inspections", "post", JSON, shapes.InspectionRequest),
    ("/api/v1/batches/{id}/candidates.xlsx", "post", MULTIPART, shapes.CandidatesUpload),
    ("/api/v1/batches/{id}/results.xlsx", "post", MULTIPART, shapes.ResultsUpload),
    ("/api/v1/segments", "post", JSON, certificate_shapes.SegmentAllocation),
]


@pytest.mark.parametrize(("path", "method", "media", "shape"), ENDPOINTS)
def test_each_write_publishes_its_shape(schema, path, method, media, shape):
    published = request_schema(schema, path, method, media)
    assert set(published["properties"]) == names_of(shape)
    required = {f.name for f in dataclasses.fields(shape) if f.metadata["input"].required}
    if method != "patch":
        assert set(published.get("required", [])) == required


def test_a_plan_publishes_its_items_staff_and_candidates(schema):
    plan = request_schema(schema, "/api/v1/batches", "post", JSON)["properties"]
    for key, shape in (
        ("items", shapes.BatchItemEntry),
        ("staff", shapes.BatchStaffEntry),
        ("candidates", shapes.BatchCandidateEntry),
    ):
        assert set(resolve(schema, plan[key]["items"])["properties"]) == names_of(shape)
    results_body = request_schema(schema, "/api/v1/batches/{id}/results", "post", JSON)
    entry = resolve(schema, results_body["properties"]["results"]["items"])
    assert set(entry["properties"]) == names_of(shapes.ResultEntry)


def test_a_candidate_is_the_columns_of_the_excel_file():
    assert names_of(shapes.BatchCandidateEntry) == set(COLUMN_FIELDS.values())


PLAN = {
    "title": "t",
    "overview": "o",
    "subjects": ["理论知识"],
    "pass_marks": {"理论知识": 60},
    "industry_only": False,
    "items": [{"occupation_code": "4-01-02-01", "occupation_name": "n", "level": 3}],
    "staff": [{"role": "proctor", "name": "张三", "id_type": "201", "id_number": "x"}],
    "candidates": [{"name": "李四", "source": "x"}],
}


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("BatchRequest", "overview"),
        ("BatchRequest", "pass_marks"),
        ("BatchRequest", "industry_only"),
        ("BatchItemEntry", "occupation_name"),
        ("BatchStaffEntry", "id_number"),
    ],
)
def test_the_plan_parser_reads_only_declared_keys(monkeypatch, name, field):
    monkeypatch.setattr(plans, name, without(getattr(shapes, name), field))
    with pytest.raises(UndeclaredField):
        plans.parse_plan(PLAN, partial=True)


def test_the_candidates_are_read_only_through_their_shape(monkeypatch):
    # Iterating a body yields only the declared keys: an undeclared column is never read.
    monkeypatch.setattr(plans, "BatchCandidateEntry", without(shapes.BatchCandidateEntry, "name"))
    with pytest.raises(plans.RowsInvalid) as refused:
        plans.check_candidates([{"name": "李四"}], [])
    assert any(row["column"] == "姓名" for row in refused.value.extra["rows"])


def test_the_implementation_and_results_parsers_read_only_declared_keys(monkeypatch):
    monkeypatch.setattr(implementation.BATCH_MACHINE, "check_party", lambda *a, **k: None)
    monkeypatch.setattr(
        implementation, "InspectionRequest", without(shapes.InspectionRequest, "stage")
    )
    monkeypatch.setattr(
        implementation, "AttendanceRequest", without(shapes.AttendanceRequest, "absent")
    )
    monkeypatch.setattr(results, "ResultsRequest", without(shapes.ResultsRequest, "results"))
    monkeypatch.setattr(results, "ResultEntry", without(shapes.ResultEntry, "scores"))
    batch = SimpleNamespace(
        subjects=["理论知识"], candidates=SimpleNamespace(values_list=lambda *a: [])
    )
    with pytest.raises(UndeclaredField):
        implementation.record_inspection(batch, {"stage": "x"}, actor=None)  # type: ignore[arg-type]
    with pytest.raises(UndeclaredField):
        implementation.record_attendance(batch, {"absent": []}, actor=None)  # type: ignore[arg-type]
    with pytest.raises(UndeclaredField):
        results.enter_results(batch, {"results": []}, actor=None)  # type: ignore[arg-type]
    with pytest.raises(UndeclaredField):
        results.check_results(batch, [{"id_number": "x", "scores": {}}])  # type: ignore[arg-type]


def test_the_segment_parser_reads_only_declared_keys(monkeypatch):
    shape = without(certificate_shapes.SegmentAllocation, "level")
    monkeypatch.setattr(segments, "SegmentAllocation", shape)
    center = User(username="center", role=Role.PROVINCE_CENTER)
    with pytest.raises(UndeclaredField):
        segments.allocate_segment({"organization": 1}, actor=center)
