"""``KeyStore``: the current key of a purpose, rotation, and every public key (retired too).

``DatabaseKeyStore`` (the default) keeps each key in a ``StoredKey`` row, its private half
(PKCS#8 DER) sealed with AES-256-GCM under the master key (``master.py``), with the kid and
purpose as associated data. Every server reads the same rows on every call, so a rotation made
on one host is the current key on all of them at once. Another store (an HSM, issue 13) offers
the same four methods.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import IntegrityError, transaction
from django.utils import timezone

from skillcert.keystore.algorithms import algorithm_named, algorithm_of, b64url
from skillcert.keystore.errors import KeyUnavailable
from skillcert.keystore.master import master_key
from skillcert.keystore.models import StoredKey

NONCE_BYTES = 12
ROTATION_ATTEMPTS = 3  # two servers rotating at once: the loser retries on the new current key


class NoCurrentKey(KeyUnavailable):
    """The purpose has no current key yet."""


@dataclass(frozen=True)
class KeyInfo:
    """A stored key as anyone may see it: never the private half."""

    kid: str
    purpose: str
    algorithm: str
    public_key: str  # raw, base64url
    created: dt.datetime
    retired: dt.datetime | None


class KeyStore(Protocol):
    def current(self, purpose: str) -> tuple[str, PrivateKeyTypes]:
        """The kid and private key that sign now; ``NoCurrentKey`` when there is none."""
        ...

    def rotate(
        self, purpose: str, *, algorithm: str = "Ed25519", now: dt.datetime | None = None
    ) -> KeyInfo:
        """A new current key; the previous one is retired (and stays published)."""
        ...

    def public_keys(self, purpose: str) -> list[KeyInfo]:
        """Every key of the purpose, oldest first, retired ones included."""
        ...

    def import_key(
        self,
        purpose: str,
        private: PrivateKeyTypes,
        *,
        kid: str,
        created: dt.datetime,
        retired: dt.datetime | None = None,
    ) -> KeyInfo | None:
        """Take an existing key in under its own kid (``None`` when the kid is already held).
        An imported key never displaces the current one: it comes in retired if there is one."""
        ...


def _associated_data(kid: str, purpose: str) -> bytes:
    return json.dumps([kid, purpose]).encode("utf-8")


def _info(row: StoredKey) -> KeyInfo:
    return KeyInfo(row.kid, row.purpose, row.algorithm, row.public_key, row.created, row.retired)


class DatabaseKeyStore:
    """Keys in the database, sealed under the master key (which is not in the database)."""

    def current(self, purpose: str) -> tuple[str, PrivateKeyTypes]:
        row = StoredKey.objects.filter(purpose=purpose, retired__isnull=True).first()
        if row is None:
            raise NoCurrentKey(f"尚未生成用途为 {purpose} 的签名密钥")
        return row.kid, self._unseal(row)

    def rotate(
        self, purpose: str, *, algorithm: str = "Ed25519", now: dt.datetime | None = None
    ) -> KeyInfo:
        spec = algorithm_named(algorithm)
        private = spec.generate()
        moment = now or timezone.now()
        row = self._sealed_row(purpose, private, kid=spec.key_id(private), created=moment)
        for attempt in range(ROTATION_ATTEMPTS):
            try:
                with transaction.atomic():
                    # Locks the current row (SQLite: the IMMEDIATE transaction's write lock). A
                    # rotation committed meanwhile on another server shows as the partial unique
                    # constraint failing: then retire that newer key and try again.
                    current = StoredKey.objects.select_for_update().filter(
                        purpose=purpose, retired__isnull=True
                    )
                    StoredKey.objects.filter(pk__in=[r.pk for r in current]).update(retired=moment)
                    row.pk = None
                    row.save(force_insert=True)
                    return _info(row)
            except IntegrityError:
                if attempt == ROTATION_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def public_keys(self, purpose: str) -> list[KeyInfo]:
        return [_info(row) for row in StoredKey.objects.filter(purpose=purpose)]

    def import_key(
        self,
        purpose: str,
        private: PrivateKeyTypes,
        *,
        kid: str,
        created: dt.datetime,
        retired: dt.datetime | None = None,
    ) -> KeyInfo | None:
        row = self._sealed_row(purpose, private, kid=kid, created=created)
        try:
            with transaction.atomic():
                if StoredKey.objects.filter(kid=kid).exists():
                    return None
                has_current = (
                    StoredKey.objects.select_for_update()
                    .filter(purpose=purpose, retired__isnull=True)
                    .exists()
                )
                row.retired = retired or (timezone.now() if has_current else None)
                row.save(force_insert=True)
        except IntegrityError:
            if StoredKey.objects.filter(kid=kid).exists():  # another server imported it first
                return None
            raise
        return _info(row)

    def _sealed_row(
        self, purpose: str, private: PrivateKeyTypes, *, kid: str, created: dt.datetime
    ) -> StoredKey:
        spec = algorithm_of(private)
        der = spec.to_der(private)
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(master_key()).encrypt(nonce, der, _associated_data(kid, purpose))
        return StoredKey(
            kid=kid,
            purpose=purpose,
            algorithm=spec.name,
            public_key=b64url(spec.raw_public(private)),
            private_nonce=nonce,
            private_sealed=sealed,
            created=created,
        )

    def _unseal(self, row: StoredKey) -> PrivateKeyTypes:
        try:
            der = AESGCM(master_key()).decrypt(
                bytes(row.private_nonce),
                bytes(row.private_sealed),
                _associated_data(row.kid, row.purpose),
            )
        except InvalidTag:
            raise KeyUnavailable(
                f"主密钥无法解开签名密钥 {row.kid}：本服务器的 SKILLCERT_MASTER_KEY"
                "（或 SKILLCERT_MASTER_KEY_FILE）与生成该密钥时所用的不一致，"
                "请核对各服务器的主密钥配置"
            ) from None
        spec = algorithm_named(row.algorithm)
        try:
            private = spec.from_der(der)
        except (ValueError, UnsupportedAlgorithm):  # the row's algorithm is not its key's
            private = None
        if private is None or not spec.is_own(private):
            raise KeyUnavailable(f"签名密钥 {row.kid} 不是 {row.algorithm} 密钥")
        return private


def default_store() -> KeyStore:
    """The store the platform signs with: the database."""
    return DatabaseKeyStore()
