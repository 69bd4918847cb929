"""``skillcert demo``: load the demo data set (once) and print the demo logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from skillcert.ops.demo import load_demo
from skillcert.ops.demo_guide import certificates_to_verify, demo_logins


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
        certificates = certificates_to_verify()
        if certificates:
            self.stdout.write("证书查询（/verify，无需登录）：")
            for number, name, status in certificates:
                self.stdout.write(f"  证书编号 {number}  姓名 {name}（{status}）")
