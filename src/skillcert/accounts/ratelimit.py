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
"""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import struct
import threading
from pathlib import Path
from typing import Any

from django.conf import settings

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


def hit(key: str, window: int, duration: int) -> int:
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


def reset_counters() -> None:
    """Forget every count (tests start from zero)."""
    with _lock:
        descriptor, table = _table()
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            table[:] = bytes(len(table))
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
