"""A request id on every request and log line; log lines as JSON for a log collector.

``RequestIdMiddleware`` takes the id the proxy sent (``X-Request-ID``, when it looks like one)
or makes one, keeps it for the request's log lines and echoes it in the answer's
``X-Request-ID``, so a complaint, a proxy log line and the application's log lines meet on one
key. ``JsonFormatter`` writes one JSON object a line (``SKILLCERT_LOG_FORMAT=json``, the default
in production).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import uuid
from collections.abc import Callable

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponseBase

HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def request_id_from(header: str | None) -> str:
    """The proxy's id when it is a plain token of 8-64 characters, else a new one."""
    if header and _ACCEPTED.match(header):
        return header
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_from(request.headers.get(HEADER))
        # Kept until the answer is closed, not reset on the way out: Django logs an error answer
        # ("Not Found: …") after the middleware has returned it.
        current_request_id.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def _forget(**kwargs: object) -> None:
    current_request_id.set("-")


request_finished.connect(_forget, dispatch_uid="skillcert.request_id")


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", current_request_id.get()),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)
