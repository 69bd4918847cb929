"""Electronic certificates: a compact JWS (EdDSA, Ed25519) anyone can verify offline, with an
SM2 signature beside it.

The SM2 signature travels in the JWS protected header, as the private member
``"sm2": {"kid", "alg": "SM2SM3", "sig"}``: ``sig`` is the SM2 signature (GB/T 32918.2, SM3,
default identifier, raw ``r || s``, base64url) of the JWS's encoded payload segment (the ASCII
bytes between the two dots). The payload and the Ed25519 signature are what the contract says;
a verifier that knows only EdDSA ignores the member, and since the header is signed by Ed25519
too, nobody can strip or swap it unnoticed. The SM2 public keys are in the same JWKS.

A credential is signed once per content and key: ``credential_for`` keeps the signed token in
``SignedCredential`` under a fingerprint of its payload (status included) and the current kids,
so every later request serves the stored token without signing; a status change, a correction
or a key rotation changes the fingerprint and the next request signs anew (and drops the
certificate's older token).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import jwt
from django.db import IntegrityError, connections, router, transaction

from skillcert.certificates.keys import (
    ALGORITHM,
    SM2_ALGORITHM,
    current_kids,
    current_signing_key,
    current_sm2_key,
    sm2_enabled,
)
from skillcert.certificates.models import Certificate, SignedCredential
from skillcert.certificates.verification import PublicRecord, public_fields
from skillcert.keystore import sm
from skillcert.keystore.algorithms import b64url

SM2_MEMBER = "sm2"  # the JWS header member that carries the SM2 signature


def _claims(certificate: Certificate | PublicRecord) -> dict[str, Any]:
    return {**public_fields(certificate), "issuer": certificate.filing_number}


def issue_credential(certificate: Certificate | PublicRecord) -> str:
    """The certificate's public fields plus ``issuer`` (the filing number) and ``iat``, signed
    now (Ed25519, and SM2 when on). The public endpoint serves ``credential_for`` instead.

    Never the full ID number nor anything it can be recomputed from: only the masked form.
    """
    return _sign(_claims(certificate))[0]


def _sign(claims: dict[str, Any]) -> tuple[str, str, str | None]:
    """The compact JWS of the claims with ``iat`` now; returns it with the kids that signed."""
    kid, key = current_signing_key()
    body = json.dumps({**claims, "iat": int(time.time())}, separators=(",", ":")).encode()
    headers: dict[str, Any] = {"kid": kid, "typ": "JWT"}
    sm2_kid = None
    if sm2_enabled():
        sm2_kid, sm2_key = current_sm2_key()
        segment = b64url(body).encode("ascii")
        headers[SM2_MEMBER] = {
            "kid": sm2_kid,
            "alg": SM2_ALGORITHM,
            "sig": b64url(sm.sm2_sign(sm2_key, segment)),
        }
    token = jwt.api_jws.encode(body, key, algorithm=ALGORITHM, headers=headers)
    return token, kid, sm2_kid


def _fingerprint(number: str, claims: dict[str, Any], kid: str, sm2_kid: str | None) -> str:
    text = json.dumps([number, claims, kid, sm2_kid], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def credential_for(certificate: Certificate | PublicRecord) -> str:
    """The certificate's credential, signed at most once per content (status included) and
    signing keys: the stored token when its fingerprint still matches, else signed now and
    stored. Reads only public key rows to learn the current kids (nothing is unsealed)."""
    claims = _claims(certificate)
    kid, sm2_kid = current_kids()
    if kid is not None and (sm2_kid is not None or not sm2_enabled()):
        fingerprint = _fingerprint(certificate.number, claims, kid, sm2_kid)
        stored = _stored_token(fingerprint)
        if stored is not None:
            return stored
    # No stored token, or a key is still to be made or imported: ``_sign`` does that (or
    # answers the 503 ``signing_key_missing``).
    token, kid, sm2_kid = _sign(claims)
    _store(certificate.number, _fingerprint(certificate.number, claims, kid, sm2_kid), token)
    return token


def _stored_token(fingerprint: str) -> str | None:
    # One fixed statement (as ``find_public``): the ORM's composition cost more than the
    # lookup. Fixed text and the model's table name; the fingerprint is a bound parameter.
    sql = f"SELECT token FROM {SignedCredential._meta.db_table} WHERE fingerprint = %s"  # noqa: S608
    with connections[router.db_for_read(SignedCredential)].cursor() as cursor:
        cursor.execute(sql, [fingerprint])
        row = cursor.fetchone()
    return row[0] if row else None


def _store(number: str, fingerprint: str, token: str) -> None:
    """Keep the token, dropping the certificate's older ones. A derived cache of public data,
    not a change of record: no audit entry. Two servers signing at once keep the first."""
    try:
        with transaction.atomic():
            SignedCredential.objects.filter(number=number).exclude(fingerprint=fingerprint).delete()
            SignedCredential.objects.create(number=number, fingerprint=fingerprint, token=token)
    except IntegrityError:
        pass  # the same fingerprint stored meanwhile: either token is valid


class CredentialInvalid(Exception):
    pass


def verify_credential(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """Check the signatures against a saved JWKS (no network); returns the payload. The
    Ed25519 signature always; the SM2 signature too when the credential carries one."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise CredentialInvalid(f"不是有效的电子证书（JWS）：{exc}") from exc
    if header.get("alg") != ALGORITHM:
        raise CredentialInvalid(f"签名算法应为 {ALGORITHM}，收到 {header.get('alg')!r}")
    kid = header.get("kid")
    # The key is chosen by kid *and* algorithm: a JWK of another algorithm under the same kid
    # (an SM2 key, a foreign key) is not used for the Ed25519 check.
    matching = [
        key
        for key in jwks.get("keys", [])
        if key.get("kid") == kid
        and key.get("alg") == ALGORITHM
        and (key.get("kty"), key.get("crv")) == ("OKP", "Ed25519")
    ]
    if not matching:
        raise CredentialInvalid(f"公钥集中没有编号为 {kid!r} 的 Ed25519（{ALGORITHM}）密钥")
    try:
        public = jwt.PyJWK(matching[0], algorithm=ALGORITHM).key
        payload = jwt.decode(token, public, algorithms=[ALGORITHM], options={"verify_aud": False})
    except jwt.PyJWTError as exc:
        raise CredentialInvalid(f"签名验证失败：{exc}") from exc
    if SM2_MEMBER in header:
        verify_sm2_signature(token, jwks)
    return payload


