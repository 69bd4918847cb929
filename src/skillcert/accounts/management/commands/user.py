"""``skillcert user add USERNAME --password P --role ROLE [--authority CODE] [--name 姓名]
[--department 部门]``, ``skillcert user role USERNAME --role ROLE [--authority CODE]`` and
``skillcert user password USERNAME`` (a temporary password, printed once; the only way to reset one
of the three administrators' passwords).

``--role admin`` is accepted as the alias of ``system_admin``. The three administrators
(``system_admin``, ``security_admin``, ``audit_admin``) are set here, by the installation's
operator, as separate accounts (三员分立, ``accounts.services.change_role``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from skillcert.accounts.models import User
from skillcert.accounts.roles import ROLE_ALIASES, Role
from skillcert.accounts.security import reset_password_by_operator
from skillcert.accounts.services import add_user, change_role
from skillcert.audit.service import command_line_actor
from skillcert.rules.errors import DomainError

ROLE_HELP = (
    "one of: "
    + ", ".join(r.value for r in Role if r != Role.ORGANIZATION)
    + "".join(f" ({alias} = {role.value})" for alias, role in ROLE_ALIASES.items())
)


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
            help=ROLE_HELP,
        )
        add.add_argument("--authority", default=None, help="a city code (01 …) or 'province'")
        add.add_argument("--name", default="", help="the person's name (姓名), shown on pages")
        add.add_argument(
            "--department",
            default="",
            help="the person's department (部门); histories show 部门 姓名",
        )

        reset = sub.add_parser(
            "password", help="give an account a temporary password, printed once (recorded)"
        )
        reset.add_argument("username")

        change = sub.add_parser("role", help="change an account's role (recorded)")
        change.add_argument("username")
        change.add_argument("--role", required=True, help=ROLE_HELP)
        change.add_argument(
            "--authority", default=None, help="a city code (01 …) or 'province' if it changes"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "role":
            self.change_role(options)
            return
        if options["action"] == "password":
            try:
                password = reset_password_by_operator(
                    options["username"], actor=command_line_actor()
                )
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(
                f"已为用户 {options['username']} 设置临时密码：{password}\n"
                "（只显示这一次；该用户登录后须先修改密码，其原有登录令牌已失效）"
            )
            return
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

    def change_role(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"用户 {options['username']} 不存在")
        before = user.role_label
        try:
            change_role(
                user,
                role=options["role"],
                authority=options["authority"],
                actor=command_line_actor(),
            )
        except DomainError as exc:
            details = "; ".join(m for messages in exc.fields.values() for m in messages)
            raise CommandError(details or exc.message) from exc
        where = f"，{user.authority.name}" if user.authority else ""
        self.stdout.write(f"已将用户 {user.username} 的角色由{before}改为{user.role_label}{where}")
