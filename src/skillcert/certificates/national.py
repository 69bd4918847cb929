"""The national query system (全国联网查询): 附件5 exports of issued certificates and an outbox.

An export (``NationalExport``) is one 附件5 file for a **batch** (key ``batch:42``) or for a
**period** of issue dates (key ``period:2026-11-01:2026-11-30``). It holds the *valid*
certificates in its scope that no earlier export holds: ``NationalExportItem`` is one-to-one on
the certificate, so the database itself refuses to report a certificate twice. A batch
exported and then a period covering it gives a period file without that batch's certificates.
Asking again for the same key returns the entry made the first time (idempotent, one file).

Revoked and superseded certificates are not exported; a corrected certificate's replacement
is a new valid certificate and goes out with a later export (the batch key already exists
once the batch was reported, so by period). A certificate revoked or corrected **after** it was
reported goes out in a **changes** export (``证书状态变更``: number, holder, 撤销 with date and
reason, or 更正 with the new number): ``NationalChangeItem`` is one-to-one on the certificate
(both states are final), so each change is reported once. Its key is a digest of the
certificates it holds, so two officers asking at the same moment get one file.

Files are written under ``settings.DATA_DIR / "national"`` (outside the web root; officers
download them through the API). Sending goes through a pluggable sender, named by
``settings.SKILLCERT_NATIONAL_SENDER`` or the environment variable of the same name (a dotted
path to a class or object with ``send(path, export) -> receipt``); the default
``FolderSender`` copies the file into an outbox folder (``SKILLCERT_NATIONAL_OUTBOX``, else
``DATA_DIR / "national" / "outbox"``) from which a transfer job picks it up. An export that was
sent is never sent again; a failed one is marked ``failed`` with the error and may be retried.

Who: the province department and center for any batch or period (and ``skillcert national``
on the command line); a city center for the batches held in its city. Organizations do not
report to the national system.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from skillcert.accounts.roles import Role
from skillcert.assessment.access import batches_for
from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.assessment.models import Batch
from skillcert.audit import service as audit
from skillcert.certificates.annex5 import annex5_for_certificates, changes_for_certificates
from skillcert.certificates.machines import NATIONAL_EXPORT_MACHINE
from skillcert.certificates.models import (
    Certificate,
    CertificateStatus,
    NationalChangeItem,
    NationalExport,
    NationalExportItem,
    NationalExportKind,
    NationalExportState,
)
from skillcert.env import env_str
from skillcert.rules import clock
from skillcert.rules.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
)

DEFAULT_SENDER = "skillcert.certificates.national.FolderSender"
SENDER_SETTING = "SKILLCERT_NATIONAL_SENDER"
OUTBOX_SETTING = "SKILLCERT_NATIONAL_OUTBOX"
PROVINCE_REPORTERS = frozenset({Role.PROVINCE_DEPT, Role.PROVINCE_CENTER})
FILE_MODE = 0o640
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.xlsx")


class SendFailed(DomainError):
    """The sender refused or broke; the export is marked ``failed`` and may be retried."""

    status = 502
    default_code = "send_failed"

    def __init__(self, message: str, *, export: NationalExport) -> None:
        super().__init__(message)
        self.export = export
        self.extra = {"export": export.pk, "state": export.state, "attempts": export.attempts}


class Sender(Protocol):
    """Delivers one export file; returns a receipt id. Must be idempotent for a file name."""

    def send(self, path: Path, export: NationalExport) -> str: ...


@dataclass(frozen=True)
class Prepared:
    export: NationalExport
    created: bool  # False: an export with the same key existed and is returned as it was


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


# Where files go -----------------------------------------------------------------------------


def export_dir() -> Path:
    """``DATA_DIR / "national"``: the export files, outside the web root."""
    return Path(settings.DATA_DIR) / "national"


def outbox_dir() -> Path:
    configured = getattr(settings, OUTBOX_SETTING, "") or env_str(OUTBOX_SETTING)
    if configured:
        return Path(configured).expanduser().resolve()
    return export_dir() / "outbox"


def export_path(export: NationalExport) -> Path:
    if not _SAFE_NAME.fullmatch(export.file_name):  # never a path from the database
        raise NotFound("上报文件不存在", code="file_missing")
    return export_dir() / export.file_name


def sender_path() -> str:
    return getattr(settings, SENDER_SETTING, "") or env_str(SENDER_SETTING) or DEFAULT_SENDER


def load_sender(dotted: str) -> Sender:
    """The class (instantiated without arguments) or object named by ``dotted``."""
    target = import_string(dotted)
    sender = target() if isinstance(target, type) else target
    if not callable(getattr(sender, "send", None)):
        raise TypeError(f"{dotted} 没有 send(path, export) 方法")
    return sender


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_atomically(folder: Path, name: str, content: bytes | Path) -> Path:
    """Write ``content`` (bytes, or a file to copy) as ``folder / name``: a temporary file in
    the same folder, flushed to disk, then renamed, so a reader never sees half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            if isinstance(content, Path):
                with content.open("rb") as source:
                    for block in iter(lambda: source.read(1 << 20), b""):
                        out.write(block)
            else:
                out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, FILE_MODE)
        target = folder / name
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


