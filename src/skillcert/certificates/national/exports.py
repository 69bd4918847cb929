"""Making 附件5 exports of issued certificates, and changes exports of those revoked or
corrected after they were reported: each certificate is reported once, each key gives one
file (see the package's docstring).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from skillcert.accounts.actors import user_or_none
from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.assessment.models import Batch
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.certificates.annex5 import (
    write_annex5_for_certificates,
    write_changes_for_certificates,
)
from skillcert.certificates.models import (
    Certificate,
    CertificateStatus,
    NationalChangeItem,
    NationalExport,
    NationalExportItem,
    NationalExportKind,
)
from skillcert.certificates.national.access import (
    _batch_for,
    _check_period,
    _joined,
    _province_wide,
    check_may_report,
)
from skillcert.certificates.national.outbox import export_name, store_export
from skillcert.documents import files
from skillcert.rules.errors import Conflict, Forbidden, InvalidInput

ITEM_CHUNK = 2000  # ids fetched and items inserted at a time


@dataclass(frozen=True)
class Prepared:
    export: NationalExport
    created: bool  # False: an export with the same key existed and is returned as it was


def _reportable() -> QuerySet[Certificate]:
    """Valid certificates no export holds yet."""
    return Certificate.objects.filter(status=CertificateStatus.VALID, national_item__isnull=True)


def _changes_to_report() -> QuerySet[Certificate]:
    """Certificates reported as valid and revoked or corrected since, not yet reported so."""
    return Certificate.objects.filter(
        national_item__isnull=False,
        national_change__isnull=True,
        status__in=(CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED),
    )


def changes_pending() -> int:
    """How many reported certificates were revoked or corrected since, not reported so yet."""
    return _changes_to_report().count()


def _file_name(export: NationalExport) -> str:
    if export.kind == NationalExportKind.CHANGES:
        return f"changes-{export.pk:06d}.xlsx"
    if export.kind == NationalExportKind.BATCH:
        scope = f"batch-{export.batch_id}"
    else:
        assert export.period_from is not None and export.period_to is not None
        scope = f"period-{export.period_from:%Y%m%d}-{export.period_to:%Y%m%d}"
    return f"annex5-{export.pk:06d}-{scope}.xlsx"


@dataclass(frozen=True)
class Scope:
    """What an export covers, checked: a batch, a period or the status changes."""

    kind: str
    key: str  # "" for changes: its key is a digest of what it holds, known once listed
    batch: Batch | None = None
    period: tuple[dt.date, dt.date] | None = None

    @property
    def changes(self) -> bool:
        return self.kind == NationalExportKind.CHANGES


def resolve(
    *,
    batch: Batch | int | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    changes: bool = False,
    actor: Actor,
) -> Scope:
    """The scope of an export the actor asks for, or the error that refuses it."""
    check_may_report(actor)
    if (batch is not None) + (period is not None) + changes != 1:
        raise InvalidInput("请指定批次、发证日期时间段或状态变更之一")
    if changes:
        if not _province_wide(actor):
            raise Forbidden("上报证书状态变更由省人社厅或省鉴定中心办理", code="forbidden")
        return Scope(NationalExportKind.CHANGES, "")
    if batch is not None:
        found = _batch_for(actor, batch)
        return Scope(NationalExportKind.BATCH, f"batch:{found.pk}", batch=found)
    assert period is not None
    if not _province_wide(actor):
        raise Forbidden("按时间段上报全省证书由省人社厅或省鉴定中心办理", code="forbidden")
    errors: dict[str, list[str]] = {}
    _check_period(*period, errors)
    if errors:
        raise InvalidInput("上报时间段有误：" + _joined(errors), fields=errors)
    key = f"period:{period[0].isoformat()}:{period[1].isoformat()}"
    return Scope(NationalExportKind.PERIOD, key, period=period)


def certificates_of(scope: Scope) -> QuerySet[Certificate]:
    """The certificates an export of ``scope`` would hold now."""
    if scope.changes:
        return _changes_to_report()
    if scope.batch is not None:
        return _reportable().filter(batch=scope.batch)
    return _reportable().filter(issued_on__range=scope.period)


def prepare(
    *,
    batch: Batch | int | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    changes: bool = False,
    actor: Actor,
) -> Prepared:
    """The export for a batch, a period or the status changes, made now or found (``created``
    says which)."""
    return make(resolve(batch=batch, period=period, changes=changes, actor=actor), actor)


NOTHING_TO_REPORT: dict[str, str] = {
    NationalExportKind.BATCH: "没有可上报的证书：该批次尚未发证，或其有效证书均已上报",
    NationalExportKind.PERIOD: "没有可上报的证书：该时间段内没有尚未上报的有效证书",
    NationalExportKind.CHANGES: (
        "没有可上报的状态变更：已上报的证书此后没有被撤销或更正，或均已上报"
    ),
}


def make(scope: Scope, actor: Actor) -> Prepared:
    """Find the export of the scope's key, or make it: the certificates it holds locked and
    listed once (its items), its file written, all in one transaction. A ``changes`` export's
    key is a digest of the certificates it holds (known once they are listed)."""
    kind, key, batch, period = scope.kind, scope.key, scope.batch, scope.period
    changes = kind == NationalExportKind.CHANGES
    written: str | None = None
    try:
        with transaction.atomic():
            if key:
                existing = NationalExport.objects.select_for_update().filter(key=key).first()
                if existing is not None:
                    return Prepared(existing, created=False)
            if batch is not None:
                # Lock the batch: issuing, correction and a second export of it wait.
                BATCH_MACHINE.lock(batch.pk)
            certificates = certificates_of(scope)
            # Locked, so a revocation or correction waits until the file and items are committed.
            # Streamed into an array of 8-byte ids: a year's export holds a million, which as a
            # fetched list of rows would cost hundreds of MB.
            pks = array(
                "q",
                certificates.select_for_update(of=("self",))
                .order_by("pk")
                .values_list("pk", flat=True)
                .iterator(chunk_size=ITEM_CHUNK),
            )
            if not pks:
                raise Conflict(NOTHING_TO_REPORT[kind], code="nothing_to_report")
            if changes:
                digest = hashlib.sha256(",".join(map(str, pks)).encode()).hexdigest()
                key = f"changes:{digest[:40]}"
            who = audit.actor_ref(actor)
            export = NationalExport.objects.create(
                kind=kind,
                key=key,
                batch=batch,
                period_from=period[0] if period else None,
                period_to=period[1] if period else None,
                file_name="",
                sha256="",
                certificate_count=len(pks),
                created_by=user_or_none(actor),
                created_by_name=who.name,
            )
            _add_items(export, pks, changes=changes)
            with tempfile.TemporaryFile() as content:
                if changes:
                    write_changes_for_certificates(
                        Certificate.objects.filter(national_change__export=export).order_by(
                            "number"
                        ),
                        content,
                    )
                else:
                    write_annex5_for_certificates(
                        Certificate.objects.filter(national_item__export=export).order_by("number"),
                        content,
                    )
                written = _store(export, content, actor)
    except IntegrityError:
        # Another export took the same key or one of these certificates at the same moment.
        if written is not None:
            files.delete(written)
        existing = NationalExport.objects.filter(key=key).first() if key else None
        if existing is not None:
            return Prepared(existing, created=False)
        raise Conflict("另一上报正在同时生成，请稍后重试", code="concurrent_export") from None
    except BaseException:
        if written is not None:
            files.delete(written)
        raise
    return Prepared(export, created=True)


def _add_items(export: NationalExport, pks: Sequence[int], *, changes: bool) -> None:
    """The export's items, ``ITEM_CHUNK`` at a time: ``bulk_create`` makes a list of what it
    is given, and a million model instances would take about a GB."""
    for start in range(0, len(pks), ITEM_CHUNK):
        chunk = pks[start : start + ITEM_CHUNK]
        if changes:
            NationalChangeItem.objects.bulk_create(
                [NationalChangeItem(export=export, certificate_id=pk) for pk in chunk]
            )
        else:
            NationalExportItem.objects.bulk_create(
                [NationalExportItem(export=export, certificate_id=pk) for pk in chunk]
            )


def _store(export: NationalExport, content: IO[bytes], actor: Actor) -> str:
    """Store the export's file (a temporary file, streamed), record its name and checksum,
    audit it; the stored name."""
    export.file_name = _file_name(export)
    digest = hashlib.sha256()
    content.seek(0)
    for block in iter(lambda: content.read(files.CHUNK), b""):
        digest.update(block)
    export.sha256 = digest.hexdigest()
    content.seek(0)
    written = store_export(export_name(export), content)
    try:
        _record_prepared(export, actor)
    except BaseException:
        files.delete(written)  # the transaction rolls back: no file without its row
        raise
    return written


def _record_prepared(export: NationalExport, actor: Actor) -> None:
    export.save(update_fields=["file_name", "sha256"])
    audit.record(
        actor=actor,
        action="certificates.national_export_prepared",
        obj=export,
        after=audit.snapshot(
            export,
            [
                "kind",
                "key",
                "batch",
                "period_from",
                "period_to",
                "file_name",
                "sha256",
                "certificate_count",
                "state",
            ],
        ),
    )


def prepare_export(
    *,
    batch: Batch | int | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    changes: bool = False,
    actor: Actor,
) -> NationalExport:
    """The export for a batch, a period or the status changes; an existing one as it is."""
    return prepare(batch=batch, period=period, changes=changes, actor=actor).export
