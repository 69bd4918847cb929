"""Signing keys of the electronic certificates (Ed25519, and SM2 beside it), in the keystore.

The keys are rows of ``skillcert.keystore`` (purpose ``credential-signing``), their private
halves sealed under the master key, which is not in the database: every app server reads the
same rows, so ``skillcert keys rotate`` on one host changes the signing key of all of them at
once. The public set (``/.well-known/jwks.json``) keeps retired keys so that old certificates
still verify.

Every credential is also signed with SM2 (GB/T 32918.2, purpose ``credential-signing-sm2``)
when ``SKILLCERT_SM2_SIGNATURES`` is on (the default). That key is made on first use, so an
installation that only had Ed25519 keys signs with both at once; the public set publishes it
as ``{"kty": "EC", "crv": "SM2", "x", "y", "alg": "SM2SM3"}`` after the Ed25519 keys, which
are published unchanged (docs/security.md, "E. SM2 signatures").

Before the keystore the keys were PEM files in ``SKILLCERT_KEY_DIR`` (``index.json`` listing
them, encrypted with ``SKILLCERT_KEY_PASSPHRASE`` when it was set). They are imported once, under
their own kids: by ``skillcert keys import [DIR]``, or by ``ensure_key`` (``skillcert setup``)
and the first signing when the keystore holds no key yet.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import connections, router, transaction

from skillcert.audit.service import SYSTEM, Actor, record
from skillcert.keystore import sm
from skillcert.keystore.algorithms import b64url
from skillcert.keystore.errors import KeyUnavailable
from skillcert.keystore.models import StoredKey
from skillcert.keystore.store import DatabaseKeyStore, NoCurrentKey, default_store
from skillcert.keystore.store import KeyInfo as StoredKeyInfo

ALGORITHM = "EdDSA"  # the JWS "alg" of an Ed25519 signature
PURPOSE = "credential-signing"
SM2_ALGORITHM = "SM2SM3"  # no JOSE name is registered for SM2 with SM3 (docs/security.md, E)
SM2_PURPOSE = "credential-signing-sm2"
# The keystore purpose of each signature algorithm of the credentials.
PURPOSES = {"Ed25519": PURPOSE, "SM2": SM2_PURPOSE}
# The JWK members of each keystore algorithm the public set can publish (RFC 8037 for OKP;
# SM2 as an EC key on the curve "SM2", its "x" and "y" the affine coordinates, 32 bytes each).
JWK_MEMBERS = {
    "Ed25519": {"kty": "OKP", "crv": "Ed25519", "alg": ALGORITHM},
    "SM2": {"kty": "EC", "crv": "SM2", "alg": SM2_ALGORITHM},
}
# More public keys for /.well-known/jwks.json (e.g. the audit checkpoints' keys): callables
# returning JWKs, appended after the credentials' keys; see ``add_jwks_source``.
EXTRA_JWKS_SOURCES: list[Callable[[], list[dict[str, str]]]] = []

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


def load_index(algorithm: str = "Ed25519") -> list[KeyInfo]:
    """Every signing key of the algorithm, oldest first, retired ones included."""
    return [_key_info(stored) for stored in default_store().public_keys(_purpose(algorithm))]


def _purpose(algorithm: str) -> str:
    try:
        return PURPOSES[algorithm]
    except KeyError:
        raise KeysMissing(f"电子证书不使用签名算法 {algorithm!r}（可选 Ed25519、SM2）") from None


def sm2_enabled() -> bool:
    """Whether credentials carry an SM2 signature beside the Ed25519 one."""
    return bool(getattr(settings, "SKILLCERT_SM2_SIGNATURES", True))


def rotate_keys(
    now: dt.datetime | None = None, *, actor: Actor = SYSTEM, algorithm: str = "Ed25519"
) -> KeyInfo:
    """Make a new current key of the algorithm (Ed25519 or SM2); the previous current key of
    that algorithm is retired (still published)."""
    purpose = _purpose(algorithm)
    with transaction.atomic():
        stored = default_store().rotate(purpose, algorithm=algorithm, now=now)
        _record(actor, "certificates.signing_key_rotated", stored)
    return _key_info(stored)


def ensure_key() -> KeyInfo:
    """The current key: the old key directory's when the keystore is still empty, else made
    on first use (``skillcert setup`` calls this). The SM2 key too, when SM2 is on."""
    current = _current_info()
    if current is None and not load_index():
        import_legacy_keys()
        current = _current_info()
    if sm2_enabled() and _current_info("SM2") is None:
        rotate_keys(algorithm="SM2")
    return current or rotate_keys()


def _current_info(algorithm: str = "Ed25519") -> KeyInfo | None:
    current = [k for k in load_index(algorithm) if k.retired is None]
    return current[-1] if current else None


def current_kids() -> tuple[str | None, str | None]:
    """The kids that sign now (Ed25519, SM2 when on), read on every call (a rotation on any
    server applies at once); nothing is unsealed. With the database store (the default) one
    fixed statement: the credential endpoint asks this on every request, and composing the
    ORM queries cost more than serving the stored credential."""
    store = default_store()
    if isinstance(store, DatabaseKeyStore):
        # Fixed text and the model's table name; the purposes are bound parameters.
        sql = (
            f"SELECT purpose, kid FROM {StoredKey._meta.db_table}"  # noqa: S608
            " WHERE retired IS NULL AND purpose IN (%s, %s)"
        )
        with connections[router.db_for_read(StoredKey)].cursor() as cursor:
            cursor.execute(sql, [PURPOSE, SM2_PURPOSE])
            current = dict(cursor.fetchall())
    else:
        current = {
            purpose: info.kid
            for purpose in (PURPOSE, SM2_PURPOSE)
            for info in store.public_keys(purpose)
            if info.retired is None
        }
    return current.get(PURPOSE), (current.get(SM2_PURPOSE) if sm2_enabled() else None)


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


def current_sm2_key() -> tuple[str, sm.SM2PrivateKey]:
    """The kid and SM2 key that sign now; made on first use (with its audit entry), so an
    installation that had only Ed25519 keys needs no step to start signing with SM2."""
    store = default_store()
    try:
        kid, private = store.current(SM2_PURPOSE)
    except NoCurrentKey:
        rotate_keys(algorithm="SM2")
        kid, private = store.current(SM2_PURPOSE)
    if not sm.is_sm2_private(private):
        raise KeysMissing(f"签名密钥 {kid} 不是 SM2 密钥，电子证书暂不能用它签名")
    return kid, private


def public_jwks() -> dict[str, Any]:
    """Every public key, current and retired: the Ed25519 keys (JWK, RFC 8037 OKP), then the
    SM2 keys (EC, curve "SM2"), then those of ``EXTRA_JWKS_SOURCES``. Before the old key
    directory is imported, its public keys are published from its index."""
    store = default_store()
    stored = store.public_keys(PURPOSE)
    if stored:
        keys = [(s.algorithm, _key_info(s)) for s in stored if s.algorithm in JWK_MEMBERS]
    else:
        try:
            keys = [("Ed25519", k) for k in load_legacy_index()]
        except KeysMissing:
            keys = []
    keys += [(s.algorithm, _key_info(s)) for s in store.public_keys(SM2_PURPOSE)]
    jwks = [_jwk(JWK_MEMBERS[algorithm], k) for algorithm, k in keys if algorithm in JWK_MEMBERS]
    for source in EXTRA_JWKS_SOURCES:
        jwks.extend(source())
    return {"keys": jwks}


def jwks_of(purpose: str) -> list[dict[str, str]]:
    """The JWKs of every stored key of a keystore purpose (Ed25519 or SM2), for another
    signer (e.g. the audit checkpoints) to publish with ``add_jwks_source``."""
    return [
        _jwk(JWK_MEMBERS[s.algorithm], _key_info(s))
        for s in default_store().public_keys(purpose)
        if s.algorithm in JWK_MEMBERS
    ]


def add_jwks_source(source: Callable[[], list[dict[str, str]]]) -> None:
    """Publish more public keys in /.well-known/jwks.json (once per process, e.g. from an
    AppConfig.ready()): ``add_jwks_source(lambda: jwks_of("audit-checkpoint"))``."""
    if source not in EXTRA_JWKS_SOURCES:
        EXTRA_JWKS_SOURCES.append(source)


def _jwk(members: dict[str, str], key: KeyInfo) -> dict[str, str]:
    if members["kty"] == "EC":  # SM2: the keystore's x || y, published as "x" and "y"
        xy = base64.urlsafe_b64decode(key.public_x + "=" * (-len(key.public_x) % 4))
        half = len(xy) // 2
        coordinates = {"x": b64url(xy[:half]), "y": b64url(xy[half:])}
    else:
        coordinates = {"x": key.public_x}
    return {
        "kty": members["kty"],
        "crv": members["crv"],
        **coordinates,
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
