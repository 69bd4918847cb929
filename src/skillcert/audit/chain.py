"""Hashing and verification of the audit chain (no writes here)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack

from skillcert.audit.models import GENESIS_HASH, AuditEntry, AuditHead


def canonical_json(value: Any) -> str:
    """One text per value: sorted keys, no spaces, non-JSON types (dates, decimals) as text."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def timestamp_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


class EntryFields(TypedDict):
    """What an entry's hash covers: every field of ``AuditEntry`` but the hash itself."""

    seq: int
    recorded_at: dt.datetime
    business_date: dt.date
    actor: str
    actor_id: int | None
    actor_role: str
    action: str
    object_type: str
    object_id: str
    before: str
    after: str
    prev_hash: str


def entry_hash(**fields: Unpack[EntryFields]) -> str:
    content = canonical_json(
        {
            **fields,
            "recorded_at": timestamp_text(fields["recorded_at"]),
            "business_date": fields["business_date"].isoformat(),
        }
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def hash_of(entry: AuditEntry) -> str:
    return entry_hash(
        seq=entry.seq,
        recorded_at=entry.recorded_at,
        business_date=entry.business_date,
        actor=entry.actor,
        actor_id=entry.actor_id,
        actor_role=entry.actor_role,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        before=entry.before,
        after=entry.after,
        prev_hash=entry.prev_hash,
    )


@dataclass(frozen=True)
class Verification:
    ok: bool
    count: int
    bad_seq: int | None = None
    bad_id: int | None = None
    reason: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"ok: {self.count} entries"
        where = f"entry seq={self.bad_seq} id={self.bad_id}" if self.bad_id else "chain head"
        return f"broken: {where}: {self.reason}"


def verify_chain(chunk_size: int = 2000) -> Verification:
    """Walk the chain in order and name the first entry that does not fit."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    count = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        problem = _entry_problem(entry, expected_seq, prev_hash)
        if problem:
            return Verification(False, count, entry.seq, entry.pk, problem)
        prev_hash = entry.hash
        expected_seq += 1
        count += 1
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if head_seq != count or head_hash != prev_hash:
        return Verification(
            False,
            count,
            reason=(
                f"the head records {head_seq} entries ending in {head_hash[:12]}…, "
                f"the table ends after {count} entries in {prev_hash[:12]}…: "
                "entries at the end were deleted or added outside the audit service"
            ),
        )
    return Verification(True, count)


def _entry_problem(entry: AuditEntry, expected_seq: int, prev_hash: str) -> str:
    if entry.seq > expected_seq:
        return f"sequence jumps from {expected_seq - 1} to {entry.seq}: entries were deleted"
    if entry.seq < expected_seq:  # pragma: no cover - seq is unique and ordered
        return f"sequence {entry.seq} repeats"
    if entry.prev_hash != prev_hash:
        return (
            "does not link to the previous entry's hash: an entry before it was changed, "
            "deleted, inserted or moved"
        )
    if hash_of(entry) != entry.hash:
        return "content does not match its hash: the entry was changed"
    return ""
