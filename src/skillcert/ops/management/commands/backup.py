"""``skillcert backup --out DIR [--include-master-key]`` and ``skillcert backup verify DIR``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from skillcert.ops.backup import BackupError, create_backup, read_manifest, verify_backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup (database, files, manifest with checksums) into --out DIR, "
        "or check one with `backup verify DIR`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["verify"], help="verify DIR")
        parser.add_argument("directory", nargs="?", help="the backup to verify")
        parser.add_argument("--out", help="a new (or empty) directory for the backup")
        parser.add_argument(
            "--include-master-key",
            action="store_true",
            help="also store the master key, encrypted with SKILLCERT_BACKUP_PASSPHRASE",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "verify":
                if not options["directory"] or options["out"]:
                    raise CommandError("用法：skillcert backup verify 备份目录")
                self._verify(Path(options["directory"]))
                return
            if not options["out"] or options["directory"]:
                raise CommandError("用法：skillcert backup --out 备份目录 [--include-master-key]")
            self._backup(Path(options["out"]), options["include_master_key"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None

    def _backup(self, out: Path, include_master_key: bool) -> None:
        result = create_backup(out, include_master_key=include_master_key)
        keys = "主密钥已加密写入备份" if result.keys_included else "未含主密钥（须另行保管和恢复）"
        self.stdout.write(
            f"备份已完成：{result.directory}（数据库 {result.engine}，文件 {result.files} 个，"
            f"共 {result.bytes} 字节；{keys}）"
        )

    def _verify(self, directory: Path) -> None:
        problems = verify_backup(directory)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"备份 {directory} 校验未通过：发现 {len(problems)} 处问题")
        manifest = read_manifest(directory)
        self.stdout.write(
            f"备份完好：{directory}（{manifest['created_at']} 制作，数据库 "
            f"{manifest['database']['engine']} 可以打开，{len(manifest['files'])} 个文件校验一致）"
        )
