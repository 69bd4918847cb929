"""``skillcert user add USERNAME --password P --role ROLE [--authority CODE] [--name 姓名]
[--department 部门]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from skillcert.accounts.roles import Role
from skillcert.accounts.services import add_user
from skillcert.audit.service import command_line_actor
from skillcert.rules.errors import DomainError


class Command(BaseCommand):
    help = "Officer accounts. `user add` creates one (organization users register themselves)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add an officer, inspector or administrator")
        add.add_argument("username")
        add.add_argument("--password", required=True)
        add.add_argument(
            "--role",
            required=True,
            help="one of: " + ", ".join(r.value for r in Role if r != Role.ORGANIZATION),
        )
        add.add_argument("--authority", default=None, help="a city code (01 …) or 'province'")
        add.add_argument("--name", default="", help="the person's name (姓名), shown on pages")
        add.add_argument(
            "--department",
            default="",
            help="the person's department (部门); histories show 部门 姓名",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = add_user(
                options["username"],
                password=options["password"],
                role=options["role"],
                authority=options["authority"],
                display_name=options["name"],
                department=options["department"],
                actor=command_line_actor(),
            )
        except DomainError as exc:
            details = "; ".join(m for messages in exc.fields.values() for m in messages)
            raise CommandError(details or exc.message) from exc
        where = f"，{user.authority.name}" if user.authority else ""
        who = f"，署名「{user.signature}」" if user.display_name else ""
        self.stdout.write(f"已添加用户 {user.username}（{user.role_label}{where}{who}）")
