"""The database keystore: one current key per purpose, private halves sealed, rotation seen
by every connection at once."""

from __future__ import annotations

import threading

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction

from skillcert.keystore.errors import KeyUnavailable
from skillcert.keystore.models import StoredKey
from skillcert.keystore.store import DatabaseKeyStore, NoCurrentKey

PURPOSE = "credential-signing"


@pytest.fixture
def store(master):
    return DatabaseKeyStore()


def _private_forms(private) -> list[bytes]:
    """The private key as raw bytes, DER and PEM, and their hex/base64 spellings."""
    import base64

    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    der = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    forms = [raw, der]
    forms += [raw.hex().encode(), der.hex().encode(), der.hex().upper().encode()]
    forms += [base64.b64encode(raw).rstrip(b"="), base64.urlsafe_b64encode(raw).rstrip(b"=")]
    return forms


@pytest.mark.django_db
def test_a_purpose_without_keys_has_no_current_key(store):
    with pytest.raises(NoCurrentKey) as caught:
        store.current(PURPOSE)
    assert caught.value.code == "signing_key_missing" and caught.value.status == 503


@pytest.mark.django_db
def test_rotation_retires_the_previous_key_and_keeps_it_published(store):
    first = store.rotate(PURPOSE)
    second = store.rotate(PURPOSE)
    kid, private = store.current(PURPOSE)
    assert kid == second.kid != first.kid
    keys = store.public_keys(PURPOSE)
    assert [k.kid for k in keys] == [first.kid, second.kid]
    assert keys[0].retired is not None and keys[1].retired is None
    assert keys[1].algorithm == "Ed25519"
    raw_public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    import base64

    assert base64.urlsafe_b64encode(raw_public).rstrip(b"=").decode() == keys[1].public_key


@pytest.mark.django_db
def test_purposes_rotate_apart(store):
    signing = store.rotate(PURPOSE)
    other = store.rotate("document-sealing")
    assert store.current(PURPOSE)[0] == signing.kid
    assert store.current("document-sealing")[0] == other.kid


@pytest.mark.django_db
def test_the_database_refuses_a_second_current_key(store):
    store.rotate(PURPOSE)
    row = StoredKey.objects.get()
    row.pk, row.kid = None, "another-kid"
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save(force_insert=True)
    assert StoredKey.objects.filter(retired__isnull=True).count() == 1


@pytest.mark.django_db
def test_a_dump_of_the_database_holds_no_private_key_in_clear(store):
    store.rotate(PURPOSE)
    store.rotate(PURPOSE)
    privates = [store.current(PURPOSE)[1]]
    # the retired one too: unseal it through the same path the store uses
    privates += [store._unseal(row) for row in StoredKey.objects.filter(retired__isnull=False)]
    dumps = [
        repr(list(StoredKey.objects.values_list())).encode(),
        b"".join(bytes(r.private_sealed) + bytes(r.private_nonce) for r in StoredKey.objects.all()),
    ]
    if connection.vendor == "sqlite":
        dumps.append("\n".join(connection.connection.iterdump()).encode())
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM keystore_storedkey")
            dumps.append(repr(cursor.fetchall()).encode())
    from io import StringIO

    dumped = StringIO()
    call_command("dumpdata", "keystore", stdout=dumped)
    dumps.append(dumped.getvalue().encode())
    for private in privates:
        for form in _private_forms(private):
            for dump in dumps:
                assert form not in dump


@pytest.mark.django_db
def test_a_wrong_master_key_is_a_clear_refusal(store, settings):
    store.rotate(PURPOSE)
    settings.SKILLCERT_MASTER_KEY = "22" * 32
    with pytest.raises(KeyUnavailable) as caught:
        store.current(PURPOSE)
    assert caught.value.status == 503 and caught.value.code == "signing_key_missing"
    assert "主密钥无法解开签名密钥" in caught.value.message
    assert "SKILLCERT_MASTER_KEY" in caught.value.message


@pytest.mark.django_db
def test_a_sealed_key_copied_onto_another_kid_does_not_open(store):
    first = store.rotate(PURPOSE)
    second = store.rotate(PURPOSE)
    source = StoredKey.objects.get(kid=first.kid)
    StoredKey.objects.filter(kid=second.kid).update(
        private_nonce=source.private_nonce, private_sealed=source.private_sealed
    )
    with pytest.raises(KeyUnavailable, match="主密钥无法解开"):
        store.current(PURPOSE)


@pytest.mark.django_db(transaction=True)
def test_a_rotation_on_one_connection_is_current_on_another_at_once(store):
    before = store.rotate(PURPOSE)
    assert store.current(PURPOSE)[0] == before.kid  # read once here: nothing may hide what follows
    rotated: list[str] = []

    def other_server() -> None:
        try:
            rotated.append(DatabaseKeyStore().rotate(PURPOSE).kid)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_server)
    thread.start()
    thread.join()
    assert rotated and rotated[0] != before.kid
    assert store.current(PURPOSE)[0] == rotated[0]
    assert [k.kid for k in store.public_keys(PURPOSE)] == [before.kid, rotated[0]]


@pytest.mark.django_db
def test_sm2_keys_are_sealed_and_opened_like_ed25519_ones(store):
    import base64

    from skillcert.keystore import sm

    info = store.rotate("sm2-test", algorithm="SM2")
    kid, private = store.current("sm2-test")
    assert kid == info.kid and info.algorithm == "SM2"
    row = StoredKey.objects.get(kid=kid)
    assert sm.sm2_private_der(private) not in bytes(row.private_sealed)
    public = base64.urlsafe_b64decode(info.public_key + "=" * (-len(info.public_key) % 4))
    published = sm.sm2_public_from_xy(public[:32], public[32:])
    assert sm.sm2_verify(published, sm.sm2_sign(private, b"data"), b"data")
    # An SM2 row claiming to be Ed25519 is refused, not used.
    StoredKey.objects.filter(kid=kid).update(algorithm="Ed25519")
    with pytest.raises(KeyUnavailable):
        store.current("sm2-test")
