"""Signed checkpoints of the chain's head: made on demand and by the daily job, published
anonymously with their keys, and ``skillcert audit verify --checkpoints FILE`` finds a record
rewritten (even with the key) or cut short against a saved copy."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.module_loading import autodiscover_modules
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from skillcert.audit import chain, checkpoints
from skillcert.audit.models import GENESIS_HASH, AuditCheckpoint, AuditEntry
from skillcert.jobs import schedule
from skillcert.keystore import sm
from skillcert.keystore.sm import hmac_sm3
from tests.audit.test_keyed_chain import append, keyed_seal, rewrite, sha256_seal, without_trigger

pytestmark = pytest.mark.django_db


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def saved_copy(tmp_path, client=None) -> str:
    """The endpoint's JSON, saved to a file as an outside party would."""
    response = (client or APIClient()).get("/api/v1/public/audit/checkpoints")
    assert response.status_code == 200
    path = tmp_path / "checkpoints.json"
    path.write_text(json.dumps(response.json(), ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_checkpoint_signs_the_head_with_ed25519_and_sm2_keys_made_on_first_use():
    append(3)
    checkpoint = checkpoints.make_checkpoint()
    assert (checkpoint.seq, checkpoint.head) == (5, AuditEntry.objects.get(seq=5).hash)
    # The two keys were made and recorded (entries 4 and 5), then the checkpoint (entry 6).
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[3:] == [
        "audit.checkpoint_key_created",
        "audit.checkpoint_key_created",
        "audit.checkpoint_signed",
    ]
    assert chain.verify_chain().ok
    second = checkpoints.make_checkpoint()
    assert second.seq == 6  # the keys are reused
    assert {second.ed25519_kid, second.sm2_kid} == {checkpoint.ed25519_kid, checkpoint.sm2_kid}


def test_endpoint_publishes_each_signature_and_the_keys_check_them():
    append(2)
    made = checkpoints.make_checkpoint()
    client = APIClient()
    items = client.get("/api/v1/public/audit/checkpoints").json()
    assert len(items) == 2
    assert {item["alg"] for item in items} == {"EdDSA", "SM2SM3"}  # as the credentials' SM2
    assert {item["kid"] for item in items} == {made.ed25519_kid, made.sm2_kid}
    for item in items:
        assert set(item) == {"seq", "at", "head", "alg", "kid", "signature"}
        assert (item["seq"], item["head"]) == (made.seq, made.head)
    keys = {k["kid"]: k for k in client.get("/api/v1/public/audit/checkpoint-keys").json()["keys"]}
    for item in items:
        text = json.dumps(
            {
                "at": item["at"],
                "head": item["head"],
                "seq": item["seq"],
                "type": "skillcert-audit-checkpoint-v1",
            },
            sort_keys=True,
            separators=(",", ":"),
        ).encode()
        jwk = keys[item["kid"]]
        assert jwk["alg"] == item["alg"]  # one name per algorithm, in the list and the keys
        signature = unb64(item["signature"])
        if item["alg"] == "EdDSA":
            assert (jwk["kty"], jwk["crv"]) == ("OKP", "Ed25519")
            Ed25519PublicKey.from_public_bytes(unb64(jwk["x"])).verify(signature, text)
        else:
            assert (jwk["kty"], jwk["crv"]) == ("EC", "SM2")
            public = sm.sm2_public_from_xy(unb64(jwk["x"]), unb64(jwk["y"]))
            assert sm.sm2_verify(public, signature, text)
            assert not sm.sm2_verify(public, signature, text.replace(b'"seq":', b'"seq":1'))


def test_endpoint_is_anonymous_and_rate_limited(monkeypatch):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "public": "2/min"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
    client = APIClient()
    codes = [client.get("/api/v1/public/audit/checkpoints").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_the_daily_job_makes_a_checkpoint():
    autodiscover_modules("tasks")  # as the worker does
    job = schedule.PERIODIC["skillcert.audit.tasks.sign_checkpoint"]
    assert job.every <= dt.timedelta(days=1)
    append(1)
    seq = job.task.call()
    assert AuditCheckpoint.objects.get().seq == seq


def test_checkpoint_command(capsys):
    append(1)
    call_command("audit", "checkpoint")
    assert "已签署审计检查点" in capsys.readouterr().out
    assert AuditCheckpoint.objects.count() == 1


def test_checkpoints_refuse_update():
    append(1)
    checkpoints.make_checkpoint()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditCheckpoint.objects.update(head="0" * 64)


# -- verify --checkpoints -------------------------------------------------------------------


def test_verify_against_an_intact_record_passes(tmp_path, capsys):
    append(5)
    checkpoints.make_checkpoint()
    append(2)
    checkpoints.make_checkpoint()
    call_command("audit", "verify", "--checkpoints", saved_copy(tmp_path))
    out = capsys.readouterr().out
    assert "检查点核对通过：2 个检查点，4 个签名" in out
    assert "ok:" in out


def test_history_rewritten_with_the_key_is_found_by_the_checkpoints(tmp_path):
    """The chain alone passes (whoever rewrote it held the audit key); a published
    checkpoint after the rewritten entry no longer matches."""
    append(6)
    checkpoints.make_checkpoint()
    copy = saved_copy(tmp_path)
    rewrite(3, '{"value":"篡改"}', keyed_seal(chain.mac_key()))
    assert chain.verify_chain().ok
    with pytest.raises(CommandError, match="审计记录被改写：第 8 条") as raised:
        call_command("audit", "verify", "--checkpoints", copy)
    assert "seq=" not in str(raised.value)  # the chain itself verified


def test_red_team_rewrite_is_found_by_chain_and_checkpoints(tmp_path):
    append(105)
    checkpoints.make_checkpoint()
    copy = saved_copy(tmp_path)
    rewrite(100, '{"value":"篡改"}', sha256_seal)
    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify", "--checkpoints", copy)
    message = str(raised.value)
    assert "seq=100" in message
    assert "审计记录被改写：第 107 条" in message


def test_truncated_history_is_found_by_the_checkpoints(tmp_path):
    """Entries at the end deleted and the head set back consistently: the chain passes, the
    checkpoint names the missing entries."""
    append(4)
    checkpoints.make_checkpoint()  # at seq 6 (two key entries)
    copy = saved_copy(tmp_path)
    keep = AuditEntry.objects.get(seq=3)
    with transaction.atomic():
        without_trigger(
            [
                ("DELETE FROM audit_auditentry WHERE seq > 3", []),
                ("UPDATE audit_audithead SET seq = 3, hash = %s WHERE id = 1", [keep.hash]),
            ]
        )
    assert chain.verify_chain().ok
    with pytest.raises(
        CommandError, match="审计记录被截短：检查点记录了 6 条，现存审计记录只到第 3 条"
    ):
        call_command("audit", "verify", "--checkpoints", copy)


def test_a_changed_or_foreign_checkpoint_file_fails_its_signatures(tmp_path):
    append(2)
    checkpoints.make_checkpoint()
    path = tmp_path / "checkpoints.json"
    items = APIClient().get("/api/v1/public/audit/checkpoints").json()
    forged_head = hmac_sm3(b"k" * 32, b"x").hex()
    for item in items:
        item["head"] = forged_head
    items.append({**items[0], "kid": "unknown-kid"})
    path.write_text(json.dumps(items), encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify", "--checkpoints", str(path))
    message = str(raised.value)
    assert "Ed25519 签名" in message and "SM2 签名" in message and "验证不通过" in message
    assert "unknown-kid 不是本平台的审计检查点密钥" in message


def test_a_file_that_is_not_a_checkpoint_list_is_refused(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"seq": 1}', encoding="utf-8")
    with pytest.raises(CommandError, match="不是检查点列表"):
        call_command("audit", "verify", "--checkpoints", str(path))
    path.write_text("not json", encoding="utf-8")
    with pytest.raises(CommandError, match="不是 JSON"):
        call_command("audit", "verify", "--checkpoints", str(path))


def test_genesis_checkpoint_of_an_empty_record():
    checkpoint = checkpoints.make_checkpoint()
    # The keys were recorded first, so even a first checkpoint signs a non-empty head.
    assert checkpoint.seq == 2 and checkpoint.head != GENESIS_HASH
    assert checkpoints.verify_against(checkpoints.published()).ok


# -- nothing but the record's own head is signed ----------------------------------------------


def test_a_forged_head_row_is_not_signed():
    """Whoever can write the head row cannot have a checkpoint sign a hash of their choosing."""
    append(3)
    checkpoints.make_checkpoint()  # keys made; one checkpoint
    forged = hmac_sm3(b"k" * 32, b"x").hex()
    with transaction.atomic():
        without_trigger([("UPDATE audit_audithead SET hash = %s WHERE id = 1", [forged])])
    count = AuditCheckpoint.objects.count()
    with pytest.raises(checkpoints.CheckpointRefused, match=r"链头.*不符"):
        checkpoints.make_checkpoint()
    assert AuditCheckpoint.objects.count() == count
    assert not AuditCheckpoint.objects.filter(head=forged).exists()


def test_a_head_row_ahead_of_the_entries_is_not_signed():
    append(2)
    checkpoints.make_checkpoint()
    last = AuditEntry.objects.order_by("-seq").first()
    with transaction.atomic():
        without_trigger([("UPDATE audit_audithead SET seq = %s WHERE id = 1", [last.seq + 5])])
    with pytest.raises(checkpoints.CheckpointRefused, match="不符"):
        checkpoints.make_checkpoint()


def test_a_last_entry_sealed_without_the_key_is_not_signed():
    """The red-team rewrite (recomputed with SHA-256) of the last entry and the head."""
    append(3)
    checkpoints.make_checkpoint()
    last = AuditEntry.objects.order_by("-seq").first().seq
    rewrite(last, '{"value":"篡改"}', sha256_seal)
    with pytest.raises(checkpoints.CheckpointRefused, match=f"第 {last} 条"):
        checkpoints.make_checkpoint()
    assert AuditCheckpoint.objects.count() == 1


def test_an_entry_changed_since_the_previous_checkpoint_is_not_signed():
    """The last entry and the head are intact; an entry in between was changed."""
    append(3)
    checkpoints.make_checkpoint()
    append(4)
    target = AuditCheckpoint.objects.get().seq + 2
    with transaction.atomic():
        without_trigger(
            [("UPDATE audit_auditentry SET actor = 'mallory' WHERE seq = %s", [target])]
        )
    with pytest.raises(checkpoints.CheckpointRefused, match=f"第 {target} 条"):
        checkpoints.make_checkpoint()
    assert AuditCheckpoint.objects.count() == 1


def test_the_checkpoint_command_reports_a_refusal():
    append(1)
    checkpoints.make_checkpoint()
    with transaction.atomic():
        without_trigger([("UPDATE audit_audithead SET hash = %s WHERE id = 1", ["1" * 64])])
    with pytest.raises(CommandError, match="未签署检查点"):
        call_command("audit", "checkpoint")
