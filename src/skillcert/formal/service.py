"""Issuing formal documents (domain.md §9). ``issue`` runs inside the caller's transaction:
the document, its 文号 and its audit entry commit with the step that issued it."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from skillcert.accounts.models import Authority
from skillcert.audit import service as audit
from skillcert.formal.models import DocumentCounter, FormalDocument
from skillcert.rules import clock


def document_prefix(authority: Authority) -> str:
    """The 文号's issuing-organ part: 皖人社认 for the province, <city short name>人社认."""
    if authority.is_province:
        return "皖人社认"
    return f"{authority.name[:1]}人社认"


def next_number(authority: Authority, year: int) -> tuple[str, int]:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("文号 are taken inside the transaction that issues the document")
    counter, _ = DocumentCounter.objects.select_for_update().get_or_create(
        authority=authority, year=year
    )
    counter.last_serial += 1
    counter.save(update_fields=["last_serial"])
    serial = counter.last_serial
    return f"{document_prefix(authority)}〔{year}〕{serial}号", serial


def issue(
    kind: str,
    *,
    authority: Authority,
    recipient: str,
    subject: str,
    body: Sequence[str],
    actor: Any,
    title: str | None = None,
) -> FormalDocument:
    """Issue a document of ``kind`` (a ``DocumentKind``) on ``subject`` ("filing:12")."""
    from skillcert.formal.models import DocumentKind

    today = clock.today()
    number, serial = next_number(authority, today.year)
    document = FormalDocument.objects.create(
        code=secrets.token_urlsafe(12),
        kind=kind,
        number=number,
        year=today.year,
        serial=serial,
        authority=authority,
        recipient=recipient,
        subject=subject,
        title=title or DocumentKind(kind).label,
        body=list(body),
        issued_on=today,
        issued_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        actor=actor,
        action="formal.document.issued",
        obj=document,
        after={"number": number, "kind": kind, "subject": subject},
    )
    return document


def documents_of(subject: str) -> list[FormalDocument]:
    return list(FormalDocument.objects.filter(subject=subject).select_related("authority"))
