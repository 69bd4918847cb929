"""The signature algorithms a stored key can have: Ed25519 and SM2 (GB/T 32918.2, through
``keystore.sm``). Each says how to make, recognise, serialise and publish its keys; the store
itself names none."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from skillcert.keystore import sm
from skillcert.keystore.errors import KeyUnavailable


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Algorithm:
    name: str
    generate: Callable[[], PrivateKeyTypes]
    is_own: Callable[[PrivateKeyTypes], bool]  # the loaded key is of this algorithm
    raw_public: Callable[[PrivateKeyTypes], bytes]  # what is published (JWK "x" for OKP)
    to_der: Callable[[PrivateKeyTypes], bytes]  # PKCS#8 DER, unencrypted (sealed by the store)
    from_der: Callable[[bytes], PrivateKeyTypes]

    def key_id(self, private: PrivateKeyTypes) -> str:
        """A stable id from the public key (the first 16 characters of its SHA-256, base64url)."""
        return b64url(hashlib.sha256(self.raw_public(private)).digest())[:16]


def _ed25519_public(private: PrivateKeyTypes) -> bytes:
    assert isinstance(private, Ed25519PrivateKey)
    return private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def _pkcs8(private: PrivateKeyTypes) -> bytes:
    return private.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load_pkcs8(der: bytes) -> PrivateKeyTypes:
    return serialization.load_der_private_key(der, password=None)


ED25519 = Algorithm(
    name="Ed25519",
    generate=Ed25519PrivateKey.generate,
    is_own=lambda key: isinstance(key, Ed25519PrivateKey),
    raw_public=_ed25519_public,
    to_der=_pkcs8,
    from_der=_load_pkcs8,
)


def _sm2_public(private: PrivateKeyTypes) -> bytes:
    x, y = sm.sm2_public_xy(private.public_key())
    return x + y  # the JWK carries them as "x" and "y"


SM2 = Algorithm(
    name="SM2",
    generate=sm.sm2_generate,
    is_own=sm.is_sm2_private,
    raw_public=_sm2_public,
    to_der=sm.sm2_private_der,
    from_der=sm.sm2_load_private_der,
)

ALGORITHMS = {algorithm.name: algorithm for algorithm in (ED25519, SM2)}


def algorithm_named(name: str) -> Algorithm:
    try:
        return ALGORITHMS[name]
    except KeyError:
        raise KeyUnavailable(f"不支持的签名算法 {name!r}") from None


def algorithm_of(private: PrivateKeyTypes) -> Algorithm:
    for algorithm in ALGORITHMS.values():
        if algorithm.is_own(private):
            return algorithm
    raise KeyUnavailable(f"不支持的密钥类型 {type(private).__name__}")
