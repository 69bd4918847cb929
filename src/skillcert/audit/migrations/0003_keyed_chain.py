"""Re-seal the audit chain with HMAC-SM3 under the audit key (issue 13, item 3).

Until now each entry's hash was plain SHA-256: anyone able to write the table could change an
entry and recompute the chain and the head. This migration

1. walks the existing chain and checks it exactly as ``skillcert audit verify`` did (sequence,
   links, SHA-256 of each entry, the head): a broken chain stops the migration, naming the
   entry, and nothing is changed (find out what happened first; see docs/operations.md);
2. re-seals every entry, in order, with HMAC-SM3 under ``derived_key("audit-mac-v1")`` (the
   contents stay as they are; ``prev_hash`` and ``hash`` become the keyed ones), and the head;
3. appends an ``audit.chain_resealed`` entry, sealed with the key, recording how many entries
   were re-sealed and the last hash of the SHA-256 chain. The contents did not change, so
   ``verify_chain`` recomputes that SHA-256 chain and compares it with the recorded hash: the
   re-sealing can be told apart from a rewrite, and a copy of the old head kept elsewhere still
   checks.

The append-only trigger is set aside for the re-sealing only (the migration's role owns the
table) and put back. Self-contained on purpose: later changes to ``chain.py`` do not change
what this migration did. An empty chain (a new installation) is left as it is.

Existing entries are re-sealed only with the operator's consent (``SKILLCERT_AUDIT_RESEAL=1``
for the upgrade's ``migrate``): otherwise a database owner who rewrote the SHA-256 chain,
deleted the re-sealing entry and this migration's ``django_migrations`` row could have the
rewrite re-sealed as a valid keyed chain. Irreversible.
"""

import datetime as dt
import hashlib
import json
import os

from django.db import migrations
from django.utils import timezone

GENESIS_HASH = "0" * 64
LABEL = "audit-mac-v1"
FIELDS = (
    "seq",
    "recorded_at",
    "business_date",
    "actor",
    "actor_id",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "prev_hash",
)
CHUNK = 2000


def _content(values):
    data = dict(values)
    data["recorded_at"] = data["recorded_at"].astimezone(dt.UTC).isoformat(timespec="microseconds")
    data["business_date"] = data["business_date"].isoformat()
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.encode("utf-8")


def _canonical(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _trigger(schema_editor, enable):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        state = "ENABLE" if enable else "DISABLE"
        schema_editor.execute(
            f"ALTER TABLE audit_auditentry {state} TRIGGER audit_entry_append_only"
        )
    elif vendor == "sqlite":
        if enable:
            schema_editor.execute(
                "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE ON audit_auditentry "
                "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only (UPDATE refused)'); END;"
            )
        else:
            schema_editor.execute("DROP TRIGGER IF EXISTS audit_entry_append_only")


CONSENT = "SKILLCERT_AUDIT_RESEAL"


def _require_consent(count):
    """Re-sealing turns whatever SHA-256 chain is found into a valid keyed one: a database
    owner who rewrote history with SHA-256, deleted the re-sealing entry and the
    ``django_migrations`` rows and let ``migrate`` run again would get a forged keyed chain.
    So existing entries are re-sealed only with the operator's explicit consent, given once for
    this upgrade (``SKILLCERT_AUDIT_RESEAL=1``); an empty table needs none."""
    if os.environ.get(CONSENT, "") == "1":
        return
    raise RuntimeError(
        f"The audit migration 0003_keyed_chain re-seals the {count} existing audit entries "
        "under the keyed MAC (HMAC-SM3): whatever chain is found becomes the keyed chain. "
        f"If this is the planned upgrade, set {CONSENT}=1 once for this migrate run "
        "(see docs/operations.md). "
        f"审计记录迁移 0003_keyed_chain 将以带密钥的 HMAC-SM3 重新封存现有的 {count} 条审计记录，"
        "现存记录链将成为新的带密钥记录链。如确属计划内的升级，请仅在本次执行 migrate 时设置"
        f"环境变量 {CONSENT}=1（见 docs/operations.md）；否则请先用 skillcert audit verify "
        "查明情况，不要设置该变量"
    )


def reseal(apps, schema_editor):
    from skillcert.keystore.master import derived_key
    from skillcert.keystore.sm import hmac_sm3
    from skillcert.rules import clock

    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditHead = apps.get_model("audit", "AuditHead")
    db = schema_editor.connection.alias
    head = AuditHead.objects.using(db).select_for_update().filter(pk=1).first()
    entries = AuditEntry.objects.using(db).order_by("seq")
    if head is None or not entries.exists():
        return
    key = derived_key(LABEL)

    # 1. The SHA-256 chain as it stands must check.
    prev, expected = GENESIS_HASH, 1
    for values in entries.values("id", "hash", *FIELDS).iterator(chunk_size=CHUNK):
        if values["seq"] != expected or values["prev_hash"] != prev:
            raise RuntimeError(
                f"审计记录链在第 {values['seq']} 条处断开（序号或前一条哈希不符），"
                "未重新封存：请先用 skillcert audit verify 查明原因"
            )
        fields = {name: values[name] for name in FIELDS}
        if hashlib.sha256(_content(fields)).hexdigest() != values["hash"]:
            raise RuntimeError(
                f"审计记录第 {values['seq']} 条的内容与其哈希不符，未重新封存："
                "请先用 skillcert audit verify 查明原因"
            )
        prev, expected = values["hash"], expected + 1
    if (head.seq, head.hash) != (expected - 1, prev):
        raise RuntimeError(
            f"审计链头（{head.seq} 条）与记录（{expected - 1} 条）不符，未重新封存："
            "请先用 skillcert audit verify 查明原因"
        )
    old_head, count = prev, expected - 1
    _require_consent(count)

    # 2. Re-seal every entry with the key, in order.
    _trigger(schema_editor, enable=False)
    prev = GENESIS_HASH
    batch = []
    for entry in entries.iterator(chunk_size=CHUNK):
        entry.prev_hash = prev
        entry.hash = hmac_sm3(key, _content({n: getattr(entry, n) for n in FIELDS})).hex()
        prev = entry.hash
        batch.append(entry)
        if len(batch) >= CHUNK:
            AuditEntry.objects.using(db).bulk_update(batch, ["prev_hash", "hash"])
            batch = []
    if batch:
        AuditEntry.objects.using(db).bulk_update(batch, ["prev_hash", "hash"])
    _trigger(schema_editor, enable=True)

    # 3. The re-sealing, recorded in the keyed chain with the old chain's last hash.
    fields = {
        "seq": count + 1,
        "recorded_at": timezone.now(),
        "business_date": clock.today(),
        "actor": "system",
        "actor_id": None,
        "actor_role": "system",
        "action": "audit.chain_resealed",
        "object_type": "audit.auditentry",
        "object_id": "",
        "before": _canonical({"algorithm": "SHA-256"}),
        "after": _canonical(
            {"algorithm": "HMAC-SM3", "key": LABEL, "entries": count, "sha256_head": old_head}
        ),
        "prev_hash": prev,
    }
    digest = hmac_sm3(key, _content(fields)).hex()
    AuditEntry.objects.using(db).create(hash=digest, **fields)
    AuditHead.objects.using(db).filter(pk=1).update(seq=count + 1, hash=digest)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    # Irreversible: the SHA-256 chain cannot be restored without letting anyone recompute it.
    operations = [migrations.RunPython(reseal, None)]
