"""SM2 beside Ed25519 on the electronic certificates (issue 13): both signatures verify, the
JWKS publishes the SM2 key, and a credential is signed once per status change or rotation."""

from __future__ import annotations

import base64
import json
from unittest import mock

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management import call_command
from django.core.management.base import CommandError

from skillcert.certificates import credentials
from skillcert.certificates.credentials import (
    CredentialInvalid,
    verify_credential,
    verify_sm2_signature,
)
from skillcert.certificates.keys import (
    SM2_PURPOSE,
    current_sm2_key,
    load_index,
    public_jwks,
    rotate_keys,
)
from skillcert.certificates.models import Certificate, SignedCredential
from skillcert.certificates.services import lifecycle
from skillcert.keystore import sm
from skillcert.keystore.models import StoredKey
from tests.assessment.factories import filed_organization, issued

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(
    occupation_catalog, org_user, city_bureau, province_center, today, settings, tmp_path
):
    settings.SKILLCERT_KEY_DIR = tmp_path / "no-old-keys"
    organization = filed_organization(org_user, city_bureau, today)
    issued(organization, org_user, province_center, today)
    rotate_keys()  # the Ed25519 key; the SM2 key is made on first use
    return Certificate.objects.order_by("number").first()


def fetch(client, certificate) -> str:
    response = client.get(
        f"/api/v1/public/certificates/{certificate.number}/credential", {"name": certificate.name}
    )
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/jose"
    return response.content.decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parts(token: str) -> tuple[dict, dict, bytes]:
    header, payload, signature = token.split(".")
    return json.loads(unb64(header)), json.loads(unb64(payload)), unb64(signature)


def test_both_signatures_verify_with_the_libraries_and_the_published_keys(
    certificate, public_client
):
    token = fetch(public_client, certificate)
    header, payload, signature = parts(token)
    # The contract's JWS, unchanged: EdDSA with kid, the public fields, issuer and iat.
    assert header["alg"] == "EdDSA" and header["typ"] == "JWT"
    assert payload["number"] == certificate.number and payload["status"] == "valid"
    assert payload["issuer"] == certificate.filing_number and isinstance(payload["iat"], int)
    assert certificate.id_number not in token
    signing_input = token.rsplit(".", 1)[0].encode("ascii")

    jwks = public_client.get("/.well-known/jwks.json").json()["keys"]
    ed_jwk, sm2_jwk = jwks  # the Ed25519 key first, as before; then the SM2 key
    assert ed_jwk == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": ed_jwk["x"],
        "kid": header["kid"],
        "use": "sig",
        "alg": "EdDSA",
    }
    # Ed25519 with `cryptography`, from the published x
    Ed25519PublicKey.from_public_bytes(unb64(ed_jwk["x"])).verify(signature, signing_input)

    member_ = header["sm2"]
    assert set(member_) == {"kid", "alg", "sig"} and member_["alg"] == "SM2SM3"
    assert sm2_jwk == {
        "kty": "EC",
        "crv": "SM2",
        "x": sm2_jwk["x"],
        "y": sm2_jwk["y"],
        "kid": member_["kid"],
        "use": "sig",
        "alg": "SM2SM3",
    }
    assert len(unb64(sm2_jwk["x"])) == 32 and len(unb64(sm2_jwk["y"])) == 32
    sm2_signature = unb64(member_["sig"])
    segment = token.split(".")[1].encode("ascii")
    # SM2 against the keystore's key, and against the JWKS's published x/y
    kid, private = current_sm2_key()
    assert kid == member_["kid"]
    assert sm.sm2_verify(private.public_key(), sm2_signature, segment)
    published = sm.sm2_public_from_xy(unb64(sm2_jwk["x"]), unb64(sm2_jwk["y"]))
    assert sm.sm2_verify(published, sm2_signature, segment)
    assert not sm.sm2_verify(published, sm2_signature, segment[:-1] + b"A")

    everything = {"keys": jwks}
    # a generic JOSE library loads the set, skipping the curve it does not know
    assert [k.key_id for k in jwt.PyJWKSet.from_dict(everything).keys] == [header["kid"]]
    assert verify_credential(token, everything)["number"] == certificate.number
    assert verify_sm2_signature(token, everything)["number"] == certificate.number


