"""``skillcert keys rotate|list``: the Ed25519 keys that sign electronic certificates."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from skillcert.certificates.keys import key_dir, load_index, rotate_keys


class Command(BaseCommand):
    help = "Signing keys of electronic certificates: `keys rotate` makes a new current key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rotate", help="make a new current key; the old one stays published")
        sub.add_parser("list", help="list keys: id, created, retired")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rotate":
            info = rotate_keys()
            self.stdout.write(f"新的签名密钥 {info.kid}（保存在 {key_dir()}）；旧密钥仍在公钥集中")
            return
        for info in load_index():
            state = f"已停用 {info.retired}" if info.retired else "当前"
            self.stdout.write(f"{info.kid}  创建 {info.created}  {state}")
