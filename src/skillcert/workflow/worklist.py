"""What a person can do now, across every workflow (``GET /api/v1/worklist``, home pages)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from skillcert.audit.service import Actor, signed_in
from skillcert.workflow.machine import machines

FAR = dt.date.max


def worklist(user: Actor | None) -> list[dict[str, Any]]:
    """One item per object on which ``user`` has the step its workflow waits for, earliest
    due first (undated last); each machine's candidates are the objects the user may read
    in states that wait for someone, and its duties what the user owes with no object yet."""
    items: list[dict[str, Any]] = []
    if not signed_in(user):
        return items
    for machine in machines().values():
        for obj in machine.worklist_candidates(user) if machine.worklist_candidates else ():
            item = machine.work_item(obj, user)
            if item is not None:
                items.append(item)
        if machine.duties is not None:
            items.extend(machine.duties(user))
    items.sort(key=lambda i: (i["due"] or FAR, i["type"], i["id"]))
    return items


def counts(items: list[dict[str, Any]]) -> dict[str, int]:
    return dict(Counter(item["type"] for item in items))
