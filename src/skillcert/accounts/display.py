"""How a person is named on pages, in histories and in documents: ``姓名（部门）`` when the
account has a name on record (``姓名`` alone without a department), else the login name.

Histories store who acted as a string (``workflow.StateChange.actor``: the account's signature
when it acted, ``部门 姓名``, an organization's name, or the login name). ``person_labels``
names those strings as they are shown now, without rewriting a stored row; the audit pages keep
the stored names (they are for auditors).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from skillcert.accounts.models import User


def person_label(user: Any) -> str:
    """``张明（审批科）``, ``张明``, or the login name. An organization's user is named with
    its organization, whatever department it typed: nobody outside an authority appears to
    act for one."""
    name = (getattr(user, "display_name", "") or "").strip()
    if not name:
        return str(user.get_username())
    department = (getattr(user, "department", "") or "").strip()
    if getattr(user, "role", "") == "organization":
        membership = getattr(user, "membership", None)  # absent: AttributeError → None
        department = membership.organization.name if membership is not None else ""
    return f"{name}（{department}）" if department else name


def _signature(user: User) -> str:
    """The name ``User.signature`` gave a named account (what its history rows hold)."""
    return f"{user.department} {user.display_name}".strip()


def person_labels(names: Iterable[str]) -> dict[str, str]:
    """Stored actor names → how to show them now (one query). A login name, or the signature
    of an account that has a name, becomes its ``person_label``; anything else (the public,
    the system, an organization's name) is absent: show it as stored."""
    wanted = {name for name in names if name}
    if not wanted:
        return {}
    last_words = {name.rsplit(" ", 1)[-1] for name in wanted}
    users = User.objects.filter(
        Q(username__in=wanted) | (Q(display_name__in=last_words) & ~Q(display_name=""))
    ).select_related("membership__organization")
    labels: dict[str, str] = {}
    for user in users:
        if user.username in wanted:
            labels[user.username] = person_label(user)
        if user.display_name and _signature(user) in wanted:
            labels.setdefault(_signature(user), person_label(user))
    return labels


def with_person_labels(rows: Iterable[Any]) -> list[Any]:
    """History rows (anything with ``actor``), each given ``actor_label`` (one query)."""
    listed = list(rows)
    labels = person_labels(str(getattr(row, "actor", "") or "") for row in listed)
    for row in listed:
        actor = str(getattr(row, "actor", "") or "")
        row.actor_label = labels.get(actor, actor)
    return listed
