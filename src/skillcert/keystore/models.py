"""Stored keys (签名密钥): the public half in clear, the private half sealed (AES-256-GCM)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class StoredKey(models.Model):
    """One key of one purpose. A purpose has at most one current (not retired) key; retired
    keys stay, so that what they signed still verifies."""

    kid = models.CharField("密钥编号", max_length=64, unique=True)
    purpose = models.CharField("用途", max_length=64)  # e.g. "credential-signing"
    algorithm = models.CharField("算法", max_length=32)  # e.g. "Ed25519"
    public_key = models.TextField("公钥")  # raw, base64url (the JWK "x" for Ed25519)
    # The private key (PKCS#8 DER) sealed with AES-256-GCM under the master key; the
    # associated data binds it to its kid and purpose, so a row copied onto another fails.
    private_nonce = models.BinaryField("私钥加密随机数", max_length=12)
    private_sealed = models.BinaryField("加密的私钥")
    created = models.DateTimeField("创建时间")
    retired = models.DateTimeField("停用时间", null=True, blank=True)

    class Meta:
        verbose_name = "签名密钥"
        verbose_name_plural = "签名密钥"
        ordering = ["created", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose"],
                condition=Q(retired__isnull=True),
                name="keystore_one_current_key_per_purpose",
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose}:{self.kid}"
