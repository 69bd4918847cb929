"""The signature algorithms a stored key can have. Only Ed25519 today; another algorithm
(SM2, issue 13) is one more entry, the store itself names none."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from skillcert.keystore.errors import KeyUnavailable


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Algorithm:
    name: str
    generate: Callable[[], PrivateKeyTypes]
    is_own: Callable[[PrivateKeyTypes], bool]  # the loaded key is of this algorithm
    raw_public: Callable[[PrivateKeyTypes], bytes]  # what is published (JWK "x" for OKP)

    def key_id(self, private: PrivateKeyTypes) -> str:
        """A stable id from the public key (the first 16 characters of its SHA-256, base64url)."""
        return b64url(hashlib.sha256(self.raw_public(private)).digest())[:16]


def _ed25519_public(private: PrivateKeyTypes) -> bytes:
    assert isinstance(private, Ed25519PrivateKey)
    return private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


ED25519 = Algorithm(
    name="Ed25519",
    generate=Ed25519PrivateKey.generate,
    is_own=lambda key: isinstance(key, Ed25519PrivateKey),
    raw_public=_ed25519_public,
)

ALGORITHMS = {algorithm.name: algorithm for algorithm in (ED25519,)}


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
