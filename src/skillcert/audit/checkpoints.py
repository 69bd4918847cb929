"""Signed checkpoints of the audit chain's head (issue 13, item 3).

A checkpoint is the chain's head at a moment — the sequence number and keyed hash of the last
entry — signed with Ed25519 and with SM2 (GB/T 32918.2) by keys of the keystore (purposes
``audit-checkpoint`` and ``audit-checkpoint-sm2``, made on first use). Checkpoints are made by
the daily job (``audit/tasks.py``) and by ``skillcert audit checkpoint``, and published at
``GET /api/v1/public/audit/checkpoints``, one element per signature::

    {"seq": 1200, "at": "2026-12-02T19:00:00.123456+00:00", "head": "<64 hex>",
     "alg": "EdDSA" | "SM2SM3", "kid": "...", "signature": "<base64url, 64 bytes>"}

What is signed (``message``) is the canonical JSON (sorted keys, no spaces, UTF-8) of
``{"at", "head", "seq", "type": "skillcert-audit-checkpoint-v1"}``; SM2 signs it with SM3 and
the default identifier ``1234567812345678``, the signature being raw ``r || s``. The public keys
are at ``GET /api/v1/public/audit/checkpoint-keys`` (``public_jwks``).

Anyone may keep copies of the list. ``verify_against(items)`` (``skillcert audit verify
--checkpoints FILE``) then checks the record against such a copy: each signature, and for each
checkpoint that the record still holds ``seq`` entries and that entry ``seq`` has hash ``head``.
A history rewritten even by someone holding the audit key (the master key) differs at some
checkpoint published before, and a history cut short has fewer entries than one.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.db import transaction
from django.utils import timezone

from skillcert.audit.chain import canonical_json, entry_problem, hash_of, mac_key, timestamp_text
from skillcert.audit.models import GENESIS_HASH, AuditCheckpoint, AuditEntry, AuditHead
from skillcert.audit.service import SYSTEM, Actor, record
from skillcert.keystore import sm
from skillcert.keystore.algorithms import b64url
from skillcert.keystore.store import KeyInfo, NoCurrentKey, default_store

MESSAGE_TYPE = "skillcert-audit-checkpoint-v1"
ED25519_PURPOSE = "audit-checkpoint"
SM2_PURPOSE = "audit-checkpoint-sm2"
# The JWS "alg" of each keystore algorithm, and the purpose of its checkpoint key.
# "SM2SM3" as the credentials' SM2 signatures (``certificates.keys.SM2_ALGORITHM``).
ED25519_ALG = "EdDSA"
SM2_ALG = "SM2SM3"
SIGNERS = (("Ed25519", ED25519_ALG, ED25519_PURPOSE), ("SM2", SM2_ALG, SM2_PURPOSE))


class CheckpointFileInvalid(ValueError):
    """A checkpoints file that is not the endpoint's JSON."""


def message(seq: int, at: str, head: str) -> bytes:
    """The bytes each checkpoint signature covers."""
    return canonical_json({"at": at, "head": head, "seq": seq, "type": MESSAGE_TYPE}).encode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# -- keys ------------------------------------------------------------------------------------


def _current(purpose: str, algorithm: str, actor: Actor) -> tuple[str, Any]:
    """The purpose's current key, made (and recorded) on first use."""
    store = default_store()
    try:
        return store.current(purpose)
    except NoCurrentKey:
        info = store.rotate(purpose, algorithm=algorithm)
        record(
            actor=actor,
            action="audit.checkpoint_key_created",
            object_type="keystore.storedkey",
            object_id=info.kid,
            after={
                "kid": info.kid,
                "purpose": info.purpose,
                "algorithm": info.algorithm,
                "public_key": info.public_key,
            },
        )
        return store.current(purpose)


def public_keys() -> list[KeyInfo]:
    """Every checkpoint key, current and retired, Ed25519 first."""
    store = default_store()
    return [k for _a, _j, purpose in SIGNERS for k in store.public_keys(purpose)]


