"""The certificates' signing keys on the keystore: rotation, the public set, the command,
and a wrong master key answered as a 503 in Chinese."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from skillcert.audit.models import AuditEntry
from skillcert.certificates.credentials import issue_credential, verify_credential
from skillcert.certificates.keys import (
    KeysMissing,
    current_signing_key,
    ensure_key,
    load_index,
    public_jwks,
    rotate_keys,
)
from skillcert.certificates.models import Certificate
from skillcert.keystore.models import StoredKey
from tests.assessment.factories import filed_organization, issued

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys(settings, tmp_path, master):
    settings.SKILLCERT_KEY_DIR = tmp_path / "no-old-keys"


def test_rotation_is_recorded_and_the_public_set_keeps_retired_keys(keys):
    first = rotate_keys()
    second = rotate_keys()
    jwks = public_jwks()["keys"]
    assert [k["kid"] for k in jwks] == [first.kid, second.kid]
    assert "retired" in jwks[0] and "retired" not in jwks[1]
    assert all(k["kty"] == "OKP" and k["crv"] == "Ed25519" and k["alg"] == "EdDSA" for k in jwks)
    entries = AuditEntry.objects.filter(action="certificates.signing_key_rotated")
    assert [e.object_id for e in entries.order_by("seq")] == [first.kid, second.kid]
    assert "private" not in entries.first().after


def test_ensure_key_makes_one_key_once(keys):
    made = ensure_key()
    assert ensure_key() == made and len(load_index()) == 1
    assert current_signing_key()[0] == made.kid


def test_the_command_rotates_and_lists_in_chinese(keys, capsys):
    call_command("keys", "list")
    assert "尚无签名密钥" in capsys.readouterr().out
    call_command("keys", "rotate")
    call_command("keys", "rotate")
    out = capsys.readouterr().out
    assert out.count("新的签名密钥") == 2 and "数据库" in out
    call_command("keys", "list")
    lines = capsys.readouterr().out.splitlines()
    # Ed25519 then SM2 (issue 13): each rotation made one key of each
    assert len(lines) == 4 and "已停用" in lines[0] and lines[1].endswith("当前")
    assert lines[0].startswith("Ed25519") and lines[2].startswith("SM2")
    assert "已停用" in lines[2] and lines[3].endswith("当前")
    assert StoredKey.objects.count() == 4


@pytest.fixture
def certificate(occupation_catalog, org_user, city_bureau, province_center, today, keys):
    organization = filed_organization(org_user, city_bureau, today)
    issued(organization, org_user, province_center, today)
    return Certificate.objects.order_by("number").first()


def test_a_credential_signed_before_a_rotation_still_verifies(certificate):
    rotate_keys()
    token = issue_credential(certificate)
    rotate_keys()
    assert verify_credential(token, public_jwks())["number"] == certificate.number


def test_a_wrong_master_key_answers_503_in_chinese(certificate, public_client, settings):
    rotate_keys()
    settings.SKILLCERT_MASTER_KEY = "ff" * 32
    with pytest.raises(KeysMissing):
        current_signing_key()
    response = public_client.get(
        f"/api/v1/public/certificates/{certificate.number}/credential", {"name": certificate.name}
    )
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "signing_key_missing" and "主密钥无法解开签名密钥" in error["message"]
    assert "Traceback" not in response.content.decode()
    # the public keys need no master key
    assert public_client.get("/.well-known/jwks.json").status_code == 200
