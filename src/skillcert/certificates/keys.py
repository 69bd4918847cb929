"""Signing keys of the electronic certificates (Ed25519), kept outside the database.

The private keys live in ``SKILLCERT_KEY_DIR`` (default ``$SKILLCERT_DATA_DIR/keys``), one PEM
file per key with mode 0600, encrypted with ``SKILLCERT_KEY_PASSPHRASE`` when it is set; a
database dump holds none of them. ``index.json`` lists every key with its creation and
retirement; the public set (``/.well-known/jwks.json``) keeps retired keys so that old
certificates still verify. ``skillcert keys rotate`` makes a new current key.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from skillcert.rules.errors import DomainError

ALGORITHM = "EdDSA"


class KeysMissing(DomainError):
    status = 503
    default_code = "signing_key_missing"


def key_dir() -> Path:
    return Path(getattr(settings, "SKILLCERT_KEY_DIR", settings.DATA_DIR / "keys"))


def _passphrase() -> bytes | None:
    value = os.environ.get("SKILLCERT_KEY_PASSPHRASE", "")
    return value.encode("utf-8") if value else None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: Ed25519PublicKey) -> str:
    """A stable id from the key itself (the first 16 characters of its SHA-256, base64url)."""
    return _b64url(hashlib.sha256(_raw_public(public)).digest())[:16]


@dataclass(frozen=True)
class KeyInfo:
    kid: str
    created: str
    retired: str | None
    public_x: str  # the raw public key, base64url (the JWK "x")


def _index_path() -> Path:
    return key_dir() / "index.json"


def load_index() -> list[KeyInfo]:
    path = _index_path()
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [KeyInfo(**item) for item in data["keys"]]


def _save_index(keys: list[KeyInfo]) -> None:
    directory = key_dir()
    temporary = directory / "index.json.tmp"
    temporary.write_text(
        json.dumps({"keys": [k.__dict__ for k in keys]}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    temporary.replace(_index_path())


def rotate_keys(now: dt.datetime | None = None) -> KeyInfo:
    """Make a new current key; the previous current key is retired (still published)."""
    directory = key_dir()
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    moment = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    private = Ed25519PrivateKey.generate()
    public = private.public_key()
    kid = key_id(public)
    passphrase = _passphrase()
    encryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    path = directory / f"{kid}.pem"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    keys = [KeyInfo(k.kid, k.created, k.retired or moment, k.public_x) for k in load_index()]
    info = KeyInfo(kid, moment, None, _b64url(_raw_public(public)))
    keys.append(info)
    _save_index(keys)
    return info


def ensure_key() -> KeyInfo:
    """The current key, made on first use (``skillcert setup`` calls this)."""
    current = [k for k in load_index() if k.retired is None]
    return current[-1] if current else rotate_keys()


def current_signing_key() -> tuple[str, Ed25519PrivateKey]:
    current = [k for k in load_index() if k.retired is None]
    if not current:
        raise KeysMissing("尚未生成电子证书签名密钥：请运行 skillcert keys rotate")
    kid = current[-1].kid
    try:
        pem = (key_dir() / f"{kid}.pem").read_bytes()
        private = serialization.load_pem_private_key(pem, password=_passphrase())
    except (OSError, ValueError, TypeError) as exc:
        raise KeysMissing(f"无法读取签名密钥 {kid}：{exc}") from exc
    assert isinstance(private, Ed25519PrivateKey)
    return kid, private


def public_jwks() -> dict[str, Any]:
    """Every public key, current and retired (JWK, RFC 8037 OKP)."""
    return {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": k.public_x,
                "kid": k.kid,
                "use": "sig",
                "alg": ALGORITHM,
                **({"retired": k.retired} if k.retired else {}),
            }
            for k in load_index()
        ]
    }
