"""``skillcert setup`` and ``skillcert demo`` are idempotent and leave a verifiable audit chain."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from skillcert.accounts.models import Authority, User
from skillcert.accounts.roles import PLANNED_ROLES, Role
from skillcert.audit.chain import verify_chain
from skillcert.reference.models import Occupation
from skillcert.registry.models import Organization

pytestmark = pytest.mark.django_db


def test_setup_twice_then_demo_twice(capsys):
    call_command("setup", "--no-static")
    call_command("setup", "--no-static")
    out = capsys.readouterr().out
    assert "17 个人社部门" in out
    assert Authority.objects.count() == 17
    assert Occupation.objects.filter(edition="2022").count() == 1639

    call_command("demo")
    first = capsys.readouterr().out
    users, organizations = User.objects.count(), Organization.objects.count()
    call_command("demo")
    second = capsys.readouterr().out
    assert "已存在" in second
    assert (User.objects.count(), Organization.objects.count()) == (users, organizations)

    # One printed login for every role that can have accounts yet, and every printed login works.
    assert {u.role for u in User.objects.all()} == set(Role.values) - PLANNED_ROLES
    for role in set(Role) - PLANNED_ROLES:
        assert role.label in first
    for user in User.objects.all():
        assert user.username in first
        assert user.check_password("Demo-2026-skill")
    assert verify_chain().ok
    # The national outbox has something at every stage: a sent export, and the certificates
    # corrected and revoked after it, waiting to be reported as status changes.
    from skillcert.certificates import national
    from skillcert.certificates.models import NationalExport

    assert NationalExport.objects.filter(kind="batch", state="sent").count() == 1
    assert national.changes_pending() == 2
