"""The append-only, hash-chained record of every change (全程有记录、可追溯).

Each entry's hash (HMAC-SM3 under a key derived from the master key, see ``chain.py``)
covers its own content and the previous entry's hash, so a changed, deleted, inserted or
reordered entry breaks the chain from that point on. ``AuditHead``
holds the last sequence number and hash: appending locks it (so writers queue and the
chain never forks) and verification compares it with the last entry (so a removed tail
shows too). The application never updates or deletes an ``AuditEntry``; a database
trigger refuses it, and on PostgreSQL the application's role needs no UPDATE or DELETE
grant on the table (see docs/operations.md).
"""

from __future__ import annotations

from typing import Any

from django.db import models

GENESIS_HASH = "0" * 64


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField("序号", unique=True)
    recorded_at = models.DateTimeField("记录时间")
    business_date = models.DateField("业务日期")  # "today" as the platform saw it (SKILLCERT_TODAY)
    actor = models.CharField("操作人", max_length=150)
    actor_id = models.BigIntegerField("操作人编号", null=True, blank=True)
    actor_role = models.CharField("操作人角色", max_length=32, blank=True)
    action = models.CharField("操作", max_length=80, db_index=True)
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    # Canonical JSON text, hashed exactly as stored (a JSON column could reformat numbers).
    before = models.TextField("变更前", default="null")
    after = models.TextField("变更后", default="null")
    prev_hash = models.CharField("前一条哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("audit entries are append-only")


class AuditHead(models.Model):
    """The single row (pk=1) naming the end of the chain."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = "审计链头"

    def __str__(self) -> str:
        return f"head #{self.seq}"


class AuditCheckpoint(models.Model):
    """The chain's head at a moment, signed with Ed25519 and with SM2 (``checkpoints.py``) and
    published (``GET /api/v1/public/audit/checkpoints``): a copy kept by anyone shows later
    whether the record up to ``seq`` was rewritten or cut short."""

    seq = models.PositiveBigIntegerField("序号", unique=True)
    at = models.DateTimeField("签署时间")
    head = models.CharField("链头哈希", max_length=64)
    ed25519_kid = models.CharField("Ed25519 密钥编号", max_length=64)
    ed25519_signature = models.CharField("Ed25519 签名", max_length=128)
    sm2_kid = models.CharField("SM2 密钥编号", max_length=64)
    sm2_signature = models.CharField("SM2 签名", max_length=128)

    class Meta:
        ordering = ["seq"]
        verbose_name = "审计检查点"
        verbose_name_plural = "审计检查点"

    def __str__(self) -> str:
        return f"checkpoint #{self.seq}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("audit checkpoints are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("audit checkpoints are append-only")