def test_n_requests_sign_once(certificate, public_client):
    with mock.patch.object(credentials, "_sign", wraps=credentials._sign) as signing:
        tokens = {fetch(public_client, certificate) for _ in range(6)}
    assert signing.call_count == 1 and len(tokens) == 1
    assert SignedCredential.objects.filter(number=certificate.number).count() == 1


def test_a_status_change_signs_anew_once(certificate, public_client, org_user):
    before = fetch(public_client, certificate)
    lifecycle.revoke_certificate(certificate, reason="违规取得", actor=org_user)
    with mock.patch.object(credentials, "_sign", wraps=credentials._sign) as signing:
        after = {fetch(public_client, certificate) for _ in range(3)}
    assert signing.call_count == 1 and len(after) == 1
    (token,) = after
    assert token != before and parts(token)[1]["status"] == "revoked"
    assert parts(before)[1]["status"] == "valid"  # what was signed then still verifies
    assert verify_credential(before, public_jwks())["status"] == "valid"
    # one stored credential per certificate: the older one is dropped
    assert list(SignedCredential.objects.values_list("token", flat=True)) == [token]


@pytest.mark.parametrize("algorithm", ["Ed25519", "SM2"])
def test_a_key_rotation_signs_anew_with_the_new_kid(certificate, public_client, algorithm):
    first = fetch(public_client, certificate)
    new = rotate_keys(algorithm=algorithm)
    with mock.patch.object(credentials, "_sign", wraps=credentials._sign) as signing:
        second = fetch(public_client, certificate)
        assert fetch(public_client, certificate) == second
    assert signing.call_count == 1
    header = parts(second)[0]
    kid = header["kid"] if algorithm == "Ed25519" else header["sm2"]["kid"]
    assert kid == new.kid
    jwks = public_jwks()  # the retired key stays published: both verify
    assert verify_credential(first, jwks)["number"] == certificate.number
    assert first != second
    assert verify_credential(second, jwks)["number"] == certificate.number


def test_a_bad_sm2_signature_fails_even_with_a_good_ed25519_one(certificate, public_client):
    token = fetch(public_client, certificate)
    header, payload, _ = parts(token)
    # The issuer's own Ed25519 key over a header whose SM2 signature is of other bytes.
    from skillcert.certificates.keys import current_signing_key

    _kid, key = current_signing_key()
    _, sm2_key = current_sm2_key()
    header["sm2"]["sig"] = base64.urlsafe_b64encode(sm.sm2_sign(sm2_key, b"other")).decode()
    extra = {k: v for k, v in header.items() if k not in {"alg"}}
    body = json.dumps(payload, separators=(",", ":")).encode()
    forged = jwt.api_jws.encode(body, key, algorithm="EdDSA", headers=extra)
    with pytest.raises(CredentialInvalid, match="SM2 签名验证失败"):
        verify_credential(forged, public_jwks())
    # The header is under the Ed25519 signature: changing the SM2 member breaks that one.
    _head, rest = token.split(".", 1)
    stripped = {k: v for k, v in parts(token)[0].items() if k != "sm2"}
    swapped = credentials.b64url(json.dumps(stripped).encode()) + "." + rest
    with pytest.raises(CredentialInvalid, match="签名验证失败"):
        verify_credential(swapped, public_jwks())
    # An SM2 key missing from the saved set is named
    ed_only = {"keys": [k for k in public_jwks()["keys"] if k["kty"] == "OKP"]}
    with pytest.raises(CredentialInvalid, match="SM2 密钥"):
        verify_credential(token, ed_only)


def test_the_key_is_chosen_by_kid_and_algorithm(certificate, public_client):
    """A JWK of another algorithm under the same kid is not used: neither picked first (and
    failing a good credential) nor accepted as the only key of that kid."""
    token = fetch(public_client, certificate)
    header = parts(token)[0]
    ed_kid, sm2_kid = header["kid"], header["sm2"]["kid"]
    published = public_jwks()["keys"]
    ed_jwk = next(k for k in published if k["kid"] == ed_kid)
    sm2_jwk = next(k for k in published if k["kid"] == sm2_kid)
    other_sm2 = {**sm2_jwk, "x": sm2_jwk["y"], "y": sm2_jwk["x"]}
    decoys = [
        {**sm2_jwk, "kid": ed_kid},  # an SM2 key under the Ed25519 key's kid
        {**other_sm2, "alg": "ES256"},  # an EC key on "SM2" that is not for SM2SM3
    ]
    assert verify_credential(token, {"keys": [*decoys, *published]})["number"] == (
        certificate.number
    )
    assert verify_sm2_signature(token, {"keys": [*decoys, *published]})["number"] == (
        certificate.number
    )
    others = [k for k in published if k["kid"] not in {ed_kid, sm2_kid}]
    with pytest.raises(CredentialInvalid, match="Ed25519"):
        verify_credential(token, {"keys": [*others, {**ed_jwk, "alg": "SM2SM3"}, sm2_jwk]})
    with pytest.raises(CredentialInvalid, match="SM2 密钥"):
        verify_sm2_signature(token, {"keys": [*others, ed_jwk, {**sm2_jwk, "alg": "SM2"}]})


