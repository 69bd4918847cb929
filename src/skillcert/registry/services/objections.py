"""Objections during a publicity (公示期异议) and their resolution."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from skillcert.audit import service as audit
from skillcert.registry.models import FilingCase, Objection, ObjectionState
from skillcert.registry.services.common import check_transition, lock_case, move_case
from skillcert.registry.workflow import FILING_TRANSITIONS, FilingState, Party
from skillcert.rules import clock
from skillcert.rules.errors import Conflict, Forbidden, InvalidInput, NotFound


def _text(value: Any, field: str, label: str, limit: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput.for_field(field, f"请填写{label}")
    if len(text) > limit:
        raise InvalidInput.for_field(field, f"{label}不能超过 {limit} 个字符")
    return text


def lodge_filing_objection(case: FilingCase, data: Any, *, actor: Any = None) -> Objection:
    """Anyone may object while the publicity runs (through its last day)."""
    if not isinstance(data, dict):
        raise InvalidInput("请求内容应为 JSON 对象")
    content = _text(data.get("content"), "content", "异议内容", 2000)
    contact = _text(data.get("contact"), "contact", "联系方式", 100)
    with transaction.atomic():
        case = lock_case(case.pk)
        if case.state != FilingState.IN_PUBLICITY:
            raise NotFound("该申请不在公示期", code="not_found")
        if clock.today() > case.publicity_end:
            raise Conflict(
                f"公示期已于 {case.publicity_end} 结束，不能再提出异议", code="publicity_ended"
            )
        objection = Objection.objects.create(
            filing=case, subject="filing", content=content, contact=contact
        )
        audit.record(
            actor=actor or audit.PUBLIC,
            action="registry.objection.lodged",
            obj=objection,
            after={"filing": case.pk, "content": content, "contact": contact},
        )
    return objection


def resolve_filing_objection(
    objection: Objection, *, upheld: Any, reason: Any, actor: Any
) -> Objection:
    """The reviewer resolves an objection; an upheld one ends the case as not selected."""
    if not isinstance(upheld, bool):
        raise InvalidInput.for_field("upheld", "请说明异议是否成立（true 或 false）")
    reason = _text(reason, "reason", "处理意见", 2000)
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        case = lock_case(objection.filing_id)
        transition = FILING_TRANSITIONS["uphold-objection"]
        from skillcert.registry.access import parties_for_case

        if Party.REVIEWER not in parties_for_case(actor, case):
            raise Forbidden("您无权处理该异议", code="forbidden")
        if objection.state != ObjectionState.OPEN:
            raise Conflict("该异议已处理", code="already_resolved")
        objection.state = ObjectionState.UPHELD if upheld else ObjectionState.DISMISSED
        objection.resolution = reason
        objection.resolved_by = actor
        objection.resolved_at = clock.now()
        objection.save()
        audit.record(
            actor=actor,
            action="registry.objection.resolved",
            obj=objection,
            before={"state": ObjectionState.OPEN},
            after={"state": objection.state, "reason": reason},
        )
        if upheld:
            check_transition(case, transition.action, actor)
            case.decision_reason = f"公示期异议成立：{reason}"
            move_case(case, transition, actor=actor, note=reason, extra_fields=["decision_reason"])
    return objection
