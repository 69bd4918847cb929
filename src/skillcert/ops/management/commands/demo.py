"""``skillcert demo``: load the demo data set (once) and print the demo logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from skillcert.ops.demo import demo_logins, load_demo


class Command(BaseCommand):
    help = "Load a small demo data set (idempotent) and print one login per role."

    def handle(self, *args: Any, **options: Any) -> None:
        created = load_demo()
        self.stdout.write("已载入演示数据。" if created else "演示数据已存在，未重复载入。")
        self.stdout.write("演示账户（仅供演示，请勿用于生产环境）：")
        rows = demo_logins()
        width = max(len(row[0]) for row in rows) if rows else 10
        for username, password, role, note in rows:
            self.stdout.write(f"  {username:<{width}}  密码 {password}  {role}：{note}")
