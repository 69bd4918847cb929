"""Public verification and electronic certificates: by number and name, nothing more."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from skillcert.certificates.models import Certificate
from skillcert.certificates.services import lifecycle
from tests.assessment.factories import filed_organization, issued

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(
    occupation_catalog, org_user, city_bureau, province_center, today, settings, tmp_path
):
    settings.SKILLCERT_KEY_DIR = tmp_path / "keys"
    organization = filed_organization(org_user, city_bureau, today)
    issued(organization, org_user, province_center, today)
    return Certificate.objects.order_by("number").first()


def verify(client, number, name):
    return client.get(f"/api/v1/public/certificates/{number}", {"name": name})


def test_verification_shows_the_contract_fields_and_no_full_id(certificate, public_client):
    response = verify(public_client, certificate.number, certificate.name)
    assert response.status_code == 200
    body = response.json()
    assert {
        "number",
        "name",
        "id_type",
        "id_masked",
        "occupation",
        "work_type",
        "level",
        "organization",
        "issued_on",
        "status",
    } <= set(body)
    assert body["status"] == "valid" and body["work_type"] == "——"
    assert body["issuer"] == "S000034010001"
    assert body["issuer_status_on_issue_date"] == "filed"
    assert body["plan_filed_on"] == "2026-10-12"
    assert certificate.id_number not in response.content.decode()
    assert certificate.id_number[6:14] not in body["id_masked"]  # no birth date
    assert "photo" not in body


@pytest.mark.parametrize(
    ("number", "name", "code"),
    [
        ("S000034010001263999999", None, 404),  # unknown number
        (None, "不是本人", 404),  # wrong name looks like an unknown number
        ("S0000340100012", None, 400),  # malformed
        ("X000034010001263000101", None, 400),
        (None, "", 400),
    ],
)
def test_unknown_wrong_and_malformed(certificate, public_client, number, name, code):
    response = verify(
        public_client, number or certificate.number, certificate.name if name is None else name
    )
    assert response.status_code == code
    assert response.json()["error"]["message"]
    if code == 404:
        assert (
            response.json()
            == verify(public_client, "S000034010001263999998", certificate.name).json()
        )


def test_revocation_and_correction_are_visible(certificate, public_client, org_user, today):
    today("2026-11-20")
    replacement = lifecycle.correct_certificate(
        certificate, {"name": certificate.name + "明", "reason": "姓名录入错误"}, actor=org_user
    )
    old = verify(public_client, certificate.number, certificate.name).json()
    assert old["status"] == "superseded" and old["superseded_by"] == replacement.number
    new = verify(public_client, replacement.number, replacement.name).json()
    assert new["status"] == "valid"
    lifecycle.revoke_certificate(replacement, reason="违规取得", actor=org_user)
    assert verify(public_client, replacement.number, replacement.name).json()["status"] == "revoked"


def test_verification_is_rate_limited_in_chinese(certificate, public_client):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "verify": "3/min"}
    try:
        codes = [
            verify(public_client, certificate.number, certificate.name).status_code
            for _ in range(4)
        ]
        last = verify(public_client, certificate.number, certificate.name)
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original
    assert codes == [200, 200, 200, 429]
    assert last.json()["error"]["message"].startswith("请求过于频繁")


def test_credential_verifies_offline_and_survives_key_rotation(
    certificate, public_client, tmp_path, capsys
):
    from skillcert.certificates.keys import rotate_keys

    rotate_keys()
    response = public_client.get(
        f"/api/v1/public/certificates/{certificate.number}/credential", {"name": certificate.name}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/jose"
    token = response.content.decode()
    header, payload, signature = token.split(".")
    assert header and payload and signature
    rotate_keys()  # the signing key is retired but stays published
    jwks = public_client.get("/.well-known/jwks.json").json()
    ed25519 = [k for k in jwks["keys"] if k["kty"] == "OKP"]
    assert len(ed25519) == 2 and all(k["crv"] == "Ed25519" for k in ed25519)
    assert [k["crv"] for k in jwks["keys"] if k["kty"] != "OKP"] == ["SM2"]  # issue 13
    (tmp_path / "cert.jws").write_text(token, encoding="utf-8")
    (tmp_path / "jwks.json").write_text(json.dumps(jwks), encoding="utf-8")
    call_command(
        "verify-credential", str(tmp_path / "cert.jws"), "--jwks", str(tmp_path / "jwks.json")
    )
    out = capsys.readouterr().out
    assert "签名有效" in out and certificate.number in out
    assert certificate.id_number not in out and certificate.id_number not in token
    import base64

    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["issuer"] == "S000034010001" and "iat" in claims
    assert certificate.id_number not in json.dumps(claims)


def test_tampered_credential_fails(certificate, public_client, tmp_path):
    from skillcert.certificates.keys import rotate_keys

    rotate_keys()
    token = public_client.get(
        f"/api/v1/public/certificates/{certificate.number}/credential", {"name": certificate.name}
    ).content.decode()
    header, payload, signature = token.split(".")
    forged = ".".join(
        [header, payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1], signature]
    )
    (tmp_path / "forged.jws").write_text(forged, encoding="utf-8")
    (tmp_path / "jwks.json").write_text(
        json.dumps(public_client.get("/.well-known/jwks.json").json()), encoding="utf-8"
    )
    with pytest.raises(CommandError, match="验证失败"):
        call_command(
            "verify-credential", str(tmp_path / "forged.jws"), "--jwks", str(tmp_path / "jwks.json")
        )


def test_credential_without_keys_is_a_clear_503(certificate, public_client):
    response = public_client.get(
        f"/api/v1/public/certificates/{certificate.number}/credential", {"name": certificate.name}
    )
    assert response.status_code == 503
    assert "skillcert keys rotate" in response.json()["error"]["message"]
