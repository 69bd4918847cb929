"""``skillcert verify-credential FILE [--jwks JWKS]``: check an electronic certificate offline
(its Ed25519 signature, and its SM2 signature when it carries one)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jwt
from django.core.management.base import BaseCommand, CommandError, CommandParser

from skillcert.certificates.credentials import (
    SM2_MEMBER,
    CredentialInvalid,
    load_jwks,
    verify_credential,
)
from skillcert.certificates.keys import public_jwks


class Command(BaseCommand):
    help = (
        "Verify an electronic certificate (a JWS file) against a saved JWKS, without network "
        "access; without --jwks, against this installation's public keys."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--jwks", type=Path, default=None, help="a saved jwks.json")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            token = options["file"].read_text(encoding="utf-8").strip()
            jwks = load_jwks(options["jwks"]) if options["jwks"] else public_jwks()
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法读取文件：{exc}") from exc
        try:
            payload = verify_credential(token, jwks)
        except CredentialInvalid as exc:
            raise CommandError(f"验证失败：{exc}") from exc
        self.stdout.write("签名有效：该电子证书由持有该密钥的发证平台签发，内容未被篡改。")
        if SM2_MEMBER in jwt.get_unverified_header(token):
            self.stdout.write("SM2 签名（GB/T 32918.2，SM3）同样有效。")
        self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        self.stdout.write("证书状态以签发时为准；撤销或更正请在线查询核实。")
