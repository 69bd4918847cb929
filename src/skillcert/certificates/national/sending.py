"""Sending an export through the configured sender, once: an export that was sent is never
sent again; a failed one is marked ``failed`` with the error and may be retried.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from skillcert.audit.service import Actor
from skillcert.certificates.machines import NATIONAL_EXPORT_MACHINE
from skillcert.certificates.models import NationalExport, NationalExportState
from skillcert.certificates.national.access import check_may_report, exports_for
from skillcert.certificates.national.outbox import (
    _sha256_file,
    export_name,
    load_sender,
    sender_path,
)
from skillcert.documents import files
from skillcert.rules import clock
from skillcert.rules.errors import DomainError, NotFound


class SendFailed(DomainError):
    """The sender refused or broke; the export is marked ``failed`` and may be retried."""

    status = 502
    default_code = "send_failed"

    def __init__(self, message: str, *, export: NationalExport) -> None:
        super().__init__(message)
        self.export = export
        self.extra = {"export": export.pk, "state": export.state, "attempts": export.attempts}


@dataclass(frozen=True)
class Delivery:
    export: NationalExport
    sent_now: bool  # False: it had been sent before; nothing was sent again

    @property
    def message(self) -> str:
        export = self.export
        if not self.sent_now:
            when = (
                timezone.localtime(export.sent_at).strftime("%Y-%m-%d %H:%M")
                if export.sent_at
                else ""
            )
            return f"该上报已于 {when} 发送（回执 {export.receipt}），未重复发送"
        return f"已发送（回执 {export.receipt}）"


def deliver(export: NationalExport, *, actor: Actor) -> Delivery:
    """Send an export through the configured sender, once (the workflow's ``send``).

    Already sent: nothing happens (``sent_now`` False). A failure (the sender raised, the file
    is missing or no longer matches its checksum, the sender cannot be loaded) is committed as
    ``failed`` with the error and the attempt counted, then raised as ``SendFailed``.
    """
    check_may_report(actor)
    if not exports_for(actor).filter(pk=export.pk).exists():
        raise NotFound("未找到该上报记录", code="not_found")
    NATIONAL_EXPORT_MACHINE.check_party(export, "send", actor)
    dotted = sender_path()
    with transaction.atomic():
        # The row stays locked while the sender runs: two sends of one export never overlap.
        export = NATIONAL_EXPORT_MACHINE.lock(export.pk)
        if NATIONAL_EXPORT_MACHINE.is_final(export):  # sent: never again, and no refusal
            return Delivery(export, sent_now=False)
        transition = NATIONAL_EXPORT_MACHINE.check(export, "send", actor)
        attempts = export.attempts
        error = _attempt(export, dotted)
        NATIONAL_EXPORT_MACHINE.move(
            export,
            transition,
            actor=actor,
            outcome=NationalExportState.FAILED if error else NationalExportState.SENT,
            note=error,
            before={"attempts": attempts},
            extra_fields=["attempts", "sender", "sent_at", "receipt", "last_error"],
        )
    if error:
        raise SendFailed(f"发送失败（第 {export.attempts} 次），可稍后重试：{error}", export=export)
    return Delivery(export, sent_now=True)


def _attempt(export: NationalExport, dotted: str) -> str:
    """Hand the export's file to the sender named ``dotted``, counting the attempt and
    recording its receipt on ``export`` (unsaved): the error, or "" when it was sent."""
    export.attempts += 1
    export.sender = dotted[:200]
    try:
        with files.local_copy(export_name(export)) as path:
            if path is None:
                raise FileNotFoundError(f"上报文件 {export.file_name} 不存在")
            if _sha256_file(path) != export.sha256:
                raise ValueError(f"上报文件 {export.file_name} 与生成时的校验值不符")
            receipt = str(load_sender(dotted).send(path, export))
    except Exception as exc:  # any failure of the sender is recorded, not lost
        export.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        return export.last_error
    export.sent_at = clock.now()
    export.receipt = receipt[:200]
    export.last_error = ""
    return ""


def send(export: NationalExport, *, actor: Actor) -> NationalExport:
    """Send once (see ``deliver``); an export already sent is returned unchanged."""
    return deliver(export, actor=actor).export


def unsent(actor: Actor) -> QuerySet[NationalExport]:
    """Exports still to send (pending, or failed and to retry), oldest first."""
    sendable = NATIONAL_EXPORT_MACHINE.workflow.sources_of("send")
    return exports_for(actor).filter(state__in=sendable).order_by("pk")
