"""Stored files (uploads, seals, error reports, national exports) through Django's storage API.

Every file the product keeps for later goes through ``storages["default"]``: a
``FileSystemStorage`` in the data directory's ``files/`` by default (one server, or an NFS
mount shared by several), or S3 with ``SKILLCERT_STORAGE=s3``. No code opens a path under
the data directory.

Names are relative ("photos/12/<uuid>.jpg", "reports/batch-3/<token>.xlsx", "national/…")
and always made by the server, never taken from an uploader; the storage refuses absolute
names and "..", so a name cannot point outside it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.utils import timezone

CHUNK = 1 << 20
# Local copies of stored images for the PDF renderer (reportlab draws from a file): stored
# names never change content (each upload gets a new name), so a copy stays valid.
_LOCAL_COPIES = Path(tempfile.gettempdir()) / "skillcert-stored"


def storage() -> Storage:
    """The default storage, looked up each time (tests and settings may swap it)."""
    return storages["default"]


def save(name: str, content: bytes | IO[bytes]) -> str:
    """Store ``content`` (bytes, or an open binary file streamed in chunks) under ``name``;
    the name stored (the same: callers make names unique)."""
    body = ContentFile(content) if isinstance(content, bytes) else File(content)
    stored = storage().save(name, body)
    if stored != name:  # a file under a unique name already existed: never expected
        storage().delete(stored)
        raise FileExistsError(name)
    return stored


def replace(name: str, content: bytes | IO[bytes]) -> str:
    """Store ``content`` under ``name``, removing a leftover file of that name first (a file
    whose database row was rolled back)."""
    delete(name)
    return save(name, content)


def delete(name: str) -> None:
    """Remove ``name`` when stored; a file already gone is not an error."""
    if name:
        storage().delete(name)


def exists(name: str) -> bool:
    return bool(name) and storage().exists(name)


def open_stored(name: str) -> IO[bytes] | None:
    """``name`` opened for reading (to hand to a FileResponse), or None when it is gone."""
    if not exists(name):
        return None
    try:
        return storage().open(name, "rb")
    except FileNotFoundError:
        return None


def read(name: str) -> bytes | None:
    """The content of a small stored file, or None when it is gone."""
    stream = open_stored(name)
    if stream is None:
        return None
    with stream:
        return stream.read()


def sha256(name: str) -> str | None:
    """The SHA-256 of a stored file, read in chunks; None when it is gone."""
    stream = open_stored(name)
    if stream is None:
        return None
    digest = hashlib.sha256()
    with stream:
        for block in iter(lambda: stream.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def modified(name: str) -> dt.datetime | None:
    """When ``name`` was stored (aware), or None when it is gone."""
    try:
        return storage().get_modified_time(name)
    except (FileNotFoundError, OSError):
        return None


def prune(folder: str, max_age: dt.timedelta) -> list[str]:
    """Delete the files directly in ``folder`` older than ``max_age``; the names deleted."""
    try:
        _, names = storage().listdir(folder)
    except (FileNotFoundError, OSError):
        return []
    cutoff = timezone.now() - max_age
    deleted = []
    for file_name in names:
        name = f"{folder}/{file_name}"
        when = modified(name)
        if when is not None and when < cutoff:
            delete(name)
            deleted.append(name)
    return deleted


@contextlib.contextmanager
def local_copy(name: str) -> Iterator[Path | None]:
    """A local file with the content of ``name`` and its base name, for code that needs a
    path (a sender), streamed into a temporary folder removed afterwards; None when gone."""
    stream = open_stored(name)
    if stream is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="skillcert-") as folder:
        target = Path(folder) / PurePosixPath(name).name
        with stream, target.open("wb") as out:
            shutil.copyfileobj(stream, out, CHUNK)
        yield target


def cached_copy(name: str) -> Path | None:
    """A local file with the content of ``name``, for the PDF renderer; None when it is gone.

    A storage on this server's file system (or a mount) gives its own file. Otherwise the
    copy is kept in the system's temporary folder under a digest of the name: a stored name
    never changes content, so the copy is made once per server."""
    if not exists(name):
        return None
    try:
        own = Path(storage().path(name))
    except NotImplementedError:  # not on a file system (S3)
        own = None
    if own is not None and own.is_file():
        return own
    target = _LOCAL_COPIES / (hashlib.sha256(name.encode()).hexdigest() + Path(name).suffix)
    if target.is_file():
        return target
    _LOCAL_COPIES.mkdir(mode=0o700, parents=True, exist_ok=True)
    with local_copy(name) as copy:
        if copy is None:
            return None
        os.replace(copy, target)  # the same folder's file system; atomic for other readers
    return target
