"""The keyed chain (HMAC-SM3 under a key derived from the master key): the red-team rewrite —
change an entry and recompute the chain and the head without the key — no longer verifies,
and the migration that re-sealed the old SHA-256 chain is told apart from a rewrite."""

from __future__ import annotations

import hashlib
import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from skillcert.audit import chain
from skillcert.audit import service as audit
from skillcert.audit.chain import verify_chain
from skillcert.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from skillcert.keystore.sm import hmac_sm3

pytestmark = pytest.mark.django_db

reseal_migration = importlib.import_module("skillcert.audit.migrations.0003_keyed_chain")


def append(n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            audit.record(
                actor=audit.SYSTEM,
                action="test.thing_changed",
                object_type="test.thing",
                object_id=i,
                before={"value": i},
                after={"value": i + 1},
            )


def without_trigger(statements: list[tuple[str, list]]) -> None:
    """Run SQL with the append-only trigger out of the way (an attacker with DDL rights)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_append_only")
        for sql, params in statements:
            cursor.execute(sql, params)


def sha256_seal(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def keyed_seal(key: bytes):
    return lambda content: hmac_sm3(key, content).hex()


def rewrite(seq: int, after: str, seal) -> None:
    """The red-team rewrite: change entry ``seq``, recompute every later link and hash and the
    head with ``seal``, as someone who can write the database would."""
    entries = list(AuditEntry.objects.order_by("seq"))
    prev = GENESIS_HASH
    statements = []
    for entry in entries:
        if entry.seq == seq:
            entry.after = after
        if entry.seq >= seq:
            entry.prev_hash = prev
            entry.hash = seal(chain.entry_content(**chain.fields_of(entry)))
            statements.append(
                (
                    "UPDATE audit_auditentry SET after = %s, prev_hash = %s, hash = %s"
                    " WHERE seq = %s",
                    [entry.after, entry.prev_hash, entry.hash, entry.seq],
                )
            )
        prev = entry.hash
    statements.append(("UPDATE audit_audithead SET hash = %s WHERE id = 1", [prev]))
    without_trigger(statements)


def test_entries_are_sealed_with_hmac_sm3_under_the_derived_key():
    append(2)
    entry = AuditEntry.objects.get(seq=2)
    content = chain.entry_content(**chain.fields_of(entry))
    from skillcert.keystore.master import derived_key

    assert entry.hash == hmac_sm3(derived_key("audit-mac-v1"), content).hex()
    assert entry.hash != hashlib.sha256(content).hexdigest()


def test_the_seal_begun_before_the_lock_equals_the_seal_of_the_whole_entry():
    import datetime as dt

    body = {
        "business_date": dt.date(2026, 12, 2),
        "actor": "合肥市人社局 张明",
        "actor_id": 7,
        "actor_role": "city_bureau",
        "action": "registry.filing_approved",
        "object_type": "registry.filing",
        "object_id": "12",
        "before": '{"state":"待审"}',
        "after": '{"note":"同意\\n备案","state":"已备案"}',
    }
    head = {
        "seq": 42,
        "recorded_at": dt.datetime(2026, 12, 2, 8, 1, tzinfo=dt.UTC),
        "prev_hash": "a" * 64,
    }
    whole = chain.entry_content(**body, **head)
    assert chain.begin_seal(body).finish(**head) == chain.entry_hash(**body, **head)
    assert chain.begin_seal(body).finish(**head) == hmac_sm3(chain.mac_key(), whole).hex()
    assert chain.begin_sha256_seal(body).finish(**head) == hashlib.sha256(whole).hexdigest()


def test_red_team_rewrite_recomputed_with_sha256_is_named():
    append(105)
    rewrite(100, '{"value":"篡改"}', sha256_seal)
    assert AuditHead.objects.get(pk=1).hash == AuditEntry.objects.get(seq=105).hash
    result = verify_chain()
    assert not result.ok
    assert result.bad_seq == 100
    assert "HMAC-SM3" in result.reason
    with pytest.raises(CommandError, match="seq=100"):
        call_command("audit", "verify")


def test_rewrite_sealed_with_a_wrong_key_is_named():
    append(6)
    rewrite(3, '{"value":"篡改"}', keyed_seal(b"k" * 32))
    result = verify_chain()
    assert not result.ok and result.bad_seq == 3


def test_verify_with_another_key_fails_at_the_first_entry():
    append(3)
    assert verify_chain().ok
    result = verify_chain(key=b"x" * 32)
    assert not result.ok and result.bad_seq == 1


def test_rewrite_with_the_key_itself_passes_the_chain():
    """What the key cannot stop (whoever holds the master key): the signed checkpoints do
    (tests/audit/test_checkpoints.py)."""
    append(4)
    rewrite(2, '{"value":"篡改"}', keyed_seal(chain.mac_key()))
    assert verify_chain().ok


# -- the migration that re-sealed the SHA-256 chain ----------------------------------------


class Editor:
    """What the migration's function uses of a schema editor, on the test's connection."""

    def __init__(self) -> None:
        self.connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def old_chain(n: int) -> str:
    """``n`` entries as the platform wrote them before the key (plain SHA-256); the head."""
    append(n)  # then re-sealed below with SHA-256, as they were
    prev = GENESIS_HASH
    statements = []
    for entry in AuditEntry.objects.order_by("seq"):
        entry.prev_hash = prev
        entry.hash = sha256_seal(chain.entry_content(**chain.fields_of(entry)))
        statements.append(
            (
                "UPDATE audit_auditentry SET prev_hash = %s, hash = %s WHERE seq = %s",
                [entry.prev_hash, entry.hash, entry.seq],
            )
        )
        prev = entry.hash
    statements.append(("UPDATE audit_audithead SET hash = %s WHERE id = 1", [prev]))
    without_trigger(statements)
    if connection.vendor == "sqlite":  # put the trigger back, as the database had it
        Editor().execute(
            "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE ON audit_auditentry "
            "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only (UPDATE refused)'); END;"
        )
    else:
        Editor().execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")
    return prev


@pytest.fixture(autouse=True)
def _no_consent(monkeypatch):
    """No test inherits the operator's consent from the environment."""
    monkeypatch.delenv(reseal_migration.CONSENT, raising=False)


@pytest.fixture
def consent(monkeypatch):
    """The operator's consent to re-seal existing entries, given for the upgrade."""
    monkeypatch.setenv(reseal_migration.CONSENT, "1")


def test_migration_reseals_the_sha256_chain_and_records_its_head(consent):
    old_head = old_chain(5)
    assert not verify_chain().ok  # an unkeyed chain no longer verifies
    contents = list(AuditEntry.objects.order_by("seq").values_list("after", flat=True))
    reseal_migration.reseal(django_apps, Editor())
    result = verify_chain()
    assert result.ok and result.count == 6
    assert list(AuditEntry.objects.order_by("seq").values_list("after", flat=True))[:5] == contents
    resealed = AuditEntry.objects.get(seq=6)
    assert resealed.action == "audit.chain_resealed"
    after = json.loads(resealed.after)
    assert after == {
        "algorithm": "HMAC-SM3",
        "key": "audit-mac-v1",
        "entries": 5,
        "sha256_head": old_head,
    }
    # The trigger is back: entries still refuse UPDATE.
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(seq=1).update(action="x")
    # Appending goes on with the key.
    append(1)
    assert verify_chain().ok


def test_migration_refuses_a_broken_sha256_chain_and_changes_nothing():
    old_chain(4)
    without_trigger([("UPDATE audit_auditentry SET actor = 'mallory' WHERE seq = 2", [])])
    before = list(AuditEntry.objects.order_by("seq").values_list("hash", flat=True))
    with pytest.raises(RuntimeError, match="第 2 条"):
        reseal_migration.reseal(django_apps, Editor())
    assert list(AuditEntry.objects.order_by("seq").values_list("hash", flat=True)) == before


def test_migration_leaves_an_empty_chain():
    reseal_migration.reseal(django_apps, Editor())  # no consent needed: nothing to re-seal
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize("value", [None, "", "0", "yes"])
def test_migration_refuses_to_reseal_existing_entries_without_consent(monkeypatch, value):
    """A rewritten SHA-256 chain (re-sealing entry and migration rows deleted, ``migrate`` run
    again) is not turned into a valid keyed chain unless the operator says so."""
    if value is not None:
        monkeypatch.setenv(reseal_migration.CONSENT, value)
    old_chain(3)
    before = list(AuditEntry.objects.order_by("seq").values_list("hash", flat=True))
    with pytest.raises(RuntimeError) as refused:
        reseal_migration.reseal(django_apps, Editor())
    assert "SKILLCERT_AUDIT_RESEAL=1" in str(refused.value)
    assert "3 existing audit entries" in str(refused.value) and "重新封存" in str(refused.value)
    assert list(AuditEntry.objects.order_by("seq").values_list("hash", flat=True)) == before
    assert AuditHead.objects.get(pk=1).hash == before[-1]


def test_the_resealing_migration_is_irreversible():
    operation = reseal_migration.Migration.operations[0]
    assert not operation.reversible
    with pytest.raises(NotImplementedError):
        operation.database_backwards("audit", None, None, None)


def test_the_checkpoints_migration_is_not_reversed_once_checkpoints_exist():
    from skillcert.audit.models import AuditCheckpoint

    module = importlib.import_module("skillcert.audit.migrations.0004_checkpoints")
    module.refuse_if_signed(django_apps, Editor())  # none yet: may be reversed
    AuditCheckpoint.objects.create(
        seq=1,
        at="2026-12-02T00:00:00Z",
        head="0" * 64,
        ed25519_kid="k",
        ed25519_signature="s",
        sm2_kid="k",
        sm2_signature="s",
    )
    with pytest.raises(RuntimeError, match="审计检查点"):
        module.refuse_if_signed(django_apps, Editor())


def test_an_entry_before_the_resealing_changed_with_the_key_is_named(consent):
    """Someone holding the key rewrites an old entry and re-seals the keyed chain: the old
    SHA-256 chain recomputed no longer ends in the hash the re-sealing recorded."""
    old_chain(4)
    reseal_migration.reseal(django_apps, Editor())
    rewrite(2, '{"value":"篡改"}', keyed_seal(chain.mac_key()))
    result = verify_chain()
    assert not result.ok
    assert result.bad_seq == 5  # the re-sealing entry
    assert "SHA-256" in result.reason