def public_jwks() -> list[dict[str, str]]:
    """The checkpoint keys as JWKs: Ed25519 as OKP (RFC 8037), SM2 as EC with ``crv`` "SM2"
    and the coordinates ``x``, ``y`` (32 bytes each, base64url)."""
    keys = []
    for key in public_keys():
        raw = _unb64url(key.public_key)
        base = {"kid": key.kid, "use": "sig"}
        if key.retired:
            base["retired"] = key.retired.astimezone(dt.UTC).isoformat(timespec="seconds")
        if key.algorithm == "Ed25519":
            keys.append({"kty": "OKP", "crv": "Ed25519", "x": key.public_key, "alg": ED25519_ALG})
        elif key.algorithm == "SM2":
            keys.append(
                {
                    "kty": "EC",
                    "crv": "SM2",
                    "x": b64url(raw[:32]),
                    "y": b64url(raw[32:]),
                    "alg": SM2_ALG,
                }
            )
        else:  # pragma: no cover - the purposes hold these two only
            continue
        keys[-1].update(base)
    return keys


# -- making and publishing ---------------------------------------------------------------------


class CheckpointRefused(RuntimeError):
    """The chain's head does not fit the entries (or they do not verify): nothing is signed,
    and the periodic job fails loudly. The message is in Chinese, for the operator."""


def _check_before_signing(head: AuditHead) -> None:
    """What is about to be signed must be the record's own head: the last entry is the head
    row's (seq, hash) and its MAC verifies, and so do the entries since the previous
    checkpoint (their sequence, links and MACs; the whole chain before the first one). A head
    row or entries rewritten without the audit key are refused, not signed."""
    key = mac_key()
    last = AuditEntry.objects.order_by("-seq").first()
    if last is None or (last.seq, last.hash) != (head.seq, head.hash):
        where = f"第 {last.seq} 条" if last else "没有记录"
        raise CheckpointRefused(
            f"审计链头（第 {head.seq} 条）与最后一条审计记录（{where}）不符，未签署检查点："
            "请先用 skillcert audit verify 查明原因"
        )
    if hash_of(last, key) != last.hash:
        raise CheckpointRefused(
            f"最后一条审计记录（第 {last.seq} 条）的内容与其带密钥哈希（HMAC-SM3）不符，"
            "未签署检查点：请先用 skillcert audit verify 查明原因"
        )
    previous = AuditCheckpoint.objects.order_by("-seq").first()
    start, prev_hash = (previous.seq, previous.head) if previous else (0, GENESIS_HASH)
    if previous is not None and previous.seq > 0:
        signed = AuditEntry.objects.filter(seq=previous.seq).values_list("hash", flat=True)
        if list(signed) != [previous.head]:
            raise CheckpointRefused(
                f"审计记录第 {previous.seq} 条与上一个检查点签署的链头不符，未签署检查点："
                "请先用 skillcert audit verify --checkpoints 查明原因"
            )
    expected = start + 1
    for entry in AuditEntry.objects.filter(seq__gt=start).order_by("seq").iterator(2000):
        problem = entry_problem(entry, expected, prev_hash, key)
        if problem:
            raise CheckpointRefused(
                f"审计记录第 {entry.seq} 条未通过核验（{problem}），未签署检查点："
                "请先用 skillcert audit verify 查明原因"
            )
        prev_hash, expected = entry.hash, expected + 1


def make_checkpoint(*, actor: Actor = SYSTEM) -> AuditCheckpoint:
    """Sign the chain's head now; recorded as an ``audit.checkpoint_signed`` entry (after the
    head it signs), in one transaction. Raises ``CheckpointRefused`` (nothing signed) when the
    head does not fit the entries or the entries since the previous checkpoint do not verify."""
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        ed_kid, ed_key = _current(ED25519_PURPOSE, "Ed25519", actor)
        sm_kid, sm_key = _current(SM2_PURPOSE, "SM2", actor)
        head.refresh_from_db()  # a key created just now was recorded after the head we read
        _check_before_signing(head)
        if not isinstance(ed_key, Ed25519PrivateKey) or not sm.is_sm2_private(sm_key):
            raise RuntimeError("audit checkpoint keys are not Ed25519 and SM2 keys")
        at = timezone.now()
        text = message(head.seq, timestamp_text(at), head.hash)
        checkpoint = AuditCheckpoint.objects.create(
            seq=head.seq,
            at=at,
            head=head.hash,
            ed25519_kid=ed_kid,
            ed25519_signature=b64url(ed_key.sign(text)),
            sm2_kid=sm_kid,
            sm2_signature=b64url(sm.sm2_sign(sm_key, text)),
        )
        record(
            actor=actor,
            action="audit.checkpoint_signed",
            obj=checkpoint,
            after={"seq": checkpoint.seq, "at": timestamp_text(at), "head": checkpoint.head},
        )
    return checkpoint


