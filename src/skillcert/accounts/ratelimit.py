"""Rate limits per client, counted in fixed time windows in a table every server process maps.

DRF's own throttle keeps every request's timestamp in one cache entry and rewrites the whole
list on each request; the file-based cache costs milliseconds a request, and a small SQLite
table (tried first) spent most of the busiest endpoint's time under load waiting on its write
lock between processes. Here the counts live in ``$SKILLCERT_DATA_DIR/ratelimit-….table``, a
fixed-size file every process of the machine maps into memory: ``SLOTS`` slots of
``(key hash, window end, count)``, found by open addressing from the key's BLAKE2b hash, updated
under an exclusive ``flock`` held for a few microseconds (the kernel wakes a waiting process;
nothing polls). A slot whose window has ended is reused; when every probed slot is still
counting, the one whose window ends first is taken over (a client then starts again at 1, which only
lets it through, never locks it out). The counts are not precious: the file is never synced.

With several app servers (``SKILLCERT_REDIS_URL`` set) the counts live in Redis instead, so the
limits hold for the whole installation rather than per host: one key per client, scope and
window, incremented and given its lifetime in one atomic script. Both are ``Counters``; the
settings choose one (``counters()``), and the throttles call ``hit`` whichever it is. Redis
unreachable means limits are not enforced for a moment, never that requests fail: ``hit`` then
counts nothing (the request passes) and logs a warning, and asks Redis again after
``REDIS_RETRY_SECONDS`` (a Redis that does not answer must not cost each request a timeout).
Login attempts (``/login`` and the token endpoint, scope ``auth``) are counted here too.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import mmap
import os
import struct
import threading
import time
from pathlib import Path
from typing import Any, Protocol

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

SLOT = struct.Struct("<QqQ")  # key hash (never 0 for a used slot), window end (epoch s), count
SLOTS = 1 << 16  # 65,536 clients × scopes in their windows before slots are taken over: 1.5 MiB
PROBES = 16
# The layout is in the name: a table of another layout is another file, never resized under
# processes that still map the old one.
TABLE_NAME = f"ratelimit-{SLOTS}x{SLOT.size}.table"

_lock = threading.Lock()  # the flock is per open file; threads of one process take turns here
_state: dict[str, Any] = {}


def _open_table(path: str, size: int) -> tuple[int, mmap.mmap]:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if os.fstat(descriptor).st_size != size:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            try:
                if os.fstat(descriptor).st_size != size:  # new, or a torn creation
                    os.ftruncate(descriptor, 0)
                    os.ftruncate(descriptor, size)  # all zeros: every slot free
            finally:
                fcntl.flock(descriptor, fcntl.LOCK_UN)
        return descriptor, mmap.mmap(descriptor, size)
    except BaseException:
        os.close(descriptor)
        raise


def _table() -> tuple[int, mmap.mmap]:
    """The table's file descriptor and mapping for this process and data directory."""
    data_dir = settings.DATA_DIR
    if _state.get("data_dir") is data_dir and _state.get("pid") == os.getpid():
        return _state["fd"], _state["map"]  # the usual case: no path arithmetic per request
    path = str(Path(data_dir) / TABLE_NAME)
    if _state.get("path") != path or _state.get("pid") != os.getpid():
        previous = dict(_state)
        _state.clear()  # nothing half-closed stays behind if the new table cannot be opened
        if previous.get("pid") == os.getpid():  # another data directory (tests): let ours go
            previous["map"].close()
            os.close(previous["fd"])
        descriptor, table = _open_table(path, SLOTS * SLOT.size)
        _state.update(path=path, pid=os.getpid(), fd=descriptor, map=table)
    _state["data_dir"] = data_dir
    return _state["fd"], _state["map"]


def _key_hash(key: str) -> int:
    digest = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")
    return digest or 1


def _table_hit(key: str, window: int, duration: int) -> int:
    """Count one request of ``key`` in ``window`` (``now // duration``); returns the count so
    far in it. A slot is free once its window has ended, whatever that window's length: an
    hourly count is never taken for a minute's."""
    wanted = _key_hash(key)
    first = wanted % SLOTS
    end = (window + 1) * duration
    now = window * duration  # the window's start: any slot ended by then is free
    with _lock:
        descriptor, table = _table()
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            chosen, soonest = -1, None
            for probe in range(PROBES):
                offset = ((first + probe) % SLOTS) * SLOT.size
                owner, slot_end, count = SLOT.unpack_from(table, offset)
                if owner == wanted:
                    count = count + 1 if slot_end == end else 1
                    SLOT.pack_into(table, offset, wanted, end, count)
                    return count
                if chosen < 0 and (owner == 0 or slot_end <= now):
                    chosen = offset
                if soonest is None or slot_end < soonest[1]:
                    soonest = (offset, slot_end)
            if chosen < 0:
                # Every probed slot is counting a live window: take over the one ending first
                # (that client starts again at 1: let through, never locked out).
                assert soonest is not None
                chosen = soonest[0]
            SLOT.pack_into(table, chosen, wanted, end, 1)
            return 1
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)


