"""Backups restore: ``skillcert backup``, ``backup verify`` and ``restore`` on real instances.

Each instance is a ``skillcert`` process with its own data directory (and, on PostgreSQL, its
own database): the source is ``setup`` + ``demo`` (issued certificates, uploaded materials,
photos and seals), the target a fresh directory nothing has run in.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from skillcert.ops import backup

PASSPHRASE = "correct horse battery staple 2026"
CLEARED = (
    "DATABASE_URL",
    "SKILLCERT_KEY_DIR",
    "SKILLCERT_MASTER_KEY",
    "SKILLCERT_MASTER_KEY_FILE",
    backup.PASSPHRASE_ENV,
)


@dataclass(frozen=True)
class Instance:
    data_dir: Path
    database_url: str = ""

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in CLEARED}
        env.update(
            DJANGO_SETTINGS_MODULE="skillcert.settings", SKILLCERT_DATA_DIR=str(self.data_dir)
        )
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env.update(extra)
        return env

    def run(self, *args: str, check: bool = True, **extra: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "skillcert.cli", *args],
            env=self.env(**extra),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if check and done.returncode != 0:
            pytest.fail(
                f"skillcert {' '.join(args)}: {done.returncode}\n{done.stdout}{done.stderr}"
            )
        return done

    def state(self, number: str, name: str) -> dict:
        """What the instance holds: the certificate as the public sees it, the audit chain."""
        code = (
            "import json\n"
            "from skillcert.audit.chain import verify_chain\n"
            "from skillcert.certificates.models import Certificate\n"
            "from skillcert.certificates.verification import find_public, public_view\n"
            "from skillcert.rules.errors import NotFound\n"
            "try:\n"
            f"    view = public_view(find_public({number!r}, {name!r}))\n"
            "except NotFound:\n"
            "    view = None\n"
            "chain = verify_chain()\n"
            "from skillcert.certificates.credentials import issue_credential, verify_credential\n"
            "from skillcert.certificates.keys import public_jwks\n"
            "try:\n"
            "    signed = issue_credential(find_public(view['number'], view['name']))\n"
            "    signs = verify_credential(signed, public_jwks())['number'] == view['number']\n"
            "except Exception:\n"
            "    signs = False\n"
            "print(json.dumps({'certificate': view, 'audit_ok': chain.ok, 'signs': signs,"
            " 'audit_entries': chain.count, 'certificates': Certificate.objects.count()}))\n"
        )
        return json.loads(self.run("shell", "-c", code).stdout.strip().splitlines()[-1])


def file_digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@dataclass(frozen=True)
class Source:
    instance: Instance
    number: str
    name: str


def demo_source(instance: Instance) -> Source:
    instance.run("setup", "--no-static")
    printed = instance.run("demo").stdout
    number, name = re.search(r"证书编号 (\S+)  姓名 (\S+)（有效）", printed).groups()
    return Source(instance, number, name)


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Source:
    return demo_source(Instance(tmp_path_factory.mktemp("source")))


@pytest.fixture(scope="module")
def backup_dir(source, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("backups") / "nightly"
    done = source.instance.run("backup", "--out", str(out))
    assert "备份已完成" in done.stdout
    return out


def test_restore_fills_a_fresh_instance(source, backup_dir, tmp_path):
    manifest = json.loads((backup_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["database"]["engine"] == "sqlite"
    assert manifest["migrations"]["certificates"].startswith("00")
    assert manifest["keys"]["included"] is False
    assert "另行恢复主密钥" in manifest["keys"]["note"]
    uploads = file_digests(source.instance.data_dir / "files")
    assert any(name.startswith("photos/") for name in uploads)
    assert {e["path"]: e["sha256"] for e in manifest["files"]} == uploads
    assert "备份完好" in source.instance.run("backup", "verify", str(backup_dir)).stdout

    # Without the source's master key the audit chain (HMAC-SM3 under a key derived from it)
    # does not verify, and restore says which key is missing.
    keyless = Instance(tmp_path / "keyless").run("restore", str(backup_dir), check=False)
    assert keyless.returncode == 1
    assert "审计记录校验未通过" in keyless.stderr
    assert "主密钥" in keyless.stderr

    # The master key restored separately (the development key file of the source).
    target = Instance(tmp_path / "target")
    target.data_dir.mkdir()
    shutil.copy(source.instance.data_dir / "master_key", target.data_dir / "master_key")
    done = target.run("restore", str(backup_dir))
    assert "审计记录校验通过" in done.stdout

    before = source.instance.state(source.number, source.name)
    after = target.state(source.number, source.name)
    assert after["certificate"]["status"] == "valid"
    assert after["certificate"]["number"] == source.number
    assert after["audit_ok"] is True
    assert file_digests(target.data_dir / "files") == uploads
    assert before["signs"] is True
    assert after == before


def test_verify_names_a_tampered_file(backup_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(backup_dir, copy)
    victim = next(p for p in sorted((copy / "files").rglob("*")) if p.is_file())
    victim.write_bytes(victim.read_bytes() + b"tampered")
    name = victim.relative_to(copy / "files").as_posix()
    errors = io.StringIO()

    with pytest.raises(CommandError, match="校验未通过"):
        call_command("backup", "verify", str(copy), stderr=errors)

    assert f"文件 {name} 校验值不符" in errors.getvalue()


def test_verify_refuses_a_backup_without_manifest(backup_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(backup_dir, copy)
    (copy / "manifest.json").unlink()

    with pytest.raises(CommandError, match="备份未完成"):
        call_command("backup", "verify", str(copy))


def test_restore_into_a_non_empty_instance_is_refused_and_changes_nothing(source, backup_dir):
    before = source.instance.state(source.number, source.name)
    files_before = file_digests(source.instance.data_dir / "files")

    done = source.instance.run("restore", str(backup_dir), check=False)

    assert done.returncode == 1
    assert "未作任何改动" in done.stderr
    assert "恢复只能写入空实例" in done.stderr
    assert source.instance.state(source.number, source.name) == before
    assert file_digests(source.instance.data_dir / "files") == files_before


def test_restore_refuses_a_backup_from_a_newer_schema(backup_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(backup_dir, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["migrations"]["certificates"] = "9999_from_the_future"
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    target = Instance(tmp_path / "target")

    done = target.run("restore", str(copy), check=False)

    assert done.returncode == 1
    assert "certificates.9999_from_the_future" in done.stderr
    assert not (target.data_dir / "files").exists()


def test_master_key_is_refused_without_a_passphrase(tmp_path, monkeypatch):
    monkeypatch.delenv(backup.PASSPHRASE_ENV, raising=False)
    out = tmp_path / "with-key"

    with pytest.raises(CommandError, match=backup.PASSPHRASE_ENV):
        call_command("backup", "--out", str(out), "--include-master-key")

    assert not out.exists()


def test_master_key_travels_encrypted_and_comes_back(source, tmp_path):
    master_key = (source.instance.data_dir / "master_key").read_text()  # development's own
    out = tmp_path / "with-key"
    source.instance.run(
        "backup", "--out", str(out), "--include-master-key", SKILLCERT_BACKUP_PASSPHRASE=PASSPHRASE
    )
    assert master_key.encode() not in (out / "keys.enc").read_bytes()
    assert json.loads((out / "manifest.json").read_text())["keys"]["included"] is True
    target = Instance(tmp_path / "target")

    wrong = target.run("restore", str(out), check=False, SKILLCERT_BACKUP_PASSPHRASE="wrong")
    assert wrong.returncode == 1
    assert "口令不正确" in wrong.stderr
    assert not (target.data_dir / "files").exists()

    done = target.run("restore", str(out), SKILLCERT_BACKUP_PASSPHRASE=PASSPHRASE)

    assert "主密钥已恢复" in done.stdout
    restored = target.data_dir / "master_key"
    assert restored.read_text() == master_key
    assert restored.stat().st_mode & 0o777 == 0o600
    # The restored instance signs electronic certificates with the keys sealed in its database.
    assert target.state(source.number, source.name)["signs"] is True


def test_sealed_keys_open_only_with_their_passphrase():
    payload = {"master_key": "a2V5", "signing_key_files": {}}
    sealed = backup.encrypt_keys(payload, PASSPHRASE)

    assert backup.decrypt_keys(sealed, PASSPHRASE) == payload
    with pytest.raises(backup.BackupError, match="口令不正确"):
        backup.decrypt_keys(sealed, PASSPHRASE + "x")


# --- PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture
def postgres_databases():
    """Two new databases on the server DATABASE_URL points at: a source and a restore target."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    names = [f"skillcert_backup_{role}_{uuid.uuid4().hex[:8]}" for role in ("source", "target")]
    with psycopg.connect(url, autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    base = url.rsplit("/", 1)[0]
    try:
        yield [f"{base}/{name}" for name in names]
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_postgresql_backup_restores_into_an_empty_database(postgres_databases, tmp_path):
    source_url, target_url = postgres_databases
    source = demo_source(Instance(tmp_path / "source", source_url))
    out = tmp_path / "backup"
    key = {"SKILLCERT_BACKUP_PASSPHRASE": PASSPHRASE}
    source.instance.run("backup", "--out", str(out), "--include-master-key", **key)
    assert (out / "database.pgdump").is_file()
    assert "备份完好" in source.instance.run("backup", "verify", str(out)).stdout

    refused = source.instance.run("restore", str(out), check=False, **key)
    assert refused.returncode == 1
    assert "未作任何改动" in refused.stderr

    target = Instance(tmp_path / "target", target_url)
    target.run("restore", str(out), **key)

    after = target.state(source.number, source.name)
    assert after["certificate"]["status"] == "valid"
    assert after["audit_ok"] is True
    assert after == source.instance.state(source.number, source.name)
    assert file_digests(target.data_dir / "files") == file_digests(
        source.instance.data_dir / "files"
    )
