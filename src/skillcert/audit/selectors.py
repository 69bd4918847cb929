"""Reading the audit record: for the audit administrator only (三员分立, domain.md §11).

The audit administrator reads, verifies and exports the record and changes nothing; every
other role, the system administrator included, is refused here (not in the views), so the
pages, the API and any later caller answer alike. An export of the record is itself
recorded (``record_export``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.db.models import Q, QuerySet
from django.utils import timezone

from skillcert.audit.chain import verify_chain
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import Actor, record_export, signed_in
from skillcert.documents.xlsx import write_text
from skillcert.rules.errors import Forbidden, InvalidInput, NotAuthenticated

# ``accounts.roles.Role.AUDIT_ADMIN``: audit lies below accounts and names no role type of
# it (a test holds the two equal).
AUDIT_READER_ROLE = "audit_admin"

FILTER_LENGTH = 150  # the width of the actor column; longer filters cannot match
EXPORT_LIMIT = 100_000  # rows in one workbook; narrow the filters for more


def require_audit_reader(actor: Actor | None) -> None:
    """Refuse everyone but the audit administrator: 401 when not signed in, else 403."""
    if not signed_in(actor):
        raise NotAuthenticated("请先登录", code="not_authenticated")
    if actor.role != AUDIT_READER_ROLE:
        raise Forbidden("只有审计管理员可以查阅、校验和导出审计记录", code="forbidden")


@dataclass(frozen=True)
class AuditQuery:
    """The filters of a search: who acted (part of the name, or an account id), the action
    (exact, or a prefix such as ``accounts`` for ``accounts.*``), the days recorded (local
    dates, both ends included)."""

    actor: str = ""
    action: str = ""
    start: dt.date | None = None
    end: dt.date | None = None

    def as_params(self) -> dict[str, str]:
        """The query string that gives this search (for page links and the export)."""
        params = {
            "actor": self.actor,
            "action": self.action,
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
        }
        return {key: value for key, value in params.items() if value}


def parse_query(params: Mapping[str, Any]) -> AuditQuery:
    """``actor``, ``action``, ``from``, ``to`` (``YYYY-MM-DD``) from a query string; bad
    input raises ``InvalidInput`` naming the field."""
    errors: dict[str, list[str]] = {}
    texts: dict[str, str] = {}
    for key in ("actor", "action"):
        value = str(params.get(key) or "").strip()
        if len(value) > FILTER_LENGTH:
            errors[key] = [f"不能超过 {FILTER_LENGTH} 个字符"]
        texts[key] = value
    days: dict[str, dt.date | None] = {}
    for key in ("from", "to"):
        value = str(params.get(key) or "").strip()
        days[key] = None
        if value:
            try:
                days[key] = dt.date.fromisoformat(value)
            except ValueError:
                errors[key] = ["日期格式应为 YYYY-MM-DD"]
            else:
                if len(value) != 10:
                    errors[key] = ["日期格式应为 YYYY-MM-DD"]
    start, end = days["from"], days["to"]
    if start and end and start > end and "to" not in errors:
        errors["to"] = ["结束日期不能早于开始日期"]
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(f"查询条件有误：{first}", fields=errors)
    return AuditQuery(texts["actor"], texts["action"], start, end)


def search(actor: Actor | None, query: AuditQuery) -> QuerySet[AuditEntry]:
    """The entries matching ``query``, newest first (audit administrator only)."""
    require_audit_reader(actor)
    entries = AuditEntry.objects.order_by("-seq")
    if query.actor:
        if query.actor.isdigit():  # an account id (or a name that is exactly these digits)
            who = Q(actor_id=int(query.actor)) | Q(actor=query.actor)
        else:
            who = Q(actor__icontains=query.actor)
        entries = entries.filter(who)
    if query.action:
        entries = entries.filter(
            Q(action=query.action) | Q(action__startswith=f"{query.action.rstrip('.')}.")
        )
    if query.start:
        entries = entries.filter(recorded_at__date__gte=query.start)
    if query.end:
        entries = entries.filter(recorded_at__date__lte=query.end)
    return entries


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:  # stored as canonical JSON; shown as stored if not
        return text


def entry_answer(entry: AuditEntry) -> dict[str, Any]:
    """One entry as the API answers it (``seq``, ``at``, ``actor``, ``action``, ``object``,
    ``before``, ``after``; the actor's account id and role beside)."""
    return {
        "seq": entry.seq,
        "at": entry.recorded_at.isoformat(),
        "business_date": entry.business_date.isoformat(),
        "actor": entry.actor,
        "actor_id": entry.actor_id,
        "actor_role": entry.actor_role,
        "action": entry.action,
        "object": {"type": entry.object_type, "id": entry.object_id},
        "before": _json(entry.before),
        "after": _json(entry.after),
    }


@dataclass(frozen=True)
class ChainCheck:
    """The verification's outcome as the audit administrator reads it."""

    ok: bool
    entries: int
    first_bad: int | None
    reason: str

    def as_answer(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "first_bad": self.first_bad}

    @property
    def message(self) -> str:
        if self.ok:
            return f"审计记录完整：共 {self.entries} 条，逐条校验通过，未发现篡改、删除或插入。"
        if self.first_bad is not None:
            return (
                f"审计记录校验未通过：第 {self.first_bad} 条起与校验链不符"
                f"（此前 {self.entries} 条校验通过），该条或其前后记录可能被篡改、删除或插入。"
            )
        return (
            f"审计记录校验未通过：{self.entries} 条记录本身一致，但与链头记录不符，"
            "末尾的记录可能被删除或在审计服务之外被添加。"
        )


def verify(actor: Actor | None) -> ChainCheck:
    """Check the whole chain (``audit.chain.verify_chain``; audit administrator only)."""
    require_audit_reader(actor)
    result = verify_chain()
    return ChainCheck(result.ok, result.count, result.bad_seq, result.reason)


EXPORT_HEADER = (
    "序号",
    "记录时间",
    "业务日期",
    "操作人",
    "操作人角色",
    "操作",
    "对象",
    "变更前",
    "变更后",
)


CELL_LIMIT = 32_767  # characters an Excel cell holds


def _cell(text: str) -> str:
    """``text`` as one cell holds it: a longer value is cut, and says so."""
    if len(text) <= CELL_LIMIT:
        return text
    mark = "…（内容过长，已截断；完整内容见接口 /api/v1/audit/entries）"
    return text[: CELL_LIMIT - len(mark)] + mark


def export_workbook(actor: Actor | None, query: AuditQuery) -> tuple[bytes, int]:
    """The entries matching ``query`` as an .xlsx (every cell written as text, so nothing in
    the record becomes a formula), and how many rows it holds; the export is recorded."""
    entries = search(actor, query).order_by("seq")
    count = entries.count()
    if count > EXPORT_LIMIT:
        raise InvalidInput(
            f"符合条件的记录有 {count} 条，超过单次导出上限 {EXPORT_LIMIT} 条，请缩小查询范围"
        )
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "border": 1, "bg_color": "#F0F3F7"})
    sheet = book.add_worksheet("审计记录")
    for column, (title, width) in enumerate(
        zip(EXPORT_HEADER, (8, 26, 12, 28, 14, 28, 28, 40, 40), strict=True)
    ):
        sheet.set_column(column, column, width)
        write_text(sheet, 0, column, title, bold)
    for row, entry in enumerate(entries.iterator(chunk_size=2000), start=1):
        values = (
            str(entry.seq),
            timezone.localtime(entry.recorded_at).isoformat(timespec="seconds"),
            entry.business_date.isoformat(),
            entry.actor,
            entry.actor_role,
            entry.action,
            f"{entry.object_type}:{entry.object_id}" if entry.object_id else entry.object_type,
            entry.before,
            entry.after,
        )
        for column, value in enumerate(values):
            write_text(sheet, row, column, _cell(value))
    conditions = book.add_worksheet("查询条件")
    labels = {"actor": "操作人", "action": "操作", "from": "记录日期起", "to": "记录日期止"}
    for row, (key, value) in enumerate(query.as_params().items()):
        write_text(conditions, row, 0, labels[key], bold)
        write_text(conditions, row, 1, value)
    book.close()
    assert signed_in(actor), "search() let only the audit administrator through"
    record_export(
        actor,
        object_type="audit.auditentry",
        what="审计记录导出",
        count=count,
    )
    return buffer.getvalue(), count
