"""Backups that restore: ``skillcert backup --out DIR``, ``backup verify DIR``, ``restore DIR``.

A backup directory holds

- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the server writes)
  or ``database.pgdump`` (``pg_dump --format=custom``),
- ``files/…``: every file of the default file storage, copied through the storage (so S3 works),
- ``keys.enc`` only with ``--include-master-key``: the master key (and a key directory, when the
  signing keys still live in files) encrypted with AES-256-GCM under a key derived by scrypt from
  ``SKILLCERT_BACKUP_PASSPHRASE``,
- ``manifest.json``, written last (a directory without it is an unfinished backup): format
  version, time, skillcert version, database engine, the latest migration of each app, and the
  path, size and SHA-256 of every file.

The database is copied before the files: files are only ever added, so every file the copied
database refers to is in the backup. Restore fills an empty instance only, and checks everything
(checksums, schema, emptiness, passphrase) before it changes anything.
"""

from __future__ import annotations

import base64
import datetime as dt
import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from skillcert.audit.chain import Verification, verify_chain
from skillcert.audit.models import AuditHead
from skillcert.certificates import counts

FORMAT = "skillcert-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
FILES_DIR = "files"
KEYS_FILE = "keys.enc"
PASSPHRASE_ENV = "SKILLCERT_BACKUP_PASSPHRASE"  # noqa: S105 (the variable's name)
CHUNK = 1024 * 1024
# scrypt at OWASP's recommended cost: ~0.5 s and 128 MiB once per backup or restore.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
KEYS_AAD = b"skillcert-backup-keys-v1"
KEYS_NOT_INCLUDED = (
    "本备份不含主密钥：恢复时须另行恢复主密钥"
    "（SKILLCERT_MASTER_KEY 或 SKILLCERT_MASTER_KEY_FILE），"
    "否则数据库中加密保存的签名密钥无法使用；如需随备份保存，请使用 --include-master-key 并设置 "
    f"{PASSPHRASE_ENV}。"
)


class BackupError(Exception):
    """A refusal or failure, worded for the operator."""


@dataclass(frozen=True)
class BackupResult:
    directory: Path
    engine: str
    files: int
    bytes: int
    keys_included: bool


@dataclass
class RestoreResult:
    files: int
    audit: Verification
    notes: list[str] = field(default_factory=list)


# --- what the instance is ----------------------------------------------------------------------


def database_engine() -> str:
    engine = str(settings.DATABASES["default"]["ENGINE"])
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"不支持备份该类数据库：{engine}")


def skillcert_version() -> str:
    try:
        return metadata.version("skillcert")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def latest_migrations() -> dict[str, str]:
    """The latest applied migration of each app (names start with their order number)."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(name, latest.get(app, ""))
    return dict(sorted(latest.items()))


def unknown_migrations(migrations: dict[str, str]) -> list[str]:
    """Migrations of a backup this code does not have: the backup's schema is newer."""
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return [f"{app}.{name}" for app, name in migrations.items() if (app, name) not in known]


def non_empty_tables() -> list[str]:
    """skillcert's tables that hold rows (the audit head row that migrating creates aside)."""
    existing = set(connection.introspection.table_names())
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("skillcert."):
            continue
        for model in config.get_models():
            table = model._meta.db_table
            if table not in existing:
                continue
            rows = model._default_manager.all()
            if model is AuditHead:
                rows = rows.exclude(seq=0)
            if rows.exists():
                found.append(table)
    return sorted(found)


# --- files -------------------------------------------------------------------------------------


def storage_files(storage: Storage, top: str = "") -> Iterator[str]:
    """Every file name in the storage, depth first, in a stable order."""
    try:
        directories, files = storage.listdir(top)
    except FileNotFoundError:  # a file system storage whose folder was never made
        return
    for name in sorted(files):
        yield f"{top}/{name}" if top else name
    for name in sorted(directories):
        yield from storage_files(storage, f"{top}/{name}" if top else name)


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts


def _digest(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _copy_out(storage: Storage, name: str, target: Path) -> dict[str, Any]:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with storage.open(name, "rb") as source, target.open("wb") as out:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return {"path": name, "size": size, "sha256": digest.hexdigest()}


# --- databases ---------------------------------------------------------------------------------


def _sqlite_path() -> Path:
    return Path(str(settings.DATABASES["default"]["NAME"]))


def _backup_sqlite(target: Path) -> None:
    source = sqlite3.connect(_sqlite_path(), timeout=30)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # one consistent snapshot, even while the server writes (WAL)
            copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        finally:
            copy.close()
    finally:
        source.close()


def _restore_sqlite(backup: Path) -> None:
    connections.close_all()
    source = sqlite3.connect(backup)
    try:
        target = sqlite3.connect(_sqlite_path(), timeout=30)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def _sqlite_problem(path: Path) -> str:
    try:
        check = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = check.execute("PRAGMA integrity_check").fetchall()
        finally:
            check.close()
    except sqlite3.DatabaseError as exc:
        return f"数据库文件 {path.name} 无法打开：{exc}"
    if rows != [("ok",)]:
        return f"数据库文件 {path.name} 完整性检查未通过：{'；'.join(str(r[0]) for r in rows[:5])}"
    return ""


def pg_tool(name: str) -> str:
    """A PostgreSQL client program from PATH, else the newest under /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found
    candidates = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    if not candidates:
        raise BackupError(f"未找到 {name}：请安装 PostgreSQL 客户端程序（postgresql-client）")
    return max(candidates, key=lambda path: int(Path(path).parts[-3].split(".")[0]))


def _pg_connection() -> tuple[list[str], dict[str, str]]:
    database = settings.DATABASES["default"]
    arguments = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            arguments += [option, str(database[key])]
    environment = dict(os.environ)
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = str(database["PASSWORD"])
    return [*arguments, "--dbname", str(database["NAME"])], environment


def _run(command: list[str], environment: dict[str, str] | None = None) -> None:
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        program = Path(command[0]).name
        raise BackupError(f"{program} 执行失败（退出码 {done.returncode}）：{done.stderr.strip()}")


def _backup_postgresql(target: Path) -> None:
    arguments, environment = _pg_connection()
    command = [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
    _run([*command, "--file", str(target), *arguments], environment)


def _restore_postgresql(backup: Path) -> None:
    connections.close_all()
    arguments, environment = _pg_connection()
    # --clean drops the (empty, checked) tables a migrated target may already have.
    options = ["--no-owner", "--no-privileges", "--clean", "--if-exists", "--single-transaction"]
    _run([pg_tool("pg_restore"), *options, "--exit-on-error", *arguments, str(backup)], environment)


def _pgdump_problem(path: Path) -> str:
    try:
        _run([pg_tool("pg_restore"), "--list", str(path)])
    except BackupError as exc:
        return f"数据库转储 {path.name} 无法读取：{exc}"
    return ""


# --- keys --------------------------------------------------------------------------------------


def configured_master_key() -> str | None:
    """The master key text this instance uses, found where ``skillcert.keystore`` looks.

    ``SKILLCERT_MASTER_KEY``, else the file ``SKILLCERT_MASTER_KEY_FILE`` names, else (in
    development) the key generated into ``$SKILLCERT_DATA_DIR/master_key``.
    """
    configured = str(getattr(settings, "SKILLCERT_MASTER_KEY", "") or "")
    if configured:
        return configured
    key_file = str(getattr(settings, "SKILLCERT_MASTER_KEY_FILE", "") or "")
    generated = Path(settings.DATA_DIR) / "master_key"
    for path in (Path(key_file).expanduser() if key_file else None, generated):
        if path is not None and path.is_file():
            return path.read_text(encoding="ascii")
    return None


def _master_key_setting() -> bool:
    """Whether the operator configured a master key (rather than development's generated one)."""
    names = ("SKILLCERT_MASTER_KEY", "SKILLCERT_MASTER_KEY_FILE")
    return any(getattr(settings, name, "") for name in names)


def _derive(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(
        passphrase.encode("utf-8")
    )


def encrypt_keys(payload: dict[str, Any], passphrase: str) -> dict[str, Any]:
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_derive(passphrase, salt)).encrypt(
        nonce, json.dumps(payload).encode("utf-8"), KEYS_AAD
    )
    return {
        "format": "skillcert-backup-keys",
        "version": 1,
        "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": _b64(salt)},
        "cipher": "AES-256-GCM",
        "nonce": _b64(nonce),
        "ciphertext": _b64(sealed),
    }


def decrypt_keys(document: dict[str, Any], passphrase: str) -> dict[str, Any]:
    try:
        kdf = document["kdf"]
        key = Scrypt(
            salt=base64.b64decode(kdf["salt"]), length=32, n=kdf["n"], r=kdf["r"], p=kdf["p"]
        ).derive(passphrase.encode("utf-8"))
        plain = AESGCM(key).decrypt(
            base64.b64decode(document["nonce"]), base64.b64decode(document["ciphertext"]), KEYS_AAD
        )
    except InvalidTag:
        raise BackupError(f"无法解密备份中的密钥：{PASSPHRASE_ENV} 口令不正确") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupError(f"备份中的密钥文件 {KEYS_FILE} 格式不正确：{exc}") from None
    result: dict[str, Any] = json.loads(plain)
    return result


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _passphrase() -> str:
    passphrase = os.environ.get(PASSPHRASE_ENV, "")
    if not passphrase:
        raise BackupError(
            f"未设置 {PASSPHRASE_ENV}：主密钥只能以口令加密后写入备份，"
            "请先设置该环境变量（口令须另行妥善保管）"
        )
    return passphrase


def _keys_payload() -> dict[str, Any]:
    master = configured_master_key()
    if master is None:
        raise BackupError(
            "本实例未配置主密钥（SKILLCERT_MASTER_KEY 或 SKILLCERT_MASTER_KEY_FILE），"
            "无可备份的主密钥"
        )
    return {"master_key": master}


def _restore_master_key(payload: dict[str, Any]) -> str:
    path = Path(settings.DATA_DIR) / "master_key"
    _write_private(path, str(payload["master_key"]).encode("ascii"))
    return f"主密钥已恢复到 {path}（仅所有者可读写）"


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    path.chmod(0o600)


# --- backup ------------------------------------------------------------------------------------


def create_backup(out: Path, *, include_master_key: bool = False) -> BackupResult:
    """Write a backup of this instance into ``out`` (absent or empty); the manifest last."""
    engine = database_engine()
    keys_payload = None
    passphrase = ""
    if include_master_key:  # refuse before writing anything
        passphrase = _passphrase()
        keys_payload = _keys_payload()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(f"备份目录 {out} 已存在且不为空：请指定新的目录")
    out.mkdir(parents=True, exist_ok=True)

    database_file = out / (SQLITE_FILE if engine == "sqlite" else PG_FILE)
    migrations = latest_migrations()
    if engine == "sqlite":
        _backup_sqlite(database_file)
    else:
        _backup_postgresql(database_file)
    size, sha = _digest(database_file)
    database = {"engine": engine, "file": database_file.name, "size": size, "sha256": sha}

    storage = default_storage
    files = [_copy_out(storage, name, out / FILES_DIR / name) for name in storage_files(storage)]

    keys: dict[str, Any] = {"included": False, "note": KEYS_NOT_INCLUDED}
    if keys_payload is not None:
        sealed = out / KEYS_FILE
        document = encrypt_keys(keys_payload, passphrase)
        sealed.write_text(json.dumps(document, indent=2), encoding="utf-8")
        sealed.chmod(0o600)
        size, sha = _digest(sealed)
        keys = {
            "included": True,
            "file": KEYS_FILE,
            "size": size,
            "sha256": sha,
            "note": (
                f"主密钥以 {PASSPHRASE_ENV} 口令加密（scrypt + AES-256-GCM），恢复时须提供同一口令"
            ),
        }

    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "skillcert_version": skillcert_version(),
        "database": database,
        "migrations": migrations,
        "files": files,
        "keys": keys,
    }
    partial = out / f"{MANIFEST}.partial"
    partial.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    partial.replace(out / MANIFEST)
    total = database["size"] + sum(entry["size"] for entry in files)
    return BackupResult(out, engine, len(files), total, keys_payload is not None)


