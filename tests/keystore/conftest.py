"""Keystore fixtures: a known master key, and an old key directory as the file-based keys
module wrote it before the keystore (PEM files, ``index.json``)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
from dataclasses import dataclass
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from skillcert.certificates.keys import key_id

MASTER_HEX = "11" * 32


@pytest.fixture
def master(settings):
    settings.SKILLCERT_MASTER_KEY = MASTER_HEX
    settings.SKILLCERT_MASTER_KEY_FILE = ""
    return MASTER_HEX


@dataclass
class OldKey:
    kid: str
    private: Ed25519PrivateKey


def write_old_key_dir(directory: Path, *, passphrase: str = "", count: int = 2) -> list[OldKey]:
    """What the old ``rotate_keys`` left: ``<kid>.pem`` (PKCS#8, encrypted with the
    passphrase when one was set, mode 0600) and ``index.json``; the last key current."""
    directory.mkdir(parents=True, exist_ok=True)
    keys, index = [], []
    for number in range(count):
        private = Ed25519PrivateKey.generate()
        kid = key_id(private.public_key())
        encryption = (
            serialization.BestAvailableEncryption(passphrase.encode())
            if passphrase
            else serialization.NoEncryption()
        )
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )
        path = directory / f"{kid}.pem"
        path.write_bytes(pem)
        os.chmod(path, 0o600)
        created = dt.datetime(2026, 1 + number, 1, 8, 0, tzinfo=dt.UTC)
        raw = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        index.append(
            {
                "kid": kid,
                "created": created.isoformat(timespec="seconds"),
                "retired": None,
                "public_x": jwt.utils.base64url_encode(raw).decode(),
            }
        )
        keys.append(OldKey(kid, private))
    for item, following in itertools.pairwise(index):
        item["retired"] = following["created"]
    (directory / "index.json").write_text(json.dumps({"keys": index}), encoding="utf-8")
    return keys


def old_credential(key: OldKey, claims: dict) -> str:
    """A credential as the old installation signed it."""
    return jwt.encode(claims, key.private, algorithm="EdDSA", headers={"kid": key.kid})
