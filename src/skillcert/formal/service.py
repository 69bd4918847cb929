"""Issuing formal documents (domain.md §9). ``issue`` runs inside the caller's transaction:
the document, its 文号 and its audit entry commit with the step that issued it."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from skillcert.accounts.models import Authority
from skillcert.audit import service as audit
from skillcert.formal.models import DocumentCounter, DocumentStatus, FormalDocument
from skillcert.formal.seals import current_seal
from skillcert.rules import clock
from skillcert.rules import document_numbers as numbers
from skillcert.rules.errors import Conflict, InvalidInput, NotFound


def document_prefix(authority: Authority) -> str:
    """The 文号's issuing-organ part: 皖人社认 for the province, <city short name>人社认
    (``rules.document_numbers``: 合肥 合, 安庆 宜, 淮南 淮, 淮北 淮北 …)."""
    return numbers.document_prefix(is_province=authority.is_province, name=authority.name)


def authority_name(authority: Authority) -> str:
    """The issuing department's full name (合肥市人力资源和社会保障局)."""
    return numbers.authority_full_name(is_province=authority.is_province, name=authority.name)


def next_number(authority: Authority, year: int) -> tuple[str, int]:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("文号 are taken inside the transaction that issues the document")
    counter, _ = DocumentCounter.objects.select_for_update().get_or_create(
        authority=authority, year=year
    )
    counter.last_serial += 1
    counter.save(update_fields=["last_serial"])
    serial = counter.last_serial
    return numbers.document_number(document_prefix(authority), year, serial), serial


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
        # The seal in force when it is issued stays the one it carries.
        seal=current_seal(authority),
    )
    audit.record(
        actor=actor,
        action="formal.document.issued",
        obj=document,
        after={"number": number, "kind": kind, "subject": subject},
    )
    return document


def documents_of(subject: str) -> list[FormalDocument]:
    """The documents issued on ``subject`` ("filing:12"), the newest first."""
    return list(FormalDocument.objects.filter(subject=subject).select_related("authority"))


def latest_document(subject: str, kind: str) -> FormalDocument | None:
    """The document of ``kind`` issued last on ``subject`` (the 备案回执 of "filing:12")."""
    return (
        FormalDocument.objects.filter(subject=subject, kind=kind)
        .select_related("authority", "seal")
        .order_by("-pk")
        .first()
    )


def revoke(document: FormalDocument, *, note: str, actor: Any) -> FormalDocument:
    """Mark a document 已撤销 (its public page says so from then on); a reason is required,
    a document no longer valid is 409. Runs in the caller's transaction when there is one."""
    return _end(document, DocumentStatus.REVOKED, note=note, actor=actor)


def lapse(document: FormalDocument, *, note: str, actor: Any) -> FormalDocument:
    """Mark a document 已失效: what it records no longer holds (the filing a receipt records
    expired, or its organization was merged into another), though nobody revoked it."""
    return _end(document, DocumentStatus.EXPIRED, note=note, actor=actor)


def _end(document: FormalDocument, status: str, *, note: str, actor: Any) -> FormalDocument:
    note = (note or "").strip()
    if not note:
        raise InvalidInput.for_field("note", "请说明理由")
    with transaction.atomic():
        document = FormalDocument.objects.select_for_update().get(pk=document.pk)
        if document.status != DocumentStatus.VALID:
            raise Conflict(f"该文书{document.get_status_display()}", code="invalid_state")
        document.status = status
        document.status_note = note[:200]
        document.save(update_fields=["status", "status_note"])
        audit.record(
            actor=actor,
            action="formal.document."
            + ("revoked" if status == DocumentStatus.REVOKED else "lapsed"),
            obj=document,
            before={"status": DocumentStatus.VALID},
            after={"status": status, "note": note},
        )
    return document


# --- public verification ------------------------------------------------------------------

NOT_VERIFIABLE = "无法核验该文书：核验码不存在或有误。请核对文书上的二维码或核验码。"


def find_public(code: str) -> FormalDocument:
    """The document with this verification code; NotFound otherwise. An unknown, malformed or
    forged code does the same work (one indexed lookup) and gets the same answer."""
    document = (
        FormalDocument.objects.select_related("authority").filter(code=str(code)[:64]).first()
    )
    if document is None:
        raise NotFound(NOT_VERIFIABLE, code="not_found")
    return document


def public_view(document: FormalDocument) -> dict[str, str]:
    """What anyone may read of a document: ``GET /api/v1/public/documents/{code}``."""
    return {
        "number": document.number,
        "title": document.title,
        "date": document.issued_on.isoformat(),
        "authority": authority_name(document.authority),
        "recipient": document.recipient,
        "status": document.status,
    }
