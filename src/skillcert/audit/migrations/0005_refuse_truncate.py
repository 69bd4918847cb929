"""PostgreSQL: TRUNCATE of the audit tables is refused, and checkpoints are append-only.

A row trigger does not see TRUNCATE, so ``0002_append_only`` left it to privileges. Now a
statement trigger refuses it on the entries, the head and the checkpoints, unless the session
both owns the table and asked for it (``SET skillcert.allow_audit_truncate = 'on'``): that is
the test runner's flush between tests (tests/testsettings.py). The owner could drop the trigger
anyway; the application's role, which must not own the tables (docs/operations.md, "Database
roles"), can neither pass the trigger nor disable it (ALTER TABLE ... DISABLE TRIGGER needs
ownership).

SQLite has no TRUNCATE; checkpoints refuse UPDATE there, like entries.
"""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION audit_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('skillcert.allow_audit_truncate', true), '') = 'on'
       AND pg_has_role(current_user,
                       (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING MESSAGE =
        'audit records cannot be truncated (TRUNCATE ' || TG_TABLE_NAME || ' refused)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_refuse_truncate BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_refuse_truncate BEFORE TRUNCATE ON audit_audithead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_refuse_truncate BEFORE TRUNCATE ON audit_auditcheckpoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_checkpoint_append_only
    BEFORE UPDATE OR DELETE ON audit_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS audit_refuse_truncate ON audit_auditentry;
DROP TRIGGER IF EXISTS audit_refuse_truncate ON audit_audithead;
DROP TRIGGER IF EXISTS audit_refuse_truncate ON audit_auditcheckpoint;
DROP TRIGGER IF EXISTS audit_checkpoint_append_only ON audit_auditcheckpoint;
DROP FUNCTION IF EXISTS audit_refuse_truncate();
"""
SQLITE_UP = """
CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE ON audit_auditcheckpoint
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only (UPDATE refused)'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_checkpoint_append_only;"


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_checkpoints")]

    operations = [migrations.RunPython(install, remove)]
