"""Rate limits per client, counted in fixed time windows in a small SQLite file.

DRF's own throttle keeps every request's timestamp in one cache entry and rewrites the whole
list on each request, and the file-based cache costs milliseconds a request. Here each client
has one row per scope: ``(key, window, count)``, updated by one atomic statement in
``$SKILLCERT_DATA_DIR/ratelimit.sqlite3`` that every server process of the machine shares
(the counts are not precious: no fsync). A request costs a few tens of microseconds.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from rest_framework.throttling import ScopedRateThrottle

_local = threading.local()

UPSERT = """
INSERT INTO counters (key, window, count) VALUES (?, ?, 1)
ON CONFLICT(key) DO UPDATE SET
    count = CASE WHEN counters.window = excluded.window THEN counters.count + 1 ELSE 1 END,
    window = excluded.window
RETURNING count
"""


def _path() -> str:
    return str(Path(settings.DATA_DIR) / "ratelimit.sqlite3")


def _connection() -> sqlite3.Connection:
    connection = getattr(_local, "connection", None)
    if connection is not None and _local.data_dir is settings.DATA_DIR:
        return connection  # the usual case: no path arithmetic per request
    path = _path()
    if connection is None or getattr(_local, "path", None) != path:
        connection = sqlite3.connect(path, timeout=5, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS counters "
            "(key TEXT PRIMARY KEY, window INTEGER NOT NULL, count INTEGER NOT NULL)"
        )
        _local.connection, _local.path = connection, path
    _local.data_dir = settings.DATA_DIR
    return connection


def hit(key: str, window: int) -> int:
    """Count one request of ``key`` in ``window``; returns the count so far in it."""
    return int(_connection().execute(UPSERT, (key, window)).fetchone()[0])


def reset_counters() -> None:
    """Forget every count (tests start from zero)."""
    _connection().execute("DELETE FROM counters")


class WindowRateThrottle(ScopedRateThrottle):
    def allow_request(self, request: Any, view: Any) -> bool:
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = time.time()
        window = int(now // self.duration)
        if hit(key, window) > self.num_requests:
            self._wait = (window + 1) * self.duration - now
            return False
        return True

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)
