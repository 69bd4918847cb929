"""The acceptance check of personal data at rest (domain.md §11): after the demo data is built,
the database file (SQLite), its backup copy, and a plain-SQL dump (PostgreSQL) hold no full ID
number and no full phone number of the data; the values are read back whole through the ORM."""

from __future__ import annotations

import json
import subprocess

import pytest
from django.db import connection

from skillcert.ops import backup
from tests.ops.test_backup import Instance, demo_source, postgres_databases  # noqa: F401

READ_PERSONAL_DATA = (
    "import json\n"
    "from skillcert.assessment.models import Candidate, StaffMember\n"
    "from skillcert.certificates.models import Certificate\n"
    "from skillcert.registry.models import FilingCase, Objection, Organization\n"
    "ids = set(Candidate.objects.values_list('id_number', flat=True))\n"
    "ids |= set(StaffMember.objects.values_list('id_number', flat=True))\n"
    "ids |= set(Certificate.objects.values_list('id_number', flat=True))\n"
    "phones = set(Organization.objects.values_list('contact_phone', flat=True))\n"
    "phones |= {c.basic.get('contact_phone', '') for c in FilingCase.objects.all()}\n"
    "contacts = set(Objection.objects.values_list('contact', flat=True))\n"
    "print(json.dumps({'ids': sorted(ids), 'phones': sorted(p for p in phones if p),"
    " 'contacts': sorted(contacts)}, ensure_ascii=False))\n"
)


def personal_data(instance: Instance) -> dict[str, list[str]]:
    done = instance.run("shell", "-c", READ_PERSONAL_DATA)
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_holds_none(data: bytes, values: dict[str, list[str]], where: str) -> None:
    text = data.decode("utf-8", errors="replace")
    found = [v for v in values["ids"] + values["phones"] + values["contacts"] if v in text]
    assert not found, f"{where} holds in clear: {found[:5]}"


def test_the_sqlite_database_file_and_its_backup_hold_no_full_id_number(tmp_path):
    source = demo_source(Instance(tmp_path / "source"))
    values = personal_data(source.instance)
    # The demo has candidates, staff and certificates with 18-character ID numbers, phones.
    assert len(values["ids"]) >= 50, len(values["ids"])
    assert all(len(number) >= 15 for number in values["ids"])
    assert values["phones"]
    database = source.instance.data_dir / "skillcert.sqlite3"
    files = [database, *database.parent.glob("skillcert.sqlite3-*")]  # the WAL, if any
    for path in files:
        assert_holds_none(path.read_bytes(), values, path.name)
    # The test can fail: the values are in the file, sealed, under their field's prefix.
    assert b"sm4:" in database.read_bytes()
    out = tmp_path / "backup"
    source.instance.run("backup", "--out", str(out))
    assert_holds_none((out / "database.sqlite3").read_bytes(), values, "the backup")
    # Public verification still answers with the masked number.
    state = source.instance.state(source.number, source.name)
    masked = state["certificate"]["id_masked"]
    assert "*" in masked and len(masked) == 18


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_a_postgresql_dump_holds_no_full_id_number(postgres_databases, tmp_path):  # noqa: F811
    try:
        pg_dump = backup.pg_tool("pg_dump")
    except backup.BackupError:
        pytest.skip("pg_dump is not installed")
    source_url, _target = postgres_databases
    source = demo_source(Instance(tmp_path / "source", source_url))
    values = personal_data(source.instance)
    assert len(values["ids"]) >= 50
    dump = subprocess.run(
        [pg_dump, "--format=plain", "--no-owner", source_url],
        capture_output=True,
        check=True,
        timeout=300,
    ).stdout
    assert b"sm4:" in dump
    assert_holds_none(dump, values, "pg_dump")