class FolderSender:
    """The default sender: copies the file into the outbox folder, atomically.

    Idempotent: when the outbox already holds the same file name with the same content, nothing
    is copied and the same receipt is returned; a different file under that name is refused
    (never overwritten).
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or outbox_dir()

    def send(self, path: Path, export: NationalExport) -> str:
        target = self.folder / path.name
        digest = export.sha256 or _sha256_file(path)
        receipt = f"outbox:{path.name}:{digest[:12]}"
        if target.exists():
            if _sha256_file(target) != digest:
                raise FileExistsError(f"发件箱中已有同名但内容不同的文件 {path.name}，未覆盖")
            return receipt
        _write_atomically(self.folder, path.name, path)
        return receipt


# Who ----------------------------------------------------------------------------------------


def _is_system(actor: Any) -> bool:
    return isinstance(actor, audit.ActorRef) and actor.role == "system"


def _province_wide(actor: Any) -> bool:
    return _is_system(actor) or getattr(actor, "role", None) in PROVINCE_REPORTERS


def check_may_report(actor: Any) -> None:
    """Province department and center, city centers, and the command line; nobody else."""
    if _is_system(actor):
        return
    if not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated("请先登录", code="not_authenticated")
    if not (_province_wide(actor) or actor.role == Role.CITY_CENTER):
        raise Forbidden(
            "只有省人社厅、省鉴定中心和市鉴定中心可以向全国联网查询系统上报证书信息",
            code="forbidden",
        )


def exports_for(actor: Any) -> QuerySet[NationalExport]:
    """The province sees every export; a city center the batch exports of its city's batches."""
    everything = NationalExport.objects.select_related("batch", "created_by")
    if _province_wide(actor):
        return everything
    if getattr(actor, "role", None) == Role.CITY_CENTER and actor.authority_id:
        return everything.filter(
            kind=NationalExportKind.BATCH, batch__site_city_id=actor.authority_id
        )
    return everything.none()


def get_export_for_user(actor: Any, pk: int) -> NationalExport:
    check_may_report(actor)
    export = exports_for(actor).filter(pk=pk).first()
    if export is None:
        raise NotFound("未找到该上报记录", code="not_found")
    return export


def _batch_for(actor: Any, batch: Batch | int) -> Batch:
    """The batch, if the actor may report it: any batch for the province; for a city center
    the batches held in its city (those it supervises and receives the results of)."""
    pk = batch.pk if isinstance(batch, Batch) else batch
    visible = Batch.objects.all() if _is_system(actor) else batches_for(actor)
    found = visible.filter(pk=pk).first()
    if found is None:
        raise NotFound("未找到该认定批次", code="not_found")
    if not _province_wide(actor) and found.site_city_id != actor.authority_id:
        raise Forbidden("市鉴定中心只能上报在本市实施的认定批次", code="forbidden")
    return found


# Input --------------------------------------------------------------------------------------


def _date(value: Any, field: str, errors: dict[str, list[str]]) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        errors.setdefault(field, []).append("请填写日期（YYYY-MM-DD）")
        return None
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.setdefault(field, []).append(f"「{text}」不是 YYYY-MM-DD 格式的日期")
        return None


