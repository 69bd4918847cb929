"""Who may report to the national query system, and what they may ask for.

The province department and center for any batch or period (and ``skillcert national`` on
the command line); a city center for the batches held in its city. Organizations do not
report to the national system.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from skillcert.accounts.models import User
from skillcert.accounts.roles import Role
from skillcert.assessment.access import batches_for
from skillcert.assessment.models import Batch
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.certificates.inputs import NationalExportRequest
from skillcert.certificates.models import NationalExport, NationalExportKind
from skillcert.rules import clock
from skillcert.rules.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from skillcert.rules.inputs import Body

PROVINCE_REPORTERS = frozenset({Role.PROVINCE_DEPT, Role.PROVINCE_CENTER})

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _is_system(actor: Actor) -> bool:
    return isinstance(actor, audit.ActorRef) and actor.role == "system"


def _authority_id(actor: Actor) -> int | None:
    """The authority a user acts for; None for everyone else (the system, the public)."""
    return actor.authority_id if isinstance(actor, User) else None


def _province_wide(actor: Actor) -> bool:
    return _is_system(actor) or getattr(actor, "role", None) in PROVINCE_REPORTERS


def check_may_report(actor: Actor) -> None:
    """Province department and center, city centers, and the command line; nobody else."""
    if _is_system(actor):
        return
    if not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated("请先登录", code="not_authenticated")
    if not (_province_wide(actor) or getattr(actor, "role", None) == Role.CITY_CENTER):
        raise Forbidden(
            "只有省人社厅、省鉴定中心和市鉴定中心可以向全国联网查询系统上报证书信息",
            code="forbidden",
        )


def exports_for(actor: Actor) -> QuerySet[NationalExport]:
    """The province sees every export; a city center the batch exports of its city's batches."""
    everything = NationalExport.objects.select_related("batch", "created_by")
    if _province_wide(actor):
        return everything
    city = _authority_id(actor)
    if getattr(actor, "role", None) == Role.CITY_CENTER and city:
        return everything.filter(kind=NationalExportKind.BATCH, batch__site_city_id=city)
    return everything.none()


def get_export_for_user(actor: Actor, pk: int) -> NationalExport:
    check_may_report(actor)
    export = exports_for(actor).filter(pk=pk).first()
    if export is None:
        raise NotFound("未找到该上报记录", code="not_found")
    return export


def _batch_for(actor: Actor, batch: Batch | int) -> Batch:
    """The batch, if the actor may report it: any batch for the province; for a city center
    the batches held in its city (those it supervises and receives the results of)."""
    pk = batch.pk if isinstance(batch, Batch) else batch
    visible = Batch.objects.all() if _is_system(actor) else batches_for(actor)
    found = visible.filter(pk=pk).first()
    if found is None:
        raise NotFound("未找到该认定批次", code="not_found")
    if not _province_wide(actor) and found.site_city_id != _authority_id(actor):
        raise Forbidden("市鉴定中心只能上报在本市实施的认定批次", code="forbidden")
    return found


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


def parse_export_request(data: object) -> ExportRequest:
    """``{"batch": id}``, ``{"from": date, "to": date}`` or ``{"changes": true}``: one of them."""
    body = Body(NationalExportRequest, data)
    if not body.is_object:
        raise InvalidInput("请求内容应为 JSON 对象")

    def given(key: str) -> bool:
        return body.get(key) not in (None, "", False)

    by_batch = given("batch")
    by_period = given("from") or given("to")
    by_changes = given("changes")
    if by_changes and body.get("changes") is not True:
        raise InvalidInput.for_field("changes", "changes 应为 true")
    if by_batch + by_period + by_changes != 1:
        message = "请指定批次（batch）、发证日期时间段（from、to）或状态变更（changes）之一"
        raise InvalidInput(message, fields={"batch": [message]})
    if by_batch:
        return ExportRequest(batch=parse_batch_id(body["batch"]))
    if by_changes:
        return ExportRequest(changes=True)
    return ExportRequest(period=parse_period(body.get("from"), body.get("to")))
