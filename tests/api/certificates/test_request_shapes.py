"""The certificates' writes: the contract publishes each request shape, the parsers read no more."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from skillcert.certificates import inputs as shapes
from skillcert.certificates.national import access as national
from skillcert.certificates.services import lifecycle
from skillcert.certificates.services import segment_requests as requests
from skillcert.rules.inputs import Body, UndeclaredField, doc_of, names_of
from tests.support.shapes import resolve, without

JSON = "application/json"
MULTIPART = "multipart/form-data"
ENDPOINTS = [
    ("/api/v1/certificates/{number}/revoke", JSON, shapes.CertificateReason),
    ("/api/v1/certificates/{number}/reissue", JSON, shapes.CertificateReason),
    ("/api/v1/certificates/{number}/correct", JSON, shapes.CertificateCorrection),
    ("/api/v1/batches/{id}/candidates/{id_number}/photo", MULTIPART, shapes.PhotoUpload),
    ("/api/v1/national/exports", JSON, shapes.NationalExportRequest),
    ("/api/v1/segment-requests", JSON, shapes.SegmentRequestCreate),
    ("/api/v1/segment-requests/{id}/grant", JSON, shapes.SegmentRequestGrant),
    ("/api/v1/segment-requests/{id}/refuse", JSON, shapes.SegmentRequestRefuse),
]


@pytest.mark.parametrize(("path", "media", "shape"), ENDPOINTS)
def test_each_write_publishes_its_shape(schema, path, media, shape):
    body = schema["paths"][path]["post"]["requestBody"]["content"][media]["schema"]
    assert body["$ref"].endswith(f"/{shape.__name__}Request")  # the component keeps its name
    published = resolve(schema, body)
    assert set(published["properties"]) == names_of(shape)
    required = {f.name for f in dataclasses.fields(shape) if doc_of(f).required}
    assert set(published.get("required", [])) == required


def test_a_keyword_field_is_read_by_its_wire_name():
    body = Body(shapes.NationalExportRequest, {"from": "2026-01-01", "extra": 1})
    assert body.get("from") == "2026-01-01" and list(body) == ["from"]
    with pytest.raises(UndeclaredField):
        body.get("extra")


@pytest.mark.parametrize("field", ["batch", "from", "changes"])
def test_the_export_parser_reads_only_declared_keys(monkeypatch, field):
    shape = without(shapes.NationalExportRequest, field)
    monkeypatch.setattr(national, "NationalExportRequest", shape)
    with pytest.raises(UndeclaredField):
        national.parse_export_request({})


def test_the_correction_parser_reads_only_declared_keys():
    for field in ("name", "work_unit"):
        body = Body(without(shapes.CertificateCorrection, field), {})
        with pytest.raises(UndeclaredField):
            lifecycle._corrections(body, None)  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["year", "count", "level", "reason"])
def test_the_segment_request_parser_reads_only_declared_keys(monkeypatch, field):
    monkeypatch.setattr(
        requests, "SegmentRequestCreate", without(shapes.SegmentRequestCreate, field)
    )
    with pytest.raises(UndeclaredField):
        requests.request_segments(None, {}, actor=None)  # type: ignore[arg-type]


def test_the_grant_parser_reads_only_declared_keys(db, monkeypatch):
    machine = requests.SEGMENT_REQUEST_MACHINE
    item = SimpleNamespace(pk=1, organization_id=1, year=2026, level=3)
    monkeypatch.setattr(machine, "check_party", lambda *args: None)
    monkeypatch.setattr(machine, "lock", lambda pk: item)
    monkeypatch.setattr(machine, "check", lambda *args: None)
    monkeypatch.setattr(
        requests, "SegmentRequestGrant", without(shapes.SegmentRequestGrant, "last")
    )
    with pytest.raises(UndeclaredField):
        requests.grant_segment_request(item, {}, actor=None)  # type: ignore[arg-type]
