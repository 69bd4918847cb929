"""Sealing and verification of the audit chain (no writes here).

Each entry's ``hash`` is HMAC-SM3 (GB/T 32905, RFC 2104) of its canonical content under the
audit MAC key: a key derived from the master key (``keystore.master.derived_key("audit-mac-v1")``)
and stored nowhere, so someone who can write the database but does not hold the master key
cannot rewrite an entry and recompute the chain. Entries written before the key existed were
chained with plain SHA-256; migration ``0003_keyed_chain`` checked that chain and re-sealed every
entry with the key, and recorded the old chain's last hash in an ``audit.chain_resealed`` entry.
The content did not change, so ``verify_chain`` recomputes the old SHA-256 chain over the entries
before that entry and compares it with the recorded hash: the re-sealing is told apart from a
rewrite.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict, Unpack

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

from skillcert.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from skillcert.keystore.master import derived_key
from skillcert.keystore.sm import hmac_sm3

MAC_ALGORITHM = "HMAC-SM3"
MAC_LABEL = "audit-mac-v1"  # the derived key's label: a new key gets a new label
RESEALED_ACTION = "audit.chain_resealed"


def mac_key() -> bytes:
    """The audit chain's key (derived from the master key, cached per master key)."""
    return derived_key(MAC_LABEL)


def canonical_json(value: Any) -> str:
    """One text per value: sorted keys, no spaces, non-JSON types (dates, decimals) as text."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def timestamp_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


class EntryBody(TypedDict):
    """An entry's fields that do not depend on the chain's head."""

    business_date: dt.date
    actor: str
    actor_id: int | None
    actor_role: str
    action: str
    object_type: str
    object_id: str
    before: str
    after: str


class EntryFields(EntryBody):
    """What an entry's hash covers: every field of ``AuditEntry`` but the hash itself."""

    seq: int
    recorded_at: dt.datetime
    prev_hash: str


def entry_content(**fields: Unpack[EntryFields]) -> bytes:
    """The bytes an entry's seal covers: every field but the seal, as canonical JSON."""
    content = canonical_json(
        {
            **fields,
            "recorded_at": timestamp_text(fields["recorded_at"]),
            "business_date": fields["business_date"].isoformat(),
        }
    )
    return content.encode("utf-8")


def seal(content: bytes, key: bytes | None = None) -> str:
    """HMAC-SM3 of ``content`` under the audit key (or ``key``), 64 hex digits."""
    return hmac_sm3(mac_key() if key is None else key, content).hex()


def entry_hash(**fields: Unpack[EntryFields]) -> str:
    """The keyed seal of a new entry (what ``audit.record`` stores in ``hash``)."""
    return seal(entry_content(**fields))


# The fields that depend on the chain's head (or on the moment of appending) sort after every
# other key of the canonical JSON: ``audit.record`` seals the rest before it locks the head,
# and only these while it holds the lock (shorter waits for concurrent writers).
HEAD_KEYS = ("prev_hash", "recorded_at", "seq")


class PendingSeal(Protocol):
    """An entry's seal started on everything but ``HEAD_KEYS``."""

    def finish(self, *, seq: int, recorded_at: dt.datetime, prev_hash: str) -> str: ...


class _Pending:
    def __init__(self, state: Any, prefix: bytes) -> None:
        self._state = state
        self._state.update(prefix)

    def finish(self, *, seq: int, recorded_at: dt.datetime, prev_hash: str) -> str:
        tail = canonical_json(
            {"prev_hash": prev_hash, "recorded_at": timestamp_text(recorded_at), "seq": seq}
        )
        self._state.update(tail[1:].encode("utf-8"))  # without its "{"
        if isinstance(self._state, crypto_hmac.HMAC):
            return self._state.finalize().hex()
        return str(self._state.hexdigest())


