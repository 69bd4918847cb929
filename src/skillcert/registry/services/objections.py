"""Objections during a publicity (公示期异议) and their resolution."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from skillcert.audit import service as audit
from skillcert.registry.machines import FILING_MACHINE, OBJECTION_MACHINE
from skillcert.registry.models import FilingCase, Objection, ObjectionState
from skillcert.rules import clock
from skillcert.rules.errors import Conflict, InvalidInput, NotFound
from skillcert.rules.workflow import Transition


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
        case = FILING_MACHINE.lock(case.pk)
        try:  # the guard: the publicity still runs (through its last day)
            FILING_MACHINE.check(case, "objections", actor or audit.PUBLIC)
        except Conflict as exc:
            if exc.code == "invalid_state":  # nothing published to object to
                raise NotFound("该申请不在公示期", code="not_found") from None
            raise
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


def check_resolvable(objection: Objection, actor: Any) -> Transition:
    """The ``resolve`` step on the locked objection: 403 for who may not resolve it, 409
    ``already_resolved`` once it is resolved (the code answered before the engine)."""
    try:
        return OBJECTION_MACHINE.check(objection, "resolve", actor)
    except Conflict as exc:
        if exc.code == "invalid_state":
            raise Conflict("该异议已处理", code="already_resolved") from None
        raise


def resolve_filing_objection(
    objection: Objection, *, upheld: Any, reason: Any, actor: Any
) -> Objection:
    """The reviewer resolves an objection; an upheld one ends the case as not selected."""
    if not isinstance(upheld, bool):
        raise InvalidInput.for_field("upheld", "请说明异议是否成立（true 或 false）")
    reason = _text(reason, "reason", "处理意见", 2000)
    OBJECTION_MACHINE.check_party(objection, "resolve", actor)
    with transaction.atomic():
        objection = OBJECTION_MACHINE.lock(objection.pk)
        case = FILING_MACHINE.lock(objection.filing_id)
        resolve = check_resolvable(objection, actor)
        objection.resolution = reason
        objection.resolved_by = actor
        objection.resolved_at = clock.now()
        OBJECTION_MACHINE.move(
            objection,
            resolve,
            actor=actor,
            note=reason,
            outcome=ObjectionState.UPHELD if upheld else ObjectionState.DISMISSED,
            extra_fields=["resolution", "resolved_by", "resolved_at"],
        )
        if upheld:
            transition = FILING_MACHINE.check(case, "uphold-objection", actor)
            case.decision_reason = f"公示期异议成立：{reason}"
            FILING_MACHINE.move(
                case, transition, actor=actor, note=reason, extra_fields=["decision_reason"]
            )
    return objection
