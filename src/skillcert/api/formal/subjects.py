"""Which objects have formal documents, and who may see them: the documents of an object
(and their PDFs) are visible exactly to those who may read the object itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from skillcert.assessment.access import batches_for
from skillcert.audit.service import Actor
from skillcert.registry.access import filings_for, organizations_for
from skillcert.rules.errors import InvalidInput

VISIBLE: dict[str, Callable[[Actor | None], QuerySet[Any]]] = {
    "filing": filings_for,
    "batch": batches_for,
    "organization": organizations_for,
}


def parse_object(value: str | None) -> tuple[str, int]:
    """``"filing:12"`` → ("filing", 12); InvalidInput (400, ``fields.object``) otherwise."""
    kind, _, pk = (value or "").strip().partition(":")
    if kind not in VISIBLE:
        allowed = "、".join(VISIBLE)
        raise InvalidInput.for_field("object", f"对象应写作 类型:编号，类型为 {allowed} 之一")
    if not pk.isdigit() or len(pk) > 18:
        raise InvalidInput.for_field("object", "对象编号应为正整数，如 filing:12")
    return kind, int(pk)


def may_see(user: Actor | None, kind: str, pk: int) -> bool:
    scope = VISIBLE.get(kind)
    return scope is not None and scope(user).filter(pk=pk).exists()


def may_see_subject(user: Actor | None, subject: str) -> bool:
    """Whether ``user`` may see the object a document was issued on ("filing:12")."""
    try:
        kind, pk = parse_object(subject)
    except InvalidInput:
        return False
    return may_see(user, kind, pk)
