"""``skillcert keys rotate|list|import``: the keys that sign electronic certificates (Ed25519 and
SM2). ``rotate`` makes a new current key of both (``--algorithm`` one of them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from skillcert.audit.service import command_line_actor
from skillcert.certificates.keys import (
    PURPOSES,
    import_legacy_keys,
    key_dir,
    load_index,
    rotate_keys,
    sm2_enabled,
)
from skillcert.rules.errors import DomainError


class Command(BaseCommand):
    help = "Signing keys of electronic certificates: `keys rotate` makes a new current key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rotating = sub.add_parser(
            "rotate", help="make new current keys (Ed25519 and SM2); the old ones stay published"
        )
        rotating.add_argument(
            "--algorithm",
            choices=[*PURPOSES, "all"],
            default="all",
            help="rotate only this algorithm's key (default: all; SM2 only when it is on)",
        )
        sub.add_parser("list", help="list keys: algorithm, id, created, retired")
        importing = sub.add_parser(
            "import", help="import the keys of the old key directory (same ids) into the database"
        )
        importing.add_argument("directory", nargs="?", type=Path, help="default: SKILLCERT_KEY_DIR")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _rotate(self, options: dict[str, Any]) -> None:
        chosen = options.get("algorithm") or "all"
        if chosen == "all":
            algorithms = ["Ed25519", "SM2"] if sm2_enabled() else ["Ed25519"]
        else:
            algorithms = [chosen]
        actor = command_line_actor()
        made = [
            f"{algorithm} {rotate_keys(actor=actor, algorithm=algorithm).kid}"
            for algorithm in algorithms
        ]
        self.stdout.write(
            f"新的签名密钥 {'、'.join(made)}（保存在数据库中，由主密钥加密），各服务器即时启用；"
            "旧密钥仍在公钥集中"
        )

    def _list(self, options: dict[str, Any]) -> None:
        keys = [(algorithm, info) for algorithm in PURPOSES for info in load_index(algorithm)]
        if not keys:
            self.stdout.write("尚无签名密钥：请运行 skillcert keys rotate")
        for algorithm, info in keys:
            state = f"已停用 {info.retired}" if info.retired else "当前"
            self.stdout.write(f"{algorithm:<7}  {info.kid}  创建 {info.created}  {state}")

    def _import(self, options: dict[str, Any]) -> None:
        directory = options["directory"] or key_dir()
        imported = import_legacy_keys(directory, actor=command_line_actor())
        if not imported:
            self.stdout.write(f"{directory} 中没有需要导入的签名密钥（或已全部导入）")
            return
        self.stdout.write(
            f"已从 {directory} 导入 {len(imported)} 个签名密钥（编号不变）："
            + "，".join(info.kid for info in imported)
        )
