"""Rate limits per client, counted in fixed time windows in a table every server process maps.

DRF's own throttle keeps every request's timestamp in one cache entry and rewrites the whole
list on each request; the file-based cache costs milliseconds a request, and a small SQLite
table (tried first) spent most of the busiest endpoint's time under load waiting on its write
lock between processes. Here the counts live in ``$SKILLCERT_DATA_DIR/ratelimit.table``, a
fixed-size file every process of the machine maps into memory: ``SLOTS`` slots of
``(key hash, window, count)``, found by open addressing from the key's BLAKE2b hash, updated
under an exclusive ``flock`` held for a few microseconds (the kernel wakes a waiting process;
nothing polls). A slot from an older window is reused; when every probed slot is busy in the
current window the oldest of them is taken over (a client then starts again at 1, which only
lets it through, never locks it out). The counts are not precious: the file is never synced.
"""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import struct
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from rest_framework.throttling import ScopedRateThrottle

SLOT = struct.Struct("<QqQ")  # key hash (never 0 for a used slot), window, count
SLOTS = 1 << 16  # 65,536 clients × scopes per window before slots are taken over: 1.5 MiB
PROBES = 16
TABLE_NAME = "ratelimit.table"

_lock = threading.Lock()  # the flock is per open file; threads of one process take turns here
_state: dict[str, Any] = {}


def _table() -> tuple[int, mmap.mmap]:
    """The table's file descriptor and mapping for this process and data directory."""
    data_dir = settings.DATA_DIR
    if _state.get("data_dir") is data_dir and _state.get("pid") == os.getpid():
        return _state["fd"], _state["map"]  # the usual case: no path arithmetic per request
    path = str(Path(data_dir) / TABLE_NAME)
    if _state.get("path") != path or _state.get("pid") != os.getpid():
        if _state.get("pid") == os.getpid():  # another data directory (tests): let go of ours
            _state["map"].close()
            os.close(_state["fd"])
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        size = SLOTS * SLOT.size
        if os.fstat(descriptor).st_size != size:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            try:
                if os.fstat(descriptor).st_size != size:  # new, or left by another version
                    os.ftruncate(descriptor, 0)
                    os.ftruncate(descriptor, size)  # all zeros: every slot free
            finally:
                fcntl.flock(descriptor, fcntl.LOCK_UN)
        _state.update(path=path, pid=os.getpid(), fd=descriptor, map=mmap.mmap(descriptor, size))
    _state["data_dir"] = data_dir
    return _state["fd"], _state["map"]


def _key_hash(key: str) -> int:
    digest = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")
    return digest or 1


def hit(key: str, window: int) -> int:
    """Count one request of ``key`` in ``window``; returns the count so far in it."""
    wanted = _key_hash(key)
    first = wanted % SLOTS
    with _lock:
        descriptor, table = _table()
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            chosen, oldest = -1, None
            for probe in range(PROBES):
                offset = ((first + probe) % SLOTS) * SLOT.size
                owner, slot_window, count = SLOT.unpack_from(table, offset)
                if owner == wanted:
                    count = count + 1 if slot_window == window else 1
                    SLOT.pack_into(table, offset, wanted, window, count)
                    return count
                if chosen < 0 and (owner == 0 or slot_window < window):
                    chosen = offset
                if oldest is None or slot_window < oldest[1]:
                    oldest = (offset, slot_window)
            if chosen < 0:
                assert oldest is not None
                chosen = oldest[0]
            SLOT.pack_into(table, chosen, wanted, window, 1)
            return 1
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)


def reset_counters() -> None:
    """Forget every count (tests start from zero)."""
    with _lock:
        descriptor, table = _table()
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            table[:] = bytes(len(table))
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)


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

    def get_cache_key(self, request: Any, view: Any) -> str:
        # As ScopedRateThrottle's, but the client's address is read from Django's request:
        # each attribute read through DRF's Request costs a proxied lookup, and the public
        # verification pays for every one.
        user = request.user
        if user and user.is_authenticated:
            ident = user.pk
        else:
            ident = self.get_ident(request._request)
        return f"throttle_{self.scope}_{ident}"

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)
