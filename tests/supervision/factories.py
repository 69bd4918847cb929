"""Shared set-up of the supervision tests."""

from __future__ import annotations

from skillcert.accounts.models import User
from skillcert.accounts.services import add_user
from skillcert.audit.service import SYSTEM
from tests.conftest import PASSWORD


def hefei_inspectors(count: int = 4, name: str = "督查员{i}") -> list[User]:
    """``count`` inspectors of 合肥 (authority 01): insp0, insp1, … named by ``name``."""
    return [
        add_user(
            f"insp{i}",
            password=PASSWORD,
            role="inspector",
            authority="01",
            actor=SYSTEM,
            display_name=name.format(i=i),
        )
        for i in range(count)
    ]