# --- verify ------------------------------------------------------------------------------------


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(f"{directory} 中没有 {MANIFEST}：不是备份目录，或备份未完成")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{MANIFEST} 无法读取：{exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{MANIFEST} 不是 skillcert 备份清单")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"备份格式版本 {manifest.get('format_version')} 与本程序（{FORMAT_VERSION}）不符"
        )
    return manifest


def _checksum_problem(directory: Path, name: str, entry: dict[str, Any], what: str) -> str:
    if not _safe_name(name):
        return f"{what} {name}：路径不合法"
    path = directory / name
    if not path.is_file():
        return f"{what} {name} 缺失"
    size, sha = _digest(path)
    if size != entry.get("size") or sha != entry.get("sha256"):
        return f"{what} {name} 校验值不符（已被修改或损坏）"
    return ""


def verify_backup(directory: Path) -> list[str]:
    """Every problem of the backup, in words for the operator; empty when it is sound."""
    manifest = read_manifest(directory)
    problems = []
    listed = set()
    for entry in manifest.get("files", []):
        name = str(entry.get("path", ""))
        listed.add(name)
        problems.append(_checksum_problem(directory / FILES_DIR, name, entry, "文件"))
    files_root = directory / FILES_DIR
    if files_root.is_dir():
        for path in sorted(files_root.rglob("*")):
            name = path.relative_to(files_root).as_posix()
            if path.is_file() and name not in listed:
                problems.append(f"文件 {name} 不在清单中")

    database = manifest.get("database", {})
    name = str(database.get("file", ""))
    problem = _checksum_problem(directory, name, database, "数据库文件")
    if not problem:
        path = directory / name
        problem = _sqlite_problem(path) if database.get("engine") == "sqlite" else ""
        if database.get("engine") == "postgresql":
            problem = _pgdump_problem(path)
    problems.append(problem)

    keys = manifest.get("keys", {})
    if keys.get("included"):
        problems.append(_checksum_problem(directory, str(keys.get("file", "")), keys, "密钥文件"))
    return [p for p in problems if p]


