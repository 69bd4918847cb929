"""The demo data set: what a newcomer sees after ``make run``, in every role.

Each capability adds its stage here. Everything is created through the services, so the
demo also exercises the rules and leaves a full audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from skillcert.accounts.models import User
from skillcert.accounts.services import add_user
from skillcert.audit.service import ActorRef
from skillcert.registry.models import Organization
from skillcert.registry.services.organizations import register_organization
from skillcert.rules.credit_code import credit_check_char, org_code_check_char

DEMO_PASSWORD = "Demo-2026-skill"  # noqa: S105 - printed on purpose, demo data only
DEMO_ACTOR = ActorRef("demo", None, "system")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    authority: str | None
    display_name: str
    note: str


OFFICERS = [
    DemoLogin("admin", "admin", "province", "系统管理员", "管理账户与基础数据"),
    DemoLogin(
        "province_dept",
        "province_dept",
        "province",
        "省人社厅 王处长",
        "省直渠道备案、全省目录、监督",
    ),
    DemoLogin(
        "province_center",
        "province_center",
        "province",
        "省鉴定中心 李科长",
        "证书号段、省直计划与结果",
    ),
    DemoLogin(
        "hefei_bureau", "city_bureau", "01", "合肥市人社局 张科长", "合肥市评价组织受理、评估、备案"
    ),
    DemoLogin(
        "hefei_center", "city_center", "01", "合肥市鉴定中心 赵老师", "合肥市计划报备与结果报备"
    ),
    DemoLogin(
        "wuhu_bureau", "city_bureau", "02", "芜湖市人社局 孙科长", "芜湖市（看不到合肥的数据）"
    ),
    DemoLogin("inspector_hefei", "inspector", "01", "督查员 周老师", "合肥市抽查督导"),
]


def demo_credit_code(division: str, body: str) -> str:
    """A valid 统一社会信用代码 for demo data.

    5 (社会组织 registration) + 2 (民办非企业单位) + division + organization code.
    """
    org_code = body + org_code_check_char(body)
    first17 = "52" + division + org_code
    return first17 + credit_check_char(first17)


ORGANIZATIONS = [
    # (username, name, division, organization-code body, note)
    ("org_hefei", "合肥市明德职业技能培训学校", "340104", "MJ000101", "合肥市的评价组织"),
    ("org_wuhu", "芜湖市江城职业培训学校", "340202", "MJ000202", "芜湖市的评价组织"),
]


def load_demo() -> bool:
    """Create the demo data set once; returns False when it was already there."""
    if User.objects.filter(username="admin").exists():
        return False
    with transaction.atomic():
        for login in OFFICERS:
            add_user(
                login.username,
                password=DEMO_PASSWORD,
                role=login.role,
                authority=login.authority,
                display_name=login.display_name,
                actor=DEMO_ACTOR,
            )
        for username, name, division, body, _note in ORGANIZATIONS:
            register_organization(
                username=username,
                password=DEMO_PASSWORD,
                credit_code=demo_credit_code(division, body),
                name=name,
                actor=DEMO_ACTOR,
            )
    return True


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(username, password, role, what it shows) for every demo login present."""
    rows: list[tuple[str, str, str, str]] = []
    users = {u.username: u for u in User.objects.select_related("authority")}
    for login in OFFICERS:
        user = users.get(login.username)
        if user:
            rows.append((login.username, DEMO_PASSWORD, user.role_label, login.note))
    names = dict(Organization.objects.values_list("members__user__username", "name"))
    for username, _name, _division, _body, note in ORGANIZATIONS:
        if username in users:
            rows.append(
                (username, DEMO_PASSWORD, "评价组织", f"{names.get(username, '')}（{note}）")
            )
    return rows