def test_the_command_checks_both_signatures(certificate, public_client, tmp_path, capsys):
    (tmp_path / "cert.jws").write_text(fetch(public_client, certificate), encoding="utf-8")
    (tmp_path / "jwks.json").write_text(json.dumps(public_jwks()), encoding="utf-8")
    call_command(
        "verify-credential", str(tmp_path / "cert.jws"), "--jwks", str(tmp_path / "jwks.json")
    )
    out = capsys.readouterr().out
    assert "签名有效" in out and "SM2 签名" in out
    without_sm2 = {"keys": [k for k in public_jwks()["keys"] if k["kty"] == "OKP"]}
    (tmp_path / "jwks.json").write_text(json.dumps(without_sm2), encoding="utf-8")
    with pytest.raises(CommandError, match="验证失败"):
        call_command(
            "verify-credential", str(tmp_path / "cert.jws"), "--jwks", str(tmp_path / "jwks.json")
        )


def test_with_sm2_off_the_credential_is_ed25519_only(certificate, public_client, settings):
    settings.SKILLCERT_SM2_SIGNATURES = False
    with mock.patch.object(credentials, "_sign", wraps=credentials._sign) as signing:
        token = fetch(public_client, certificate)
        assert fetch(public_client, certificate) == token
    assert signing.call_count == 1
    assert "sm2" not in parts(token)[0]
    assert not StoredKey.objects.filter(purpose=SM2_PURPOSE).exists()
    assert all(k["kty"] == "OKP" for k in public_jwks()["keys"])
    assert verify_credential(token, public_jwks())["number"] == certificate.number
    # Turned on again: the next request signs with both
    settings.SKILLCERT_SM2_SIGNATURES = True
    assert "sm2" in parts(fetch(public_client, certificate))[0]


def test_the_first_sm2_key_is_recorded(certificate, public_client):
    from skillcert.audit.models import AuditEntry

    fetch(public_client, certificate)
    fetch(public_client, certificate)
    (made,) = load_index("SM2")
    entry = AuditEntry.objects.get(action="certificates.signing_key_rotated", object_id=made.kid)
    after = json.loads(entry.after) if isinstance(entry.after, str) else entry.after
    assert after["algorithm"] == "SM2" and after["purpose"] == SM2_PURPOSE


def test_keys_rotate_takes_an_algorithm(certificate, capsys):
    call_command("keys", "rotate", "--algorithm", "SM2")
    assert "SM2" in capsys.readouterr().out
    assert len(load_index("SM2")) == 1 and len(load_index()) == 1
    call_command("keys", "rotate")
    assert len(load_index("SM2")) == 2 and len(load_index()) == 2
    call_command("keys", "list")
    lines = capsys.readouterr().out.splitlines()[-4:]
    assert [line.split()[0] for line in lines] == ["Ed25519", "Ed25519", "SM2", "SM2"]


def test_another_signer_can_publish_its_keys_in_the_jwks(certificate, monkeypatch):
    from skillcert.certificates import keys
    from skillcert.keystore.store import default_store

    monkeypatch.setattr(keys, "EXTRA_JWKS_SOURCES", [])
    stored = default_store().rotate("bench-other-signer", algorithm="SM2")
    keys.add_jwks_source(lambda: keys.jwks_of("bench-other-signer"))
    published = public_jwks()["keys"]
    assert published[-1]["kid"] == stored.kid and published[-1]["crv"] == "SM2"
    assert published[0]["kty"] == "OKP"  # the credentials' keys first, as before
