"""``skillcert restore DIR``: fill an empty instance from a backup, then check the audit chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from skillcert.ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup made by `skillcert backup` into an empty instance."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="the backup directory")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = restore_backup(Path(options["directory"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"已恢复数据库和 {result.files} 个文件。")
        for note in result.notes:
            self.stdout.write(note)
        if not result.audit.ok:
            raise CommandError(
                f"恢复后审计记录校验未通过：{result.audit.describe()}\n"
                "审计记录以主密钥派生的密钥封存：请确认本实例的主密钥"
                "（SKILLCERT_MASTER_KEY 或 SKILLCERT_MASTER_KEY_FILE）与备份来源实例的相同"
            )
        self.stdout.write(f"审计记录校验通过：共 {result.audit.count} 条，链条完整。")
