"""Objections during a publicity (公示期异议) and their resolution, for both things one may
object to: a filing case in its publicity (三 (二)) and a batch's result publicity (五 (三)).

One lodge and one resolve service. They live at the assessment level because they reach both
subjects' workflows: registry (below) owns the ``Objection`` model and its workflow, and
knows who resolves an objection from the subject's own machine (``machine_for``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from skillcert.accounts.actors import acting_user
from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.assessment.models import Batch
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.registry.inputs import ObjectionRequest
from skillcert.registry.machines import FILING_MACHINE, OBJECTION_MACHINE
from skillcert.registry.models import FilingCase, Notice, NoticeKind, Objection, ObjectionState
from skillcert.rules import clock
from skillcert.rules.errors import Conflict, DomainError, InvalidInput, NotFound
from skillcert.rules.inputs import Body
from skillcert.rules.workflow import Transition
from skillcert.workflow.machine import Machine, machine_for

Subject = FilingCase | Batch


def _text(value: Any, label: str, limit: int) -> tuple[str, str | None]:
    """The stripped text and what is wrong with it (None: nothing)."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return text, f"请填写{label}"
    if len(text) > limit:
        return text, f"{label}不能超过 {limit} 个字符"
    return text, None


def _lodged(data: object) -> tuple[str, str]:
    """The objection's content and contact, or 400 naming every wrong field."""
    body = Body(ObjectionRequest, data)
    if not body.is_object:
        raise InvalidInput("请求内容应为 JSON 对象")
    content, content_error = _text(body.get("content"), "异议内容", 2000)
    contact, contact_error = _text(body.get("contact"), "联系方式", 100)
    fields = {
        field: [error]
        for field, error in (("content", content_error), ("contact", contact_error))
        if error is not None
    }
    if fields:
        raise InvalidInput(next(iter(fields.values()))[0], fields=fields)
    return content, contact


def _not_in_publicity(subject: Subject, exc: Conflict) -> DomainError:
    """The answer to an objection the subject's ``objections`` step refused. Not in its
    publicity: answered like an absent one (404), except a batch whose results were published
    and whose publicity time (or a person) has since moved on (409 ``publicity_ended``)."""
    if exc.code != "invalid_state":
        return exc  # the guard: the publicity's last day has passed
    if isinstance(subject, FilingCase):
        return NotFound("该申请不在公示期", code="not_found")
    if subject.publicity_end is None:  # no results published to object to
        return NotFound("该批次不在结果公示期", code="not_found")
    return Conflict(f"公示期已于 {subject.publicity_end} 结束", code="publicity_ended")


def lodge_objection(subject: Subject, data: object, *, actor: Actor | None = None) -> Objection:
    """Anyone may object while the publicity runs (through its last day)."""
    content, contact = _lodged(data)
    who = actor or audit.PUBLIC
    machine: Machine[Any] = machine_for(subject)
    with transaction.atomic():
        subject = machine.lock(subject.pk)
        try:
            machine.check(subject, "objections", who)
        except Conflict as exc:
            raise _not_in_publicity(subject, exc) from None
        if isinstance(subject, FilingCase):
            objection = Objection.objects.create(filing=subject, content=content, contact=contact)
            # The contact (a name and a phone) stays on the objection, sealed; not in the audit.
            action, after = "registry.objection.lodged", {"filing": subject.pk}
        else:
            objection = Objection.objects.create(batch=subject, content=content, contact=contact)
            action, after = "assessment.objection.lodged", {"batch": subject.pk}
        audit.record(actor=who, action=action, obj=objection, after={**after, "content": content})
    return objection


def check_resolvable(objection: Objection, actor: Actor) -> Transition:
    """The ``resolve`` step on the locked objection: 403 for who may not resolve it, 409
    ``already_resolved`` once it is resolved (the code answered before the engine)."""
    try:
        return OBJECTION_MACHINE.check(objection, "resolve", actor)
    except Conflict as exc:
        if exc.code == "invalid_state":
            raise Conflict("该异议已处理", code="already_resolved") from None
        raise


def resolve_objection(objection: Objection, *, upheld: Any, reason: Any, actor: Actor) -> Objection:
    """Who handles the publicity resolves the objection (the filing's reviewer; the batch's
    site-city center and bureau, or the province). Upheld, it drives the subject's
    ``uphold-objection`` step: the case ends as not selected, or the batch's results go back
    to be corrected and published again. Dismissed, a batch's publicity may close."""
    if not isinstance(upheld, bool):
        raise InvalidInput.for_field("upheld", "请说明异议是否成立（true 或 false）")
    text, error = _text(reason, "处理意见", 2000)
    if error is not None:
        raise InvalidInput.for_field("reason", error)
    OBJECTION_MACHINE.check_party(objection, "resolve", actor)
    with transaction.atomic():
        objection = OBJECTION_MACHINE.lock(objection.pk)
        if objection.filing_id is not None:
            subject: Subject = FILING_MACHINE.lock(objection.filing_id)
        else:
            assert objection.batch_id is not None, "an objection has one subject"
            # As stored: the open objection holds its publicity from closing.
            subject = BATCH_MACHINE.lock_plain(objection.batch_id)
        resolve = check_resolvable(objection, actor)
        objection.resolution = text
        objection.resolved_by = acting_user(actor)
        objection.resolved_at = clock.now()
        OBJECTION_MACHINE.move(
            objection,
            resolve,
            actor=actor,
            note=text,
            outcome=ObjectionState.UPHELD if upheld else ObjectionState.DISMISSED,
            extra_fields=["resolution", "resolved_by", "resolved_at"],
        )
        if isinstance(subject, FilingCase):
            if upheld:
                _uphold_on_filing(subject, text, actor)
        elif upheld:
            _uphold_on_batch(subject, text, actor)
        else:
            BATCH_MACHINE.catch_up(subject)  # the last open objection may have held it
    return objection


def _uphold_on_filing(case: FilingCase, reason: str, actor: Actor) -> None:
    transition = FILING_MACHINE.check(case, "uphold-objection", actor)
    case.decision_reason = f"公示期异议成立：{reason}"
    FILING_MACHINE.move(
        case, transition, actor=actor, note=reason, extra_fields=["decision_reason"]
    )


def _uphold_on_batch(batch: Batch, reason: str, actor: Actor) -> None:
    """The results go back for correction: the notice ends today, the publicity is undone."""
    transition = BATCH_MACHINE.check(batch, "uphold-objection", actor)
    Notice.objects.filter(
        kind=NoticeKind.RESULT_PUBLICITY, subject_id=batch.pk, ends_on__gt=clock.today()
    ).update(ends_on=clock.today())
    batch.publicity_start = None
    batch.publicity_end = None
    BATCH_MACHINE.move(
        batch,
        transition,
        actor=actor,
        note=f"异议成立：{reason}",
        extra_fields=["publicity_start", "publicity_end"],
    )
