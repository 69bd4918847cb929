"""The audit chain: appends in the change's transaction, and verification finds tampering."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from skillcert.accounts.models import User
from skillcert.accounts.services import add_user
from skillcert.audit import service as audit
from skillcert.audit.chain import verify_chain
from skillcert.audit.models import AuditEntry, AuditHead

pytestmark = pytest.mark.django_db


def append(n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            audit.record(
                actor=audit.SYSTEM,
                action="test.thing_changed",
                object_type="test.thing",
                object_id=i,
                before={"value": i},
                after={"value": i + 1, "note": "更改"},
            )


def raw(sql: str, params: list | None = None) -> None:
    """Run SQL with the append-only trigger out of the way (as an attacker with DDL rights)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_append_only")
        cursor.execute(sql, params or [])


def test_entries_link_and_verify():
    append(5)
    result = verify_chain()
    assert result.ok and result.count == 5
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    for earlier, later in itertools.pairwise(entries):
        assert later.prev_hash == earlier.hash
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (5, entries[-1].hash)


def test_changed_entry_is_named():
    append(5)
    raw("UPDATE audit_auditentry SET after = %s WHERE seq = 3", ['{"value":999}'])
    result = verify_chain()
    assert not result.ok
    assert result.bad_seq == 3
    assert "changed" in result.reason


def test_deleted_entry_is_named():
    append(5)
    raw("DELETE FROM audit_auditentry WHERE seq = 2")
    result = verify_chain()
    assert not result.ok
    assert result.bad_seq == 3
    assert "deleted" in result.reason


def test_inserted_entry_is_named():
    append(3)
    first = AuditEntry.objects.get(seq=1)
    # A forged entry squeezed in as seq 2, the real 2 and 3 renumbered after it.
    raw("UPDATE audit_auditentry SET seq = seq + 100 WHERE seq >= 2")
    raw("UPDATE audit_auditentry SET seq = seq - 99 WHERE seq >= 100")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditentry (seq, recorded_at, business_date, actor, actor_role,"
            " action, object_type, object_id, before, after, prev_hash, hash)"
            " VALUES (2, %s, %s, 'mallory', '', 'forged', 'x', '1', 'null', 'null', %s, %s)",
            [first.recorded_at, first.business_date, first.hash, "f" * 64],
        )
    result = verify_chain()
    assert not result.ok
    assert result.bad_seq == 2


def test_reordered_entries_are_named():
    append(4)
    raw("UPDATE audit_auditentry SET seq = 100 WHERE seq = 2")
    raw("UPDATE audit_auditentry SET seq = 2 WHERE seq = 3")
    raw("UPDATE audit_auditentry SET seq = 3 WHERE seq = 100")
    result = verify_chain()
    assert not result.ok
    assert result.bad_seq == 2


def test_removed_tail_shows_against_the_head():
    append(4)
    raw("DELETE FROM audit_auditentry WHERE seq = 4")
    result = verify_chain()
    assert not result.ok
    assert result.bad_seq is None
    assert "head" in result.describe()


def test_database_refuses_updating_an_entry():
    append(1)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(seq=1).update(action="tampered")
    assert AuditEntry.objects.get(seq=1).action == "test.thing_changed"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite keeps DELETE for the test runner"
)
def test_postgres_refuses_deleting_an_entry():
    append(1)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(seq=1).delete()


def test_model_refuses_save_and_delete_of_a_recorded_entry():
    append(1)
    entry = AuditEntry.objects.get(seq=1)
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside"):
        audit.record(actor=audit.SYSTEM, action="x", object_type="x")
    assert AuditEntry.objects.count() == 0


def test_failed_audit_write_rolls_the_change_back(authorities, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit storage unavailable")

    monkeypatch.setattr("skillcert.accounts.services.audit.record", broken)
    with pytest.raises(RuntimeError, match="unavailable"):
        add_user(
            "officer1",
            password="Another-pass-2026",
            role="city_bureau",
            authority="01",
            actor=audit.SYSTEM,
        )
    assert not User.objects.filter(username="officer1").exists()


def test_entry_records_actor_object_before_and_after(city_bureau):
    entry = AuditEntry.objects.filter(action="accounts.user_added").latest("seq")
    assert entry.object_type == "accounts.user"
    assert entry.object_id == str(city_bureau.pk)
    assert entry.actor == "system"
    assert '"role":"city_bureau"' in entry.after
    assert entry.before == "null"


def test_actor_of_a_user_is_named(city_bureau):
    ref = audit.actor_ref(city_bureau)
    assert (ref.name, ref.id, ref.role) == ("hf_bureau", city_bureau.pk, "city_bureau")


def test_verify_command_ok_and_broken(capsys):
    append(3)
    call_command("audit", "verify")
    assert capsys.readouterr().out.strip() == "ok: 3 entries"
    raw("UPDATE audit_auditentry SET actor = 'mallory' WHERE seq = 2")
    with pytest.raises(CommandError, match="seq=2"):
        call_command("audit", "verify")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a server that runs writers in parallel"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain():
    """Writers in several threads queue on the head row; the chain stays one line."""
    import threading

    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                with transaction.atomic():
                    audit.record(actor=audit.SYSTEM, action="test.parallel", object_id=f"{n}-{i}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = verify_chain()
    assert result.ok and result.count == 40
