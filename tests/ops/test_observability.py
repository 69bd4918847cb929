"""Every answer carries X-Request-ID, and the request's log lines carry the same id."""

from __future__ import annotations

import json
import logging
import re

import pytest

from skillcert.ops import observability
from skillcert.ops.observability import JsonFormatter, RequestIdFilter, request_id_from

NEW_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/",  # a page
        "/api/v1/me",  # the API (401)
        "/api/v1/public/certificates/S000034010001263999999?name=x",  # the fast path (404)
        "/healthz",
    ],
)
def test_every_answer_carries_a_request_id(client, path):
    response = client.get(path)
    assert NEW_ID.match(response["X-Request-ID"])


@pytest.mark.django_db
def test_the_proxys_id_is_kept_and_a_strange_one_replaced(client):
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-7f3a9c01")
    assert kept["X-Request-ID"] == "nginx-7f3a9c01"
    for strange in ["short", "a b c d e f g h", "x" * 65, "id\r\nSet-Cookie: a=b"]:
        replaced = client.get("/healthz", HTTP_X_REQUEST_ID=strange)
        assert NEW_ID.match(replaced["X-Request-ID"]), strange


@pytest.mark.django_db
def test_log_lines_of_a_request_carry_its_id(client):
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.get("/no-such-page", HTTP_X_REQUEST_ID="req-0000abcd")
    finally:
        logger.removeHandler(handler)
    assert records, "Django logs the 404"
    assert {r.request_id for r in records} == {"req-0000abcd"}
    assert observability.current_request_id.get() == "-"  # forgotten once the answer closed


def test_json_lines():
    record = logging.LogRecord(
        "skillcert.x", logging.WARNING, __file__, 1, "证书 %s", ("已撤销",), None
    )
    token = observability.current_request_id.set("req-12345678")
    try:
        RequestIdFilter().filter(record)
    finally:
        observability.current_request_id.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "WARNING" and line["logger"] == "skillcert.x"
    assert line["message"] == "证书 已撤销" and line["request_id"] == "req-12345678"
    assert line["time"].endswith("+00:00")


def test_request_id_from():
    assert request_id_from("abcdefgh") == "abcdefgh"
    assert NEW_ID.match(request_id_from(None))
