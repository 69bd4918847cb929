"""Where national export files go: ``national/`` in the file storage, and the senders that
deliver them.

Files are stored as ``national/<file_name>`` in the default storage (the file system or S3,
never the web root; officers download them through the API). Sending goes through a
pluggable sender, named by ``settings.SKILLCERT_NATIONAL_SENDER`` or the environment variable
of the same name (a dotted path to a class or object with ``send(path, export) -> receipt``;
``path`` is a local copy of the stored file, made for the call). The default ``FolderSender``
copies the file into ``national/outbox/`` of the storage, or into the folder named by
``SKILLCERT_NATIONAL_OUTBOX`` (written atomically there), from which a transfer job picks it up.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import IO, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from skillcert.certificates.models import FilingReport, NationalExport
from skillcert.documents import files
from skillcert.env import env_str
from skillcert.rules.errors import NotFound

DEFAULT_SENDER = "skillcert.certificates.national.FolderSender"
SENDER_SETTING = "SKILLCERT_NATIONAL_SENDER"
OUTBOX_SETTING = "SKILLCERT_NATIONAL_OUTBOX"
EXPORTS = "national"  # the folder of the export files in the storage
OUTBOX = "national/outbox"  # the default outbox in the storage

FILE_MODE = 0o640

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.xlsx")


class Sender(Protocol):
    """Delivers one export file; returns a receipt id. Must be idempotent for a file name.

    ``export`` is the ``NationalExport`` of a 附件5 file, or the ``FilingReport`` of a filing's
    report to the ministry's appraisal center (a JSON file, ``filings``); both carry
    ``file_name`` and ``sha256``."""

    def send(self, path: Path, export: NationalExport | FilingReport) -> str: ...


def outbox_dir() -> Path | None:
    """The outbox folder named by ``SKILLCERT_NATIONAL_OUTBOX``; None: ``national/outbox/`` of
    the storage."""
    configured = getattr(settings, OUTBOX_SETTING, "") or env_str(OUTBOX_SETTING)
    if configured:
        return Path(configured).expanduser().resolve()
    return None


def export_name(export: NationalExport) -> str:
    """The stored name of the export's file (``national/<file_name>``)."""
    if not _SAFE_NAME.fullmatch(export.file_name):  # never a path from the database
        raise NotFound("上报文件不存在", code="file_missing")
    return f"{EXPORTS}/{export.file_name}"


def store_export(name: str, content: IO[bytes]) -> str:
    """Store an export's file (streamed from ``content``), replacing a leftover file of the
    same name whose row was rolled back; the stored name."""
    return files.replace(name, content)


def sender_path() -> str:
    return getattr(settings, SENDER_SETTING, "") or env_str(SENDER_SETTING) or DEFAULT_SENDER


def load_sender(dotted: str) -> Sender:
    """The class (instantiated without arguments) or object named by ``dotted``."""
    target = import_string(dotted)
    sender = target() if isinstance(target, type) else target
    if not callable(getattr(sender, "send", None)):
        raise TypeError(f"{dotted} 没有 send(path, export) 方法")
    return sender


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_atomically(folder: Path, name: str, content: bytes | Path) -> Path:
    """Write ``content`` (bytes, or a file to copy) as ``folder / name``: a temporary file in
    the same folder, flushed to disk, then renamed, so a reader never sees half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            if isinstance(content, Path):
                with content.open("rb") as source:
                    for block in iter(lambda: source.read(1 << 20), b""):
                        out.write(block)
            else:
                out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, FILE_MODE)
        target = folder / name
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


class FolderSender:
    """The default sender: copies the file into the outbox, ``national/outbox/`` of the
    storage, or the folder ``SKILLCERT_NATIONAL_OUTBOX`` (written atomically there).

    Idempotent: when the outbox already holds the same file name with the same content, nothing
    is copied and the same receipt is returned; a different file under that name is refused
    (never overwritten).
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or outbox_dir()

    def send(self, path: Path, export: NationalExport | FilingReport) -> str:
        digest = export.sha256 or _sha256_file(path)
        receipt = f"outbox:{path.name}:{digest[:12]}"
        if self.folder is None:
            name = f"{OUTBOX}/{path.name}"
            held = files.sha256(name)
        else:
            target = self.folder / path.name
            held = _sha256_file(target) if target.exists() else None
        if held is not None:
            if held != digest:
                raise FileExistsError(f"发件箱中已有同名但内容不同的文件 {path.name}，未覆盖")
            return receipt
        if self.folder is None:
            with path.open("rb") as source:
                files.save(name, source)
        else:
            _write_atomically(self.folder, path.name, path)
        return receipt