def _check_period(start: dt.date, end: dt.date, errors: dict[str, list[str]]) -> None:
    if start > end:
        errors.setdefault("to", []).append("截止日期不能早于起始日期")
    elif end > clock.today():
        # A period reaching into the future would be answered later by the same key, without
        # the certificates issued meanwhile.
        errors.setdefault("to", []).append("截止日期不能晚于今天")


def _joined(errors: dict[str, list[str]]) -> str:
    return "；".join(message for messages in errors.values() for message in messages)


def parse_period(start: Any, end: Any) -> tuple[dt.date, dt.date]:
    """``from`` and ``to`` as dates (YYYY-MM-DD), ``from <= to <= today``."""
    errors: dict[str, list[str]] = {}
    first = _date(start, "from", errors)
    last = _date(end, "to", errors)
    if first is not None and last is not None:
        _check_period(first, last, errors)
    if errors:
        raise InvalidInput("上报时间段有误：" + _joined(errors), fields=errors)
    assert first is not None and last is not None
    return first, last


def parse_batch_id(value: Any) -> int:
    text = (
        str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    )
    if not text.isdigit() or int(text) < 1:
        raise InvalidInput.for_field("batch", "批次编号应为正整数")
    return int(text)


@dataclass(frozen=True)
class ExportRequest:
    batch: int | None = None
    period: tuple[dt.date, dt.date] | None = None
    changes: bool = False


def parse_export_request(data: Any) -> ExportRequest:
    """``{"batch": id}``, ``{"from": date, "to": date}`` or ``{"changes": true}``: one of them."""
    if not isinstance(data, dict):
        raise InvalidInput("请求内容应为 JSON 对象")

    def given(key: str) -> bool:
        return data.get(key) not in (None, "", False)

    by_batch = given("batch")
    by_period = given("from") or given("to")
    by_changes = given("changes")
    if by_changes and data.get("changes") is not True:
        raise InvalidInput.for_field("changes", "changes 应为 true")
    if by_batch + by_period + by_changes != 1:
        message = "请指定批次（batch）、发证日期时间段（from、to）或状态变更（changes）之一"
        raise InvalidInput(message, fields={"batch": [message]})
    if by_batch:
        return ExportRequest(batch=parse_batch_id(data["batch"]))
    if by_changes:
        return ExportRequest(changes=True)
    return ExportRequest(period=parse_period(data.get("from"), data.get("to")))


# Exports ------------------------------------------------------------------------------------


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


def prepare(
    *,
    batch: Batch | int | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    changes: bool = False,
    actor: Any,
) -> Prepared:
    """The export for a batch, a period or the status changes, made now or found (``created``
    says which)."""
    check_may_report(actor)
    if (batch is not None) + (period is not None) + changes != 1:
        raise InvalidInput("请指定批次、发证日期时间段或状态变更之一")
    if changes:
        return _prepare_changes(actor)
    found_batch: Batch | None = None
    if batch is not None:
        found_batch = _batch_for(actor, batch)
        key = f"batch:{found_batch.pk}"
    else:
        assert period is not None
        if not _province_wide(actor):
            raise Forbidden("按时间段上报全省证书由省人社厅或省鉴定中心办理", code="forbidden")
        errors: dict[str, list[str]] = {}
        _check_period(*period, errors)
        if errors:
            raise InvalidInput("上报时间段有误：" + _joined(errors), fields=errors)
        key = f"period:{period[0].isoformat()}:{period[1].isoformat()}"
    return _make_export(
        actor,
        kind=NationalExportKind.BATCH if found_batch else NationalExportKind.PERIOD,
        key=key,
        batch=found_batch,
        period=period,
    )


NOTHING_TO_REPORT = {
    NationalExportKind.BATCH: "没有可上报的证书：该批次尚未发证，或其有效证书均已上报",
    NationalExportKind.PERIOD: "没有可上报的证书：该时间段内没有尚未上报的有效证书",
    NationalExportKind.CHANGES: (
        "没有可上报的状态变更：已上报的证书此后没有被撤销或更正，或均已上报"
    ),
}


