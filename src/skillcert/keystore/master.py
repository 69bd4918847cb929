"""The master key that seals the private keys in the database; it is never stored there.

``SKILLCERT_MASTER_KEY`` (32 bytes as 64 hex digits or base64) or ``SKILLCERT_MASTER_KEY_FILE``
(a file holding such a value). In development, when neither is set, a key is generated once
into ``$SKILLCERT_DATA_DIR/master_key`` (mode 0600); production refuses to start without one
(``skillcert.env.production_problems``) and this module refuses to generate one there.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
import secrets
from pathlib import Path

from django.conf import settings

from skillcert.keystore.errors import KeyUnavailable

MASTER_KEY_BYTES = 32  # AES-256


def decode_master_key(text: str, *, source: str) -> bytes:
    """32 bytes from 64 hex digits or base64 (standard or URL-safe, padding optional)."""
    value = text.strip()
    candidates: list[bytes] = []
    if len(value) == 2 * MASTER_KEY_BYTES:
        try:
            candidates.append(bytes.fromhex(value))
        except ValueError:
            pass
    padded = value + "=" * (-len(value) % 4)
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            candidates.append(decode(padded.encode("ascii")))
        except (binascii.Error, ValueError):
            continue
    for key in candidates:
        if len(key) == MASTER_KEY_BYTES:
            return key
    raise KeyUnavailable(
        f"主密钥（{source}）格式不正确：应为 32 字节的密钥，写成 64 位十六进制数或 base64"
    )


def generated_key_file() -> Path:
    return Path(settings.DATA_DIR) / "master_key"


def master_key() -> bytes:
    """The configured master key, read on every call (the setting and the key file): the
    signing keys it unseals see a change at once. The keys derived from it (``derived_key``)
    are cached per process: see ``_master_cached``."""
    configured = str(getattr(settings, "SKILLCERT_MASTER_KEY", "") or "")
    if configured:
        return decode_master_key(configured, source="SKILLCERT_MASTER_KEY")
    key_file = str(getattr(settings, "SKILLCERT_MASTER_KEY_FILE", "") or "")
    if key_file:
        try:
            text = Path(key_file).expanduser().read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyUnavailable(
                f"无法读取主密钥文件 {key_file}（SKILLCERT_MASTER_KEY_FILE）：{exc}"
            ) from exc
        return decode_master_key(text, source=f"SKILLCERT_MASTER_KEY_FILE {key_file}")
    if getattr(settings, "ENVIRONMENT", "development") == "production":
        raise KeyUnavailable(
            "未配置主密钥：生产环境须设置 SKILLCERT_MASTER_KEY 或 SKILLCERT_MASTER_KEY_FILE，"
            "且每台服务器相同"
        )
    return _generated_master_key()


def _generated_master_key() -> bytes:
    """Development only: a key made once into the data directory and read back after."""
    path = generated_key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        text = base64.urlsafe_b64encode(secrets.token_bytes(MASTER_KEY_BYTES)).decode("ascii")
        draft = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(text)
        try:
            # A hard link appears whole or not at all: when two processes start at once,
            # one key wins and both read it.
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return decode_master_key(path.read_text(encoding="ascii"), source=str(path))


# --- keys derived from the master key (HKDF over SM3), for data the platform itself seals ---
# The audit chain's MAC key and the personal-data keys are never stored anywhere: each is
# derived from the master key and a label naming its use and version. Changing the master key
# therefore changes them: re-seal (and re-key the audit chain) before changing it.
_MASTERS: dict[tuple[str, str, str], bytes] = {}


def _master_cached() -> bytes:
    """The master key, read once per process and configuration (reading a file per sealed
    value is slow). Cached by the settings naming it (the value, the key file's *path*, the
    data directory), not by the key file's content: a key file changed in place is not seen
    by ``derived_key`` (personal data, the audit MAC) until the process restarts."""
    source = (
        str(getattr(settings, "SKILLCERT_MASTER_KEY", "") or ""),
        str(getattr(settings, "SKILLCERT_MASTER_KEY_FILE", "") or ""),
        str(settings.DATA_DIR),
    )
    key = _MASTERS.get(source)
    if key is None:
        key = master_key()
        if len(_MASTERS) > 16:  # tests switch settings often
            _MASTERS.clear()
        _MASTERS[source] = key
    return key


@functools.lru_cache(maxsize=64)
def _derive(master: bytes, label: str, length: int) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(
        algorithm=hashes.SM3(), length=length, salt=None, info=f"skillcert:{label}".encode()
    ).derive(master)


def derived_key(label: str, length: int = 32) -> bytes:
    """A key for ``label`` (e.g. ``audit-mac-v1``), derived from the master key with HKDF-SM3.
    Cached per process (``_master_cached``): after changing the key file, restart."""
    return _derive(_master_cached(), label, length)