def _prefix(body: EntryBody) -> bytes:
    data: dict[str, Any] = dict(body)
    assert not set(data) & set(HEAD_KEYS), "the head's fields are sealed by finish()"
    data["business_date"] = data["business_date"].isoformat()
    return (canonical_json(data)[:-1] + ",").encode("utf-8")  # without its "}"


def begin_seal(body: EntryBody, key: bytes | None = None) -> PendingSeal:
    """Start the keyed seal of a new entry on its fields but ``HEAD_KEYS``; ``finish`` gives
    what ``entry_hash`` gives for the whole entry."""
    state = crypto_hmac.HMAC(mac_key() if key is None else key, hashes.SM3())
    return _Pending(state, _prefix(body))


def begin_sha256_seal(body: EntryBody, key: bytes | None = None) -> PendingSeal:
    """The same for the old, unkeyed SHA-256 seal (only the benchmark compares with it)."""
    return _Pending(hashlib.sha256(), _prefix(body))


def sha256_entry_hash(**fields: Unpack[EntryFields]) -> str:
    """The seal entries had before the key (plain SHA-256): only to check the old chain."""
    return hashlib.sha256(entry_content(**fields)).hexdigest()


def fields_of(entry: AuditEntry) -> EntryFields:
    return EntryFields(
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


def hash_of(entry: AuditEntry, key: bytes | None = None) -> str:
    return seal(entry_content(**fields_of(entry)), key)


def sha256_hash_of(entry: AuditEntry, prev_hash: str) -> str:
    """The old, unkeyed hash of ``entry`` linked to ``prev_hash`` (the old chain's link)."""
    fields = fields_of(entry)
    fields["prev_hash"] = prev_hash
    return sha256_entry_hash(**fields)


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


def verify_chain(chunk_size: int = 2000, *, key: bytes | None = None) -> Verification:
    """Walk the chain in order and name the first entry that does not fit (its seal is
    checked under the audit key, or ``key``)."""
    key = mac_key() if key is None else key
    prev_hash = GENESIS_HASH
    # The SHA-256 chain of the entries before the re-sealing (none on a chain begun keyed).
    resealed = AuditEntry.objects.filter(action=RESEALED_ACTION).exists()
    old_chain: str | None = GENESIS_HASH if resealed else None
    expected_seq = 1
    count = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        problem = entry_problem(entry, expected_seq, prev_hash, key)
        if not problem and old_chain is not None:
            if entry.action == RESEALED_ACTION:
                problem = _resealed_problem(entry, old_chain)
                old_chain = None
            else:
                old_chain = sha256_hash_of(entry, old_chain)
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


def entry_problem(entry: AuditEntry, expected_seq: int, prev_hash: str, key: bytes) -> str:
    """Why ``entry`` does not fit where it stands (sequence, link, keyed hash), or ""."""
    if entry.seq > expected_seq:
        return f"sequence jumps from {expected_seq - 1} to {entry.seq}: entries were deleted"
    if entry.seq < expected_seq:  # pragma: no cover - seq is unique and ordered
        return f"sequence {entry.seq} repeats"
    if entry.prev_hash != prev_hash:
        return (
            "does not link to the previous entry's hash: an entry before it was changed, "
            "deleted, inserted or moved"
        )
    if hash_of(entry, key) != entry.hash:
        return (
            "content does not match its keyed hash (HMAC-SM3): the entry was changed, "
            "or sealed without the audit key"
        )
    return ""


def _resealed_problem(entry: AuditEntry, old_chain: str) -> str:
    """The re-sealing entry names the last hash of the SHA-256 chain it replaced: the entries
    before it, chained again with SHA-256, must end in that hash."""
    try:
        recorded = json.loads(entry.after).get("sha256_head")
    except (ValueError, AttributeError):
        recorded = None
    if recorded != old_chain:
        return (
            "the entries before the re-sealing do not chain (SHA-256) to the hash it recorded: "
            "an entry before it was changed"
        )
    return ""