def _make_export(
    actor: Any,
    *,
    kind: str,
    key: str = "",
    batch: Batch | None = None,
    period: tuple[dt.date, dt.date] | None = None,
) -> Prepared:
    """Find the export of ``key``, or make it: the certificates it holds locked and listed
    once (its items), its file written, all in one transaction. A ``changes`` export's key is
    a digest of the certificates it holds (known once they are listed)."""
    changes = kind == NationalExportKind.CHANGES
    written: Path | None = None
    try:
        with transaction.atomic():
            if key:
                existing = NationalExport.objects.select_for_update().filter(key=key).first()
                if existing is not None:
                    return Prepared(existing, created=False)
            if changes:
                certificates = _changes_to_report()
            elif batch is not None:
                # Lock the batch: issuing, correction and a second export of it wait.
                BATCH_MACHINE.lock(batch.pk)
                certificates = _reportable().filter(batch=batch)
            else:
                certificates = _reportable().filter(issued_on__range=period)
            # Locked, so a revocation or correction waits until the file and items are committed.
            pks = list(
                certificates.select_for_update(of=("self",))
                .order_by("pk")
                .values_list("pk", flat=True)
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
                created_by=actor if who.id is not None else None,
                created_by_name=who.name,
            )
            item = NationalChangeItem if changes else NationalExportItem
            item.objects.bulk_create(
                (item(export=export, certificate_id=pk) for pk in pks), batch_size=2000
            )
            if changes:
                content = changes_for_certificates(
                    Certificate.objects.filter(national_change__export=export).order_by("number")
                )
            else:
                content = annex5_for_certificates(
                    Certificate.objects.filter(national_item__export=export).order_by("number")
                )
            written = _store(export, content, actor)
    except IntegrityError:
        # Another export took the same key or one of these certificates at the same moment.
        if written is not None:
            written.unlink(missing_ok=True)
        existing = NationalExport.objects.filter(key=key).first() if key else None
        if existing is not None:
            return Prepared(existing, created=False)
        raise Conflict("另一上报正在同时生成，请稍后重试", code="concurrent_export") from None
    except BaseException:
        if written is not None:
            written.unlink(missing_ok=True)
        raise
    return Prepared(export, created=True)


def _store(export: NationalExport, content: bytes, actor: Any) -> Path:
    """Write the export's file, record its name and checksum, audit it; the path written."""
    export.file_name = _file_name(export)
    export.sha256 = hashlib.sha256(content).hexdigest()
    written = _write_atomically(export_dir(), export.file_name, content)
    try:
        _record_prepared(export, actor)
    except BaseException:
        written.unlink(missing_ok=True)  # the transaction rolls back: no file without its row
        raise
    return written


def _record_prepared(export: NationalExport, actor: Any) -> None:
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


def _prepare_changes(actor: Any) -> Prepared:
    """The revocations and corrections of reported certificates not reported yet, in one file
    (province only: the national system is told by the province)."""
    if not _province_wide(actor):
        raise Forbidden("上报证书状态变更由省人社厅或省鉴定中心办理", code="forbidden")
    return _make_export(actor, kind=NationalExportKind.CHANGES)


def prepare_export(
    *,
    batch: Batch | int | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    changes: bool = False,
    actor: Any,
) -> NationalExport:
    """The export for a batch, a period or the status changes; an existing one as it is."""
    return prepare(batch=batch, period=period, changes=changes, actor=actor).export


# Sending ------------------------------------------------------------------------------------


def deliver(export: NationalExport, *, actor: Any) -> Delivery:
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
        path = export_path(export)
        if not path.is_file():
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


def send(export: NationalExport, *, actor: Any) -> NationalExport:
    """Send once (see ``deliver``); an export already sent is returned unchanged."""
    return deliver(export, actor=actor).export


def unsent(actor: Any) -> QuerySet[NationalExport]:
    """Exports still to send (pending, or failed and to retry), oldest first."""
    sendable = NATIONAL_EXPORT_MACHINE.workflow.sources_of("send")
    return exports_for(actor).filter(state__in=sendable).order_by("pk")