def verify_sm2_signature(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """Check only the SM2 signature (what a verifier bound to 商用密码 checks); returns the
    payload. The signed bytes are the token's encoded payload segment."""
    try:
        header = jwt.get_unverified_header(token)
        member = header[SM2_MEMBER]
        sm2_kid, signature = member["kid"], _unb64(member["sig"])
        segment = token.split(".")[1]
        payload = json.loads(_unb64(segment))
    except (jwt.PyJWTError, KeyError, TypeError, ValueError, IndexError) as exc:
        raise CredentialInvalid(f"电子证书没有可识别的 SM2 签名：{exc}") from exc
    if member.get("alg") != SM2_ALGORITHM:
        raise CredentialInvalid(f"SM2 签名算法应为 {SM2_ALGORITHM}，收到 {member.get('alg')!r}")
    matching = [
        key
        for key in jwks.get("keys", [])
        if key.get("kid") == sm2_kid
        and key.get("alg") == SM2_ALGORITHM
        and (key.get("kty"), key.get("crv")) == ("EC", "SM2")
    ]
    if not matching:
        raise CredentialInvalid(f"公钥集中没有编号为 {sm2_kid!r} 的 SM2 密钥")
    try:
        public = sm.sm2_public_from_xy(_unb64(matching[0]["x"]), _unb64(matching[0]["y"]))
    except (KeyError, ValueError, TypeError) as exc:
        raise CredentialInvalid(f"公钥集中的 SM2 密钥 {sm2_kid} 无法识别：{exc}") from exc
    if not sm.sm2_verify(public, signature, segment.encode("ascii")):
        raise CredentialInvalid("SM2 签名验证失败")
    if not isinstance(payload, dict):
        raise CredentialInvalid("电子证书的内容不是 JSON 对象")
    return payload


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_jwks(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