def published(checkpoints: Iterable[AuditCheckpoint] | None = None) -> list[dict[str, Any]]:
    """The public list: one element per signature, oldest checkpoint first."""
    rows = AuditCheckpoint.objects.order_by("seq") if checkpoints is None else checkpoints
    items = []
    for c in rows:
        common = {"seq": c.seq, "at": timestamp_text(c.at), "head": c.head}
        items.append(
            {**common, "alg": ED25519_ALG, "kid": c.ed25519_kid, "signature": c.ed25519_signature}
        )
        items.append({**common, "alg": SM2_ALG, "kid": c.sm2_kid, "signature": c.sm2_signature})
    return items


# -- checking the record against a copy ------------------------------------------------------


@dataclass(frozen=True)
class CheckpointCheck:
    checkpoints: int  # distinct checkpoints in the copy
    signatures: int  # signatures checked
    problems: tuple[str, ...]  # in Chinese, for the operator

    @property
    def ok(self) -> bool:
        return not self.problems


def _item(raw: Any, index: int) -> tuple[int, str, str, str, str]:
    if not isinstance(raw, Mapping):
        raise CheckpointFileInvalid(f"第 {index} 项不是对象")
    try:
        seq, at, head = raw["seq"], raw["at"], raw["head"]
        kid, signature = raw["kid"], raw["signature"]
    except KeyError as exc:
        raise CheckpointFileInvalid(f"第 {index} 项缺少字段 {exc.args[0]}") from None
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise CheckpointFileInvalid(f"第 {index} 项的 seq 不是非负整数")
    if not all(isinstance(v, str) for v in (at, head, kid, signature)):
        raise CheckpointFileInvalid(f"第 {index} 项的 at、head、kid、signature 应为文本")
    return seq, at, head, kid, signature


def _signature_ok(key: KeyInfo, text: bytes, signature: str) -> bool:
    try:
        raw_signature = _unb64url(signature)
        raw_key = _unb64url(key.public_key)
    except (binascii.Error, ValueError):
        return False
    if key.algorithm == "Ed25519":
        try:
            Ed25519PublicKey.from_public_bytes(raw_key).verify(raw_signature, text)
        except (InvalidSignature, ValueError):
            return False
        return True
    if key.algorithm == "SM2":
        public = sm.sm2_public_from_xy(raw_key[:32], raw_key[32:])
        return sm.sm2_verify(public, raw_signature, text)
    return False  # pragma: no cover


def verify_against(items: Any) -> CheckpointCheck:
    """Check the record against a saved copy of the published checkpoints (the endpoint's
    JSON list). Raises ``CheckpointFileInvalid`` when it is not such a list."""
    if not isinstance(items, list):
        raise CheckpointFileInvalid(
            "检查点文件应为 GET /api/v1/public/audit/checkpoints 返回的列表"
        )
    parsed = [_item(raw, index) for index, raw in enumerate(items, start=1)]
    keys = {k.kid: k for k in public_keys()}
    problems: list[str] = []
    checkpoints: dict[int, set[str]] = {}
    for seq, at, head, kid, signature in parsed:
        key = keys.get(kid)
        if key is None:
            problems.append(
                f"检查点（第 {seq} 条，{at}）的签名密钥 {kid} 不是本平台的审计检查点密钥"
            )
        elif not _signature_ok(key, message(seq, at, head), signature):
            problems.append(
                f"检查点（第 {seq} 条，{at}）的 {key.algorithm} 签名（密钥 {kid}）验证不通过："
                "检查点文件被改动，或不是本平台发布的"
            )
        checkpoints.setdefault(seq, set()).add(head)
    entries = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    hashes = dict(AuditEntry.objects.filter(seq__in=list(checkpoints)).values_list("seq", "hash"))
    for seq in sorted(checkpoints):
        heads = checkpoints[seq]
        if len(heads) > 1:
            problems.append(f"检查点文件中第 {seq} 条有不同的链头哈希")
        if seq == 0:
            continue
        if seq > entries:
            problems.append(
                f"审计记录被截短：检查点记录了 {seq} 条，现存审计记录只到第 {entries} 条"
            )
        elif seq not in hashes:
            problems.append(f"审计记录第 {seq} 条已不存在（检查点记录了它）：记录被删除")
        elif hashes[seq] not in heads:
            problems.append(
                f"审计记录被改写：第 {seq} 条的哈希与检查点记录的链头不符，"
                f"第 {seq} 条或其之前的记录被改动"
            )
    return CheckpointCheck(len(checkpoints), len(parsed), tuple(problems))