def _table_reset() -> None:
    with _lock:
        descriptor, table = _table()
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            table[:] = bytes(len(table))
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)


class Counters(Protocol):
    """Where the counts live: this host's table, or Redis shared by every app server."""

    def hit(self, key: str, window: int, duration: int) -> int:
        """Count one request of ``key`` in ``window`` (``now // duration``); returns the count
        so far in it (0 when nothing could be counted: the request passes)."""
        ...

    def reset(self) -> None:
        """Forget every count (tests start from zero)."""
        ...


class TableCounters:
    """The table of this host's processes (above): the single-host default."""

    def hit(self, key: str, window: int, duration: int) -> int:
        return _table_hit(key, window, duration)

    def reset(self) -> None:
        _table_reset()


REDIS_PREFIX = "skillcert:ratelimit:"
REDIS_TIMEOUT_SECONDS = 0.5  # a request waits at most this long on an unanswering Redis
REDIS_RETRY_SECONDS = 5.0  # after a failure, requests pass uncounted this long before a retry
# INCR and EXPIRE in one step: a key is never left without an end. The window is in the key,
# so an expiry only frees memory; it is set from the first hit for the window's whole length
# (never before the window ends, whatever Redis's clock says).
_HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


class RedisCounters:
    """Counts in Redis, shared by every app server that names the same ``url``."""

    def __init__(self, url: str, *, timeout: float = REDIS_TIMEOUT_SECONDS) -> None:
        self.url = url
        self.client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._script = self.client.register_script(_HIT_SCRIPT)
        self._retry_at = 0.0  # time.monotonic() before which Redis is not asked again

    @staticmethod
    def key(key: str, window: int, duration: int) -> str:
        return f"{REDIS_PREFIX}{duration}:{window}:{key}"

    def hit(self, key: str, window: int, duration: int) -> int:
        if time.monotonic() < self._retry_at:
            return 0
        try:
            count = self._script(keys=[self.key(key, window, duration)], args=[duration])
        except redis.RedisError as exc:
            self._retry_at = time.monotonic() + REDIS_RETRY_SECONDS
            logger.warning(
                "限流计数服务（Redis）无法访问，%s 秒内请求不计数、直接放行：%s: %s",
                int(REDIS_RETRY_SECONDS),
                type(exc).__name__,
                exc,
            )
            return 0
        return int(count)

    def ping(self) -> None:
        """Raise unless Redis answers (the readiness check; ignores the pause after a failure)."""
        if not self.client.ping():
            raise RuntimeError("no answer to PING")

    def reset(self) -> None:
        self._retry_at = 0.0
        keys = list(self.client.scan_iter(match=f"{REDIS_PREFIX}*", count=1000))
        if keys:
            self.client.delete(*keys)


_TABLE = TableCounters()
_redis_counters: dict[str, RedisCounters] = {}


def redis_url() -> str:
    """``SKILLCERT_REDIS_URL``, or empty when this host counts alone."""
    return str(getattr(settings, "SKILLCERT_REDIS_URL", "") or "")


def counters() -> Counters:
    """The counters the settings choose: Redis when ``SKILLCERT_REDIS_URL`` is set."""
    url = redis_url()
    if not url:
        return _TABLE
    return redis_counters(url)


def redis_counters(url: str) -> RedisCounters:
    """This process's client of the Redis at ``url`` (one connection pool per URL)."""
    found = _redis_counters.get(url)
    if found is None:
        found = _redis_counters[url] = RedisCounters(url)
    return found


def hit(key: str, window: int, duration: int) -> int:
    """Count one request of ``key`` in ``window`` (``now // duration``) where the settings
    keep the counts; returns the count so far in it."""
    return counters().hit(key, window, duration)


def reset_counters() -> None:
    """Forget every count (tests start from zero)."""
    counters().reset()
