"""PostgreSQL: the audit tables refuse TRUNCATE, and a role that does not own them (the
application's role in the deployment of docs/operations.md, "Database roles") can neither
truncate them, change an entry, nor disable the triggers that refuse it."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection, transaction

from tests.audit.test_keyed_chain import append

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL triggers and roles"),
]

TABLES = ("audit_auditentry", "audit_audithead", "audit_auditcheckpoint")


def execute(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


def refused(sql: str, match: str) -> None:
    """``sql`` fails with ``match`` (in a savepoint, so the test goes on)."""
    with pytest.raises(Exception, match=match), transaction.atomic():
        execute(sql)


@pytest.mark.parametrize("table", TABLES)
def test_truncate_is_refused(table):
    append(2)
    # The test runner's sessions may truncate (as owner, asking for it); this one does not ask.
    execute("SET LOCAL skillcert.allow_audit_truncate = 'off'")
    refused(f"TRUNCATE {table}", "cannot be truncated")
    refused(f"TRUNCATE {table} CASCADE", "cannot be truncated")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_auditentry")
        assert cursor.fetchone()[0] == 2


@pytest.fixture
def app_role():
    """A second role with the application's privileges on the audit tables (and TRUNCATE too,
    to show the trigger refuses it), but not their owner; dropped with the test's
    transaction."""
    name = f"skillcert_app_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
        )
        if not cursor.fetchone()[0]:
            pytest.skip("the test database's role may not create roles")
        cursor.execute(f"CREATE ROLE {name} NOLOGIN")
        for table in TABLES:
            cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON {table} TO {name}")
    return name


def test_a_role_that_does_not_own_the_tables_cannot_disable_the_triggers(app_role):
    append(2)
    execute(f"SET LOCAL ROLE {app_role}")
    # Even a session asking to truncate is refused: it does not own the table.
    execute("SET LOCAL skillcert.allow_audit_truncate = 'on'")
    try:
        for table in TABLES:
            refused(f"TRUNCATE {table}", "cannot be truncated")
        refused(
            "ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only",
            "must be owner",
        )
        refused("ALTER TABLE audit_auditentry DISABLE TRIGGER ALL", "must be owner")
        refused("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_refuse_truncate", "owner")
        refused("DROP TRIGGER audit_entry_append_only ON audit_auditentry", "must be owner")
        refused("SET session_replication_role = replica", "permission denied")
        refused("UPDATE audit_auditentry SET actor = 'mallory' WHERE seq = 1", "append-only")
        refused("DELETE FROM audit_auditentry WHERE seq = 1", "append-only")
        # What the application needs still works: reading and appending (audit.record).
        append(1)
    finally:
        execute("RESET ROLE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), max(actor) FROM audit_auditentry")
        assert cursor.fetchone() == (3, "system")


def test_the_owner_may_truncate_only_when_it_asks():
    """The test runner's flush (owner, ``skillcert.allow_audit_truncate=on``) keeps working."""
    append(1)
    execute("SET LOCAL skillcert.allow_audit_truncate = 'on'")
    execute("TRUNCATE audit_auditcheckpoint")
