"""Signing keys of the electronic certificates (Ed25519), held in the keystore.

The keys are rows of ``skillcert.keystore`` (purpose ``credential-signing``), their private
halves sealed under the master key, which is not in the database: every app server reads the
same rows, so ``skillcert keys rotate`` on one host changes the signing key of all of them at
once. The public set (``/.well-known/jwks.json``) keeps retired keys so that old certificates
still verify.

Before the keystore the keys were PEM files in ``SKILLCERT_KEY_DIR`` (``index.json`` listing
them, encrypted with ``SKILLCERT_KEY_PASSPHRASE`` when it was set). They are imported once, under
their own kids: by ``skillcert keys import [DIR]``, or by ``ensure_key`` (``skillcert setup``)
and the first signing when the keystore holds no key yet.
"""

from __future__ import annotations

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
from django.db import transaction

from skillcert.audit.service import SYSTEM, Actor, record
from skillcert.keystore.algorithms import b64url
from skillcert.keystore.errors import KeyUnavailable
from skillcert.keystore.store import KeyInfo as StoredKeyInfo
from skillcert.keystore.store import NoCurrentKey, default_store

ALGORITHM = "EdDSA"  # the JWS "alg" of an Ed25519 signature
PURPOSE = "credential-signing"
# The JWK members of each keystore algorithm the public set can publish (RFC 8037 for OKP).
JWK_MEMBERS = {"Ed25519": {"kty": "OKP", "crv": "Ed25519", "alg": ALGORITHM}}

# The keystore's refusal (503, ``signing_key_missing``) under the name callers know.
KeysMissing = KeyUnavailable


@dataclass(frozen=True)
class KeyInfo:
    kid: str
    created: str
    retired: str | None
    public_x: str  # the raw public key, base64url (the JWK "x")


def key_dir() -> Path:
    """The old per-host key directory, read only to import its keys."""
    return Path(getattr(settings, "SKILLCERT_KEY_DIR", settings.DATA_DIR / "keys"))


