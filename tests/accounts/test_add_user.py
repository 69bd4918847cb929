"""Officer accounts: each role with the authority kinds it may belong to."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from skillcert.accounts.models import User
from skillcert.accounts.services import add_user
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM
from skillcert.rules.errors import InvalidInput

pytestmark = pytest.mark.django_db
PASSWORD = "Officer-pass-2026"

# (role, authority, allowed)
ROLE_AUTHORITY_TABLE = [
    ("city_bureau", "01", True),
    ("city_bureau", "province", False),
    ("city_bureau", None, False),
    ("city_center", "30", True),
    ("city_center", "province", False),
    ("province_dept", "province", True),
    ("province_dept", "00", True),
    ("province_dept", "01", False),
    ("province_center", "province", True),
    ("province_center", "12", False),
    ("inspector", "01", True),
    ("inspector", "province", True),
    ("inspector", None, False),
    ("admin", None, True),
    ("admin", "province", True),
    ("admin", "05", False),
    ("organization", None, False),
    ("superuser", "01", False),
    ("city_bureau", "09", False),  # 09 is not an Anhui city code
]


@pytest.mark.parametrize(("role", "authority", "allowed"), ROLE_AUTHORITY_TABLE)
def test_role_authority_table(authorities, role, authority, allowed):
    entries_before = AuditEntry.objects.count()
    if allowed:
        user = add_user("u1", password=PASSWORD, role=role, authority=authority, actor=SYSTEM)
        # ``admin`` is the alias of ``system_admin``: accepted, answered as the role it names.
        assert user.role == {"admin": "system_admin"}.get(role, role)
        assert user.authority is not None
        assert AuditEntry.objects.count() == entries_before + 1
    else:
        with pytest.raises(InvalidInput) as info:
            add_user("u1", password=PASSWORD, role=role, authority=authority, actor=SYSTEM)
        assert set(info.value.fields) <= {"role", "authority"}
        assert not User.objects.filter(username="u1").exists()
        assert AuditEntry.objects.count() == entries_before


def test_duplicate_username_is_refused(city_bureau):
    with pytest.raises(InvalidInput) as info:
        add_user("HF_BUREAU", password=PASSWORD, role="city_center", authority="01", actor=SYSTEM)
    assert "已被使用" in info.value.fields["username"][0]


def test_weak_password_is_refused_in_chinese(authorities):
    with pytest.raises(InvalidInput) as info:
        add_user("u2", password="123", role="city_center", authority="01", actor=SYSTEM)
    assert any("密码" in m for m in info.value.fields["password"])
    assert not User.objects.filter(username="u2").exists()


def test_command_adds_a_user(authorities, capsys):
    call_command(
        "user", "add", "hf2", "--password", PASSWORD, "--role", "city_center", "--authority", "01"
    )
    assert "合肥市" in capsys.readouterr().out
    user = User.objects.get(username="hf2")
    assert user.check_password(PASSWORD)
    entry = AuditEntry.objects.latest("seq")
    assert entry.actor.startswith("cli:")


def test_command_records_the_person_s_name_and_department(authorities, capsys):
    call_command(
        "user",
        "add",
        "zhangming",
        "--password",
        PASSWORD,
        "--role",
        "city_bureau",
        "--authority",
        "01",
        "--name",
        " 张明 ",
        "--department",
        "合肥市人社局",
    )
    assert "署名「合肥市人社局 张明」" in capsys.readouterr().out
    user = User.objects.get(username="zhangming")
    assert (user.display_name, user.department, user.signature) == (
        "张明",
        "合肥市人社局",
        "合肥市人社局 张明",
    )
    added = AuditEntry.objects.filter(action="accounts.user_added").latest("seq")
    assert '"department":"合肥市人社局"' in added.after


def test_command_refuses_an_overlong_department_in_chinese(authorities):
    with pytest.raises(CommandError, match="部门不能超过 60 个字符"):
        call_command(
            "user",
            "add",
            "zm2",
            "--password",
            PASSWORD,
            "--role",
            "city_center",
            "--authority",
            "01",
            "--department",
            "部" * 61,
        )
    assert not User.objects.filter(username="zm2").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "boss", "--authority", "01"], "未知的角色"),
        (["--role", "city_bureau", "--authority", "99"], "未知的部门代码"),
        (["--role", "city_bureau", "--authority", "province"], "不能属于"),
    ],
)
def test_command_refuses_bad_input_and_writes_nothing(authorities, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("user", "add", "bad1", "--password", PASSWORD, *args)
    assert not User.objects.filter(username="bad1").exists()
    assert not AuditEntry.objects.filter(action="accounts.user_added").exists()
