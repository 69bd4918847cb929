"""``skillcert audit verify [--checkpoints FILE]`` and ``skillcert audit checkpoint``.

``verify`` checks every entry's keyed hash (HMAC-SM3), the links and the head; with
``--checkpoints FILE`` (a saved copy of ``GET /api/v1/public/audit/checkpoints``) it also checks
each checkpoint's signatures and that the record still holds, at each checkpoint's ``seq``, the
head it published: a rewritten or truncated record is named and the exit code is non-zero.
``checkpoint`` signs the chain's head now (as the daily job does) and prints it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from skillcert.audit.chain import verify_chain
from skillcert.audit.checkpoints import (
    CheckpointFileInvalid,
    CheckpointRefused,
    make_checkpoint,
    verify_against,
)
from skillcert.audit.service import command_line_actor


class Command(BaseCommand):
    help = (
        "Audit chain tools. `audit verify` checks every entry and the chain head "
        "(`--checkpoints FILE` also against saved published checkpoints); "
        "`audit checkpoint` signs the head now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="check the whole chain; exit 0 with 'ok: N entries'")
        verify.add_argument(
            "--checkpoints",
            metavar="FILE",
            help="a saved copy of GET /api/v1/public/audit/checkpoints to check the record against",
        )
        sub.add_parser("checkpoint", help="sign the chain's head (Ed25519 and SM2) and publish it")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "checkpoint":
            try:
                checkpoint = make_checkpoint(actor=command_line_actor())
            except CheckpointRefused as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"已签署审计检查点：第 {checkpoint.seq} 条，链头 {checkpoint.head}，"
                f"Ed25519 密钥 {checkpoint.ed25519_kid}，SM2 密钥 {checkpoint.sm2_kid}"
            )
            return
        items = self._checkpoints(options.get("checkpoints"))
        result = verify_chain()
        problems = [] if result.ok else [result.describe()]
        if items is not None:
            try:
                check = verify_against(items)
            except CheckpointFileInvalid as exc:
                raise CommandError(f"检查点文件不是检查点列表：{exc}") from exc
            problems.extend(check.problems)
            if check.ok:
                self.stdout.write(
                    f"检查点核对通过：{check.checkpoints} 个检查点，{check.signatures} 个签名"
                )
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(result.describe())

    def _checkpoints(self, path: str | None) -> Any:
        if not path:
            return None
        try:
            return json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"无法读取检查点文件 {path}：{exc}") from exc
        except ValueError as exc:
            raise CommandError(f"检查点文件 {path} 不是 JSON：{exc}") from exc