def key_id(public: Ed25519PublicKey) -> str:
    """A stable id from the key itself (the first 16 characters of its SHA-256, base64url)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return b64url(hashlib.sha256(raw).digest())[:16]


def _moment(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds") if value else None


def _key_info(stored: StoredKeyInfo) -> KeyInfo:
    return KeyInfo(
        stored.kid, _moment(stored.created) or "", _moment(stored.retired), stored.public_key
    )


def load_index() -> list[KeyInfo]:
    """Every signing key, oldest first, retired ones included."""
    return [_key_info(stored) for stored in default_store().public_keys(PURPOSE)]


def rotate_keys(now: dt.datetime | None = None, *, actor: Actor = SYSTEM) -> KeyInfo:
    """Make a new current key; the previous current key is retired (still published)."""
    with transaction.atomic():
        stored = default_store().rotate(PURPOSE, algorithm="Ed25519", now=now)
        _record(actor, "certificates.signing_key_rotated", stored)
    return _key_info(stored)


def ensure_key() -> KeyInfo:
    """The current key: the old key directory's when the keystore is still empty, else made
    on first use (``skillcert setup`` calls this)."""
    current = _current_info()
    if current is None and not load_index():
        import_legacy_keys()
        current = _current_info()
    return current or rotate_keys()


def _current_info() -> KeyInfo | None:
    current = [k for k in load_index() if k.retired is None]
    return current[-1] if current else None


def current_signing_key() -> tuple[str, Ed25519PrivateKey]:
    """The kid and key that sign now, read from the database on every call (never cached), so
    a rotation on any server applies here at the next signature."""
    store = default_store()
    try:
        kid, private = store.current(PURPOSE)
    except NoCurrentKey:
        if load_index() or not import_legacy_keys():
            raise KeysMissing("尚未生成电子证书签名密钥：请运行 skillcert keys rotate") from None
        kid, private = store.current(PURPOSE)
    if not isinstance(private, Ed25519PrivateKey):
        raise KeysMissing(f"签名密钥 {kid} 不是 Ed25519 密钥，电子证书暂不能用它签名")
    return kid, private


def public_jwks() -> dict[str, Any]:
    """Every public key, current and retired (JWK, RFC 8037 OKP). Before the old key
    directory is imported, its public keys are published from its index."""
    stored = default_store().public_keys(PURPOSE)
    if stored:
        keys = [(s.algorithm, _key_info(s)) for s in stored if s.algorithm in JWK_MEMBERS]
    else:
        try:
            keys = [("Ed25519", k) for k in load_legacy_index()]
        except KeysMissing:
            keys = []
    return {"keys": [_jwk(JWK_MEMBERS[algorithm], k) for algorithm, k in keys]}


def _jwk(members: dict[str, str], key: KeyInfo) -> dict[str, str]:
    return {
        "kty": members["kty"],
        "crv": members["crv"],
        "x": key.public_x,
        "kid": key.kid,
        "use": "sig",
        "alg": members["alg"],
        **({"retired": key.retired} if key.retired else {}),
    }


# -- The old key directory ---------------------------------------------------------------


def load_legacy_index(directory: Path | None = None) -> list[KeyInfo]:
    """The keys listed in an old key directory's ``index.json`` (none when there is none)."""
    path = (directory or key_dir()) / "index.json"
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [KeyInfo(**item) for item in data["keys"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KeysMissing(f"无法读取旧签名密钥目录的索引 {path}：{exc}") from exc


def _legacy_private_key(directory: Path, info: KeyInfo) -> Ed25519PrivateKey:
    passphrase = os.environ.get("SKILLCERT_KEY_PASSPHRASE", "")
    path = directory / f"{info.kid}.pem"
    try:
        private = serialization.load_pem_private_key(
            path.read_bytes(), password=passphrase.encode("utf-8") if passphrase else None
        )
    except (OSError, ValueError, TypeError) as exc:
        raise KeysMissing(
            f"无法读取旧签名密钥 {path}（加密的密钥须设置原来的 SKILLCERT_KEY_PASSPHRASE）：{exc}"
        ) from exc
    if not isinstance(private, Ed25519PrivateKey) or key_id(private.public_key()) != info.kid:
        raise KeysMissing(f"旧签名密钥 {path} 与索引中的编号 {info.kid} 不符")
    return private


def import_legacy_keys(directory: Path | None = None, *, actor: Actor = SYSTEM) -> list[KeyInfo]:
    """Take the keys of an old key directory into the keystore under their own kids, with
    their creation and retirement; returns those not held before. Every file is read before
    anything is written, so an unreadable key imports none."""
    folder = directory or key_dir()
    legacy = [
        (info, _legacy_private_key(folder, info), *_legacy_moments(info))
        for info in load_legacy_index(folder)
    ]
    store = default_store()
    imported = []
    with transaction.atomic():
        for info, private, created, retired in legacy:
            stored = store.import_key(
                PURPOSE, private, kid=info.kid, created=created, retired=retired
            )
            if stored is not None:
                _record(actor, "certificates.signing_key_imported", stored)
                imported.append(_key_info(stored))
    return imported


def _legacy_moments(info: KeyInfo) -> tuple[dt.datetime, dt.datetime | None]:
    try:
        created = _parse_moment(info.created)
        return created, _parse_moment(info.retired) if info.retired else None
    except ValueError as exc:
        raise KeysMissing(f"旧签名密钥 {info.kid} 的日期无法识别：{exc}") from exc


def _parse_moment(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _record(actor: Actor, action: str, stored: StoredKeyInfo) -> None:
    record(
        actor=actor,
        action=action,
        object_type="keystore.storedkey",
        object_id=stored.kid,
        after={
            "kid": stored.kid,
            "purpose": stored.purpose,
            "algorithm": stored.algorithm,
            "public_key": stored.public_key,
            "created": _moment(stored.created),
            "retired": _moment(stored.retired),
        },
    )
