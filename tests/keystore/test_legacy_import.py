"""Keys of the old per-host key directory come into the keystore once, under their kids, so
what they signed still verifies."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from skillcert.audit.models import AuditEntry
from skillcert.certificates.credentials import verify_credential
from skillcert.certificates.keys import (
    current_signing_key,
    ensure_key,
    load_index,
    public_jwks,
    rotate_keys,
)
from skillcert.keystore.models import StoredKey
from tests.keystore.conftest import old_credential, write_old_key_dir

pytestmark = pytest.mark.django_db

CLAIMS = {"number": "S000034010001263000001", "name": "张三"}


@pytest.fixture
def old_dir(settings, tmp_path, master):
    settings.SKILLCERT_KEY_DIR = tmp_path / "keys"
    return tmp_path / "keys"


def test_the_import_command_keeps_the_kids_and_old_credentials_verify(old_dir, capsys):
    old = write_old_key_dir(old_dir, count=2)
    signed_before = [old_credential(key, CLAIMS) for key in old]
    call_command("keys", "import", str(old_dir))
    assert "已从" in capsys.readouterr().out
    assert [k.kid for k in load_index()] == [k.kid for k in old]
    assert [k.retired is None for k in load_index()] == [False, True]
    assert current_signing_key()[0] == old[-1].kid
    for token in signed_before:
        assert verify_credential(token, public_jwks())["number"] == CLAIMS["number"]
    assert AuditEntry.objects.filter(action="certificates.signing_key_imported").count() == 2


def test_an_encrypted_directory_needs_its_passphrase(old_dir, monkeypatch):
    write_old_key_dir(old_dir, passphrase="old-passphrase", count=1)
    monkeypatch.setenv("SKILLCERT_KEY_PASSPHRASE", "wrong")
    with pytest.raises(CommandError, match="SKILLCERT_KEY_PASSPHRASE"):
        call_command("keys", "import")
    assert not StoredKey.objects.exists()  # nothing half-imported
    monkeypatch.setenv("SKILLCERT_KEY_PASSPHRASE", "old-passphrase")
    call_command("keys", "import")
    assert StoredKey.objects.count() == 1


def test_importing_twice_takes_nothing_twice(old_dir, capsys):
    write_old_key_dir(old_dir, count=2)
    call_command("keys", "import")
    call_command("keys", "import")
    assert "没有需要导入" in capsys.readouterr().out
    assert StoredKey.objects.count() == 2


def test_ensure_key_imports_the_old_directory_into_an_empty_store(old_dir):
    old = write_old_key_dir(old_dir, count=2)
    assert ensure_key().kid == old[-1].kid
    # the two old keys, and the SM2 key ``ensure_key`` makes beside them (issue 13)
    assert StoredKey.objects.filter(purpose="credential-signing").count() == 2
    assert StoredKey.objects.filter(purpose="credential-signing-sm2").count() == 1


def test_the_first_signature_imports_the_old_directory_too(old_dir):
    old = write_old_key_dir(old_dir, count=1)
    assert current_signing_key()[0] == old[0].kid


def test_an_import_after_a_rotation_does_not_displace_the_current_key(old_dir):
    current = rotate_keys()
    old = write_old_key_dir(old_dir, count=1)
    call_command("keys", "import")
    assert current_signing_key()[0] == current.kid
    token = old_credential(old[0], CLAIMS)
    assert verify_credential(token, public_jwks())["name"] == "张三"


def test_before_the_import_the_public_set_shows_the_old_keys(old_dir):
    old = write_old_key_dir(old_dir, count=2)
    assert [k["kid"] for k in public_jwks()["keys"]] == [k.kid for k in old]
    assert not StoredKey.objects.exists()  # a public read writes nothing


def test_a_key_file_that_does_not_match_its_index_is_refused(old_dir):
    old = write_old_key_dir(old_dir, count=2)
    (old_dir / f"{old[0].kid}.pem").write_bytes((old_dir / f"{old[1].kid}.pem").read_bytes())
    with pytest.raises(CommandError, match="不符"):
        call_command("keys", "import")
    assert not StoredKey.objects.exists()
