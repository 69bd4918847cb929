"""``skillcert keys rotate|list|import``: the Ed25519 keys that sign electronic certificates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from skillcert.audit.service import command_line_actor
from skillcert.certificates.keys import import_legacy_keys, key_dir, load_index, rotate_keys
from skillcert.rules.errors import DomainError


class Command(BaseCommand):
    help = "Signing keys of electronic certificates: `keys rotate` makes a new current key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rotate", help="make a new current key; the old one stays published")
        sub.add_parser("list", help="list keys: id, created, retired")
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
        info = rotate_keys(actor=command_line_actor())
        self.stdout.write(
            f"新的签名密钥 {info.kid}（保存在数据库中，由主密钥加密），各服务器即时启用；"
            "旧密钥仍在公钥集中"
        )

    def _list(self, options: dict[str, Any]) -> None:
        keys = load_index()
        if not keys:
            self.stdout.write("尚无签名密钥：请运行 skillcert keys rotate")
        for info in keys:
            state = f"已停用 {info.retired}" if info.retired else "当前"
            self.stdout.write(f"{info.kid}  创建 {info.created}  {state}")

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
