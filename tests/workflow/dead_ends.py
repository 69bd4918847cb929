"""The no-dead-ends check, shared by the demo walk and every test of the suite (conftest)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser

from skillcert.accounts.models import User
from skillcert.workflow.machine import machines


def everyone() -> list[Any]:
    return [*User.objects.select_related("authority").all(), AnonymousUser()]


def stuck_objects() -> list[str]:
    """Objects in an open state that nobody can move and time will not move: for each, some
    person must have an action, or ``next`` must name the date on which time moves it."""
    people = everyone()
    stuck = []
    for name, machine in machines().items():
        for obj in machine.model._default_manager.all():
            obj = machine.catch_up(obj)
            if machine.is_final(obj):
                continue
            step = machine.next(obj)
            if step is not None and step["party"] == "system" and step["due"] is not None:
                continue
            if any(machine.available(obj, person) for person in people):
                continue
            stuck.append(f"{name} #{obj.pk} in {machine.state(obj)!r}: nobody may act, next={step}")
    return stuck
