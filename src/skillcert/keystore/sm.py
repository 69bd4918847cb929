"""The commercial cryptography algorithms (商用密码, GB/T 39786-2021): SM3, HMAC-SM3, SM4 and
SM2 signatures, in one place, so the rest of the platform names what it needs, not a library.

- **SM3** (GB/T 32905) and **HMAC-SM3**: ``cryptography``'s OpenSSL.
- **SM4** (GB/T 32907): ``cryptography``'s OpenSSL. ``DeterministicSealer`` encrypts short
  personal data (ID numbers, phone numbers) so that equal values give equal ciphertexts — the
  keyed hash that makes exact lookups possible *is* the synthetic IV (the SIV construction of
  RFC 5297 with HMAC-SM3 and SM4-CTR): ``iv = HMAC-SM3(mac_key, plaintext)[:16]``,
  ``ciphertext = SM4-CTR(enc_key, iv, plaintext)``, stored as ``iv || ciphertext``. Opening
  recomputes the IV, so a ciphertext altered or moved under another key is refused. Equal
  values being recognisable as equal is what a lookup index reveals anyway; nothing else is.
- **SM2** signatures (GB/T 32918.2) with SM3 and the standard's default distinguishing
  identifier ``1234567812345678``: Tongsuo (``tongsuopy``, C; pure-Python SM2 is 100-600x
  slower than Ed25519 here). Signatures travel as raw ``r || s`` (64 bytes), as JOSE does for
  ECDSA; keys as PKCS#8 PEM (private) and their affine coordinates (public, for the JWKS).
"""

from __future__ import annotations

import hmac as std_hmac
from dataclasses import dataclass
from typing import Any, TypeAlias

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from tongsuopy.crypto import hashes as sm_hashes
from tongsuopy.crypto import serialization as sm_serialization
from tongsuopy.crypto.asymciphers import ec as sm_ec
from tongsuopy.crypto.exceptions import InvalidSignature

DEFAULT_ID = b"1234567812345678"  # GB/T 32918.2's default distinguishing identifier
IV_BYTES = 16
KEY_BYTES = 16  # SM4 keys are 128 bits
COORDINATE_BYTES = 32

# Tongsuo's key classes (the library has no type information: both are Any to mypy).
SM2PrivateKey: TypeAlias = Any
SM2PublicKey: TypeAlias = Any


class SealBroken(ValueError):
    """A sealed value that does not open under this key (altered, truncated, another key)."""


def sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


def sm4_encrypt_block(key: bytes, block: bytes) -> bytes:
    """One 16-byte block under SM4 (ECB of one block: the standard's test vectors)."""
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305
    return encryptor.update(block) + encryptor.finalize()


def _ctr(key: bytes, iv: bytes, data: bytes) -> bytes:
    cipher = Cipher(algorithms.SM4(key), modes.CTR(iv)).encryptor()
    return cipher.update(data) + cipher.finalize()


@dataclass(frozen=True)
class DeterministicSealer:
    """SM4-SIV: equal plaintexts give equal sealed values (for indexed exact lookups)."""

    enc_key: bytes  # 16 bytes
    mac_key: bytes  # 32 bytes

    def __post_init__(self) -> None:
        if len(self.enc_key) != KEY_BYTES or len(self.mac_key) < KEY_BYTES:
            raise ValueError("SM4-SIV needs a 16-byte encryption key and a MAC key of 16+ bytes")

    def seal(self, plaintext: bytes) -> bytes:
        iv = hmac_sm3(self.mac_key, plaintext)[:IV_BYTES]
        return iv + _ctr(self.enc_key, iv, plaintext)

    def open(self, sealed: bytes) -> bytes:
        if len(sealed) < IV_BYTES:
            raise SealBroken("sealed value too short")
        iv, body = sealed[:IV_BYTES], sealed[IV_BYTES:]
        plaintext = _ctr(self.enc_key, iv, body)
        if not std_hmac.compare_digest(hmac_sm3(self.mac_key, plaintext)[:IV_BYTES], iv):
            raise SealBroken("sealed value does not open under this key")
        return plaintext


# --- SM2 ------------------------------------------------------------------------------------


def sm2_generate() -> SM2PrivateKey:
    return sm_ec.generate_private_key(sm_ec.SM2())


def sm2_sign(private: SM2PrivateKey, data: bytes) -> bytes:
    """The SM2 signature of ``data`` (Z computed with DEFAULT_ID), as raw ``r || s``."""
    der = private.sign(data, sm_ec.ECDSA(sm_hashes.SM3()))
    r, s = decode_dss_signature(der)
    return r.to_bytes(COORDINATE_BYTES, "big") + s.to_bytes(COORDINATE_BYTES, "big")


def sm2_verify(public: SM2PublicKey, signature: bytes, data: bytes) -> bool:
    if len(signature) != 2 * COORDINATE_BYTES:
        return False
    r = int.from_bytes(signature[:COORDINATE_BYTES], "big")
    s = int.from_bytes(signature[COORDINATE_BYTES:], "big")
    try:
        public.verify(encode_dss_signature(r, s), data, sm_ec.ECDSA(sm_hashes.SM3()))
    except (InvalidSignature, ValueError):
        return False
    return True


def sm2_private_pem(private: SM2PrivateKey) -> bytes:
    return private.private_bytes(
        sm_serialization.Encoding.PEM,
        sm_serialization.PrivateFormat.PKCS8,
        sm_serialization.NoEncryption(),
    )


def sm2_private_der(private: SM2PrivateKey) -> bytes:
    return private.private_bytes(
        sm_serialization.Encoding.DER,
        sm_serialization.PrivateFormat.PKCS8,
        sm_serialization.NoEncryption(),
    )


def sm2_load_private_der(der: bytes) -> SM2PrivateKey:
    key = sm_serialization.load_der_private_key(der, password=None)
    if not is_sm2_private(key):
        raise ValueError("not an SM2 private key")
    return key


def is_sm2_private(key: object) -> bool:
    return isinstance(key, sm_ec.EllipticCurvePrivateKey) and isinstance(key.curve, sm_ec.SM2)


def sm2_load_private(pem: bytes) -> SM2PrivateKey:
    key = sm_serialization.load_pem_private_key(pem, password=None)
    if not is_sm2_private(key):
        raise ValueError("not an SM2 private key")
    return key


def sm2_public_xy(public: SM2PublicKey) -> tuple[bytes, bytes]:
    numbers = public.public_numbers()
    return (
        numbers.x.to_bytes(COORDINATE_BYTES, "big"),
        numbers.y.to_bytes(COORDINATE_BYTES, "big"),
    )


def sm2_public_from_xy(x: bytes, y: bytes) -> SM2PublicKey:
    numbers = sm_ec.EllipticCurvePublicNumbers(
        int.from_bytes(x, "big"), int.from_bytes(y, "big"), sm_ec.SM2()
    )
    return numbers.public_key()