# --- restore -----------------------------------------------------------------------------------


def _refusals(directory: Path, manifest: dict[str, Any]) -> list[str]:
    """Why this backup cannot be restored here; checked before anything changes."""
    problems = verify_backup(directory)
    if problems:
        return ["备份校验未通过：", *problems]
    refusals = []
    engine = database_engine()
    if manifest["database"]["engine"] != engine:
        refusals.append(
            f"备份的数据库类型为 {manifest['database']['engine']}，本实例使用 {engine}，无法恢复"
        )
    newer = unknown_migrations(manifest.get("migrations", {}))
    if newer:
        refusals.append(
            "备份来自更新版本的程序（本程序不认识其数据库结构："
            f"{'、'.join(newer)}）：请先升级 skillcert 再恢复"
        )
    tables = non_empty_tables()
    if tables:
        refusals.append(
            f"本实例的数据库已有数据（{'、'.join(tables[:5])} 等 {len(tables)} 张表）："
            "恢复只能写入空实例，请使用新的数据目录或空数据库"
        )
    present = next(storage_files(default_storage), None)
    if present is not None:
        refusals.append(f"本实例的文件存储已有文件（如 {present}）：恢复只能写入空实例")
    return refusals


def restore_backup(directory: Path) -> RestoreResult:
    """Fill this empty instance from a backup: database, files, keys; then check the audit chain."""
    manifest = read_manifest(directory)
    refusals = _refusals(directory, manifest)
    if refusals:
        raise BackupError("\n".join(["未恢复，本实例未作任何改动：", *refusals]))
    keys_payload = None
    notes = [KEYS_NOT_INCLUDED]
    if manifest["keys"].get("included") and _master_key_setting():
        notes = [
            "本实例已配置主密钥（SKILLCERT_MASTER_KEY 或 SKILLCERT_MASTER_KEY_FILE），"
            "未写入备份中的主密钥"
        ]
    elif manifest["keys"].get("included"):
        document = json.loads((directory / KEYS_FILE).read_text(encoding="utf-8"))
        try:
            keys_payload = decrypt_keys(document, _passphrase())
        except BackupError as exc:
            raise BackupError(f"未恢复，本实例未作任何改动：{exc}") from None

    if keys_payload is not None:  # first: migrations may already need the master key
        notes = [_restore_master_key(keys_payload)]
    try:
        _restore_database(directory, manifest)
        _restore_files(directory, manifest)
    except BackupError as exc:
        raise BackupError(
            f"恢复中断，本实例可能已写入部分数据（请清空后重新恢复）：{exc}"
        ) from None
    counts.bump()  # the certificates are new to this instance: no cached count stands
    return RestoreResult(files=len(manifest["files"]), audit=verify_chain(), notes=notes)


def _restore_database(directory: Path, manifest: dict[str, Any]) -> None:
    database_file = directory / manifest["database"]["file"]
    if manifest["database"]["engine"] == "sqlite":
        _restore_sqlite(database_file)
    else:
        _restore_postgresql(database_file)
    call_command("migrate", interactive=False, verbosity=0)  # a backup of an older version


def _restore_files(directory: Path, manifest: dict[str, Any]) -> None:
    storage = default_storage
    for entry in manifest["files"]:
        name = entry["path"]
        with (directory / FILES_DIR / name).open("rb") as handle:
            saved = storage.save(name, File(handle, name=PurePosixPath(name).name))
        if saved != name:
            raise BackupError(f"文件 {name} 写入存储时被改名为 {saved}：存储在恢复期间有写入")
