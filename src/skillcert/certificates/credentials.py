"""Electronic certificates: a compact JWS (EdDSA, Ed25519) anyone can verify offline."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jwt

from skillcert.certificates.keys import ALGORITHM, current_signing_key
from skillcert.certificates.models import Certificate
from skillcert.certificates.verification import PublicRecord, public_fields


def issue_credential(certificate: Certificate | PublicRecord) -> str:
    """The certificate's public fields plus ``issuer`` (the filing number) and ``iat``.

    Never the full ID number nor anything it can be recomputed from: only the masked form.
    """
    kid, key = current_signing_key()
    payload = {
        **public_fields(certificate),
        "issuer": certificate.filing_number,
        "iat": int(time.time()),
    }
    return jwt.encode(payload, key, algorithm=ALGORITHM, headers={"kid": kid, "typ": "JWT"})


class CredentialInvalid(Exception):
    pass


def verify_credential(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """Check the signature against a saved JWKS (no network); returns the payload."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise CredentialInvalid(f"不是有效的电子证书（JWS）：{exc}") from exc
    if header.get("alg") != ALGORITHM:
        raise CredentialInvalid(f"签名算法应为 {ALGORITHM}，收到 {header.get('alg')!r}")
    kid = header.get("kid")
    matching = [key for key in jwks.get("keys", []) if key.get("kid") == kid]
    if not matching:
        raise CredentialInvalid(f"公钥集中没有编号为 {kid!r} 的密钥")
    try:
        public = jwt.PyJWK(matching[0], algorithm=ALGORITHM).key
        return jwt.decode(token, public, algorithms=[ALGORITHM], options={"verify_aud": False})
    except jwt.PyJWTError as exc:
        raise CredentialInvalid(f"签名验证失败：{exc}") from exc


def load_jwks(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
