"""Inspections of drawn targets: findings per stage, a conclusion, follow-up, publication.

Every step is checked and applied through the supervision machines (``INSPECTION``,
``RECTIFICATION``); the refusals keep the words the pages and clients know."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from pathlib import Path
from typing import Any

from django.db import transaction

from skillcert.accounts.actors import acting_user
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.documents import files
from skillcert.registry.services.materials import check_file, read_upload, sniff
from skillcert.rules import clock
from skillcert.rules.errors import Conflict, InvalidInput
from skillcert.rules.inputs import Body
from skillcert.rules.workflow import Refusal
from skillcert.supervision.inputs import FindingRequest, InspectionConclusion
from skillcert.supervision.machines import (
    INSPECTION_MACHINE,
    RECTIFICATION_MACHINE,
    check_in_words,
)
from skillcert.supervision.models import (
    Conclusion,
    Finding,
    Inspection,
    InspectionState,
    Rectification,
    RectificationState,
)
from skillcert.supervision.workflow import INSPECTION

EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def _text(value: Any, field: str, label: str, limit: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput.for_field(field, f"请填写{label}")
    if len(text) > limit:
        raise InvalidInput.for_field(field, f"{label}不能超过 {limit} 个字符")
    return text


_AFTER_CONCLUSION = (InspectionState.CONCLUDED, InspectionState.PUBLISHED)
_CONCLUDED_ALREADY = Refusal("invalid_state", "该检查已出结论，不能再记录检查情况")
_ENDED_ALREADY = Refusal("invalid_state", "该检查已终止（认定计划已撤回），无需再检查")


def record_finding(
    inspection: Inspection, data: object, *, attachment: Any = None, actor: Actor
) -> Finding:
    """A finding of a stage, by an inspector assigned to this inspection while it is open
    (with an attachment: PDF, JPEG or PNG, checked by content)."""
    INSPECTION_MACHINE.check_party(inspection, "findings", actor)
    body = Body(FindingRequest, data)
    stage = _text(body.get("stage"), "stage", "检查环节", 100)
    text = _text(body.get("findings"), "findings", "发现情况", 5000)
    content = None
    kind = ""  # the attachment's content type
    if attachment is not None:
        content = read_upload(attachment)
        sniffed = sniff(content[:16])
        if sniffed is None:
            raise InvalidInput.for_field(
                "attachment", "附件仅支持 PDF、JPEG 或 PNG（按文件内容识别）"
            )
        kind = sniffed
        try:
            check_file(content, kind)
        except InvalidInput as exc:
            raise InvalidInput.for_field("attachment", exc.message) from None
    with transaction.atomic():
        inspection = INSPECTION_MACHINE.lock(inspection.pk)
        check_in_words(
            INSPECTION_MACHINE,
            inspection,
            "findings",
            actor,
            {
                **{state: _CONCLUDED_ALREADY for state in _AFTER_CONCLUSION},
                InspectionState.ENDED: _ENDED_ALREADY,
            },
        )
        stored = ""
        if content is not None:
            stored = f"inspections/{inspection.pk}/{uuid.uuid4().hex}{EXTENSIONS[kind]}"
            files.save(stored, content)
        try:
            finding = _record_finding(
                inspection, stage, text, attachment, content, stored, actor=actor
            )
        except Exception:
            files.delete(stored)  # the transaction rolls back: no file without its row
            raise
    return finding


def _record_finding(
    inspection: Inspection,
    stage: str,
    text: str,
    attachment: Any,
    content: bytes | None,
    stored: str,
    *,
    actor: Actor,
) -> Finding:
    finding = Finding.objects.create(
        inspection=inspection,
        stage=stage,
        text=text,
        attachment_name=Path(getattr(attachment, "name", "") or "").name[:200] if content else "",
        attachment_stored=stored,
        recorded_by=acting_user(actor),
    )
    audit.record(
        actor=actor,
        action="supervision.finding_recorded",
        obj=finding,
        after={
            "inspection": inspection.pk,
            "stage": stage,
            "findings": text,
            "attachment_sha256": hashlib.sha256(content).hexdigest() if content else None,
        },
    )
    return finding


def conclude(inspection: Inspection, data: object, *, actor: Actor) -> Inspection:
    """The conclusion (合格 / 限期整改 / 不合格) by an assigned inspector, once findings are
    recorded; 限期整改 orders a follow-up with a due date."""
    INSPECTION_MACHINE.check_party(inspection, "conclude", actor)
    body = Body(InspectionConclusion, data)
    conclusion = body.get("conclusion")
    if not isinstance(conclusion, str) or conclusion not in Conclusion.values:
        raise InvalidInput.for_field(
            "conclusion", "结论应为 passed（合格）、rectify（限期整改）或 failed（不合格）"
        )
    note = _text(body.get("note"), "note", "结论说明", 5000)
    due_on = None
    requirement = ""
    if conclusion == Conclusion.RECTIFY:
        requirement = _text(body.get("requirement"), "requirement", "整改要求", 5000)
        try:
            due_on = dt.date.fromisoformat(str(body.get("due_on", "")))
        except ValueError:
            raise InvalidInput.for_field("due_on", "请填写整改期限（YYYY-MM-DD）") from None
        if due_on <= clock.today():
            raise InvalidInput.for_field("due_on", "整改期限应晚于今天")
    with transaction.atomic():
        inspection = INSPECTION_MACHINE.lock(inspection.pk)
        transition = check_in_words(
            INSPECTION_MACHINE,
            inspection,
            "conclude",
            actor,
            {
                **{
                    state: Refusal("invalid_state", "该检查已出结论") for state in _AFTER_CONCLUSION
                },
                InspectionState.ENDED: _ENDED_ALREADY,
            },
        )
        inspection.conclusion = conclusion
        inspection.conclusion_note = note
        inspection.concluded_at = clock.now()
        inspection.concluded_by = acting_user(actor)
        INSPECTION_MACHINE.move(
            inspection,
            transition,
            actor=actor,
            extra_fields=["conclusion", "conclusion_note", "concluded_at", "concluded_by_id"],
            after={"due_on": due_on.isoformat() if due_on else None},
        )
        if due_on is not None:
            Rectification.objects.create(
                inspection=inspection, requirement=requirement, due_on=due_on
            )
    return inspection


def _rectification_of(inspection: Inspection) -> Rectification:
    """The inspection's rectification, row-locked; an inspection without one answers as a
    rectification not ordered (the party is still asked first)."""
    pk = Rectification.objects.filter(inspection=inspection).values_list("pk", flat=True).first()
    if pk is None:
        return Rectification(inspection=inspection)
    return RECTIFICATION_MACHINE.lock(pk)


_NOT_ORDERED = Refusal("invalid_state", "该检查没有整改要求")


def respond_rectification(inspection: Inspection, response: Any, *, actor: Actor) -> Rectification:
    """The inspected organization reports what it rectified (整改情况), again after a refused
    review; the response waits for the officers' review."""
    RECTIFICATION_MACHINE.check_party(Rectification(inspection=inspection), "rectification", actor)
    text = _text(response, "response", "整改情况", 5000)
    with transaction.atomic():
        rectification = _rectification_of(inspection)
        if rectification.pk is None:
            raise Conflict(_NOT_ORDERED.message, code=_NOT_ORDERED.code)
        transition = check_in_words(
            RECTIFICATION_MACHINE,
            rectification,
            "rectification",
            actor,
            {RectificationState.ACCEPTED: Refusal("invalid_state", "整改已通过审核")},
        )
        rectification.response = text
        rectification.responded_at = clock.now()
        rectification.accepted = None
        RECTIFICATION_MACHINE.move(
            rectification,
            transition,
            actor=actor,
            extra_fields=["response", "responded_at", "accepted"],
        )
    return rectification


def review_rectification(inspection: Inspection, accepted: Any, *, actor: Actor) -> Rectification:
    """The officers of the drawing authority (or the province) accept the reported
    rectification, or send it back to be rectified further."""
    RECTIFICATION_MACHINE.check_party(
        Rectification(inspection=inspection), "rectification-review", actor
    )
    if not isinstance(accepted, bool):
        raise InvalidInput.for_field("accepted", "请说明整改是否通过（true 或 false）")
    with transaction.atomic():
        rectification = _rectification_of(inspection)
        not_reported = Refusal("invalid_state", "评价组织尚未报送整改情况")
        if rectification.pk is None:
            raise Conflict(not_reported.message, code=not_reported.code)
        transition = check_in_words(
            RECTIFICATION_MACHINE,
            rectification,
            "rectification-review",
            actor,
            {
                RectificationState.ORDERED: not_reported,
                RectificationState.ACCEPTED: Refusal(
                    "invalid_state", "整改已审核通过，不能再次审核"
                ),
            },
        )
        rectification.accepted = accepted
        rectification.reviewed_at = clock.now()
        RECTIFICATION_MACHINE.move(
            rectification,
            transition,
            actor=actor,
            extra_fields=["accepted", "reviewed_at"],
            outcome=RectificationState.ACCEPTED if accepted else RectificationState.ORDERED,
        )
    return rectification


def publish(inspection: Inspection, *, actor: Actor) -> Inspection:
    """一公开: the officer approves a concluded inspection for the public page."""
    INSPECTION_MACHINE.check_party(inspection, "publish", actor)
    with transaction.atomic():
        inspection = INSPECTION_MACHINE.lock(inspection.pk)
        transition = check_in_words(
            INSPECTION_MACHINE,
            inspection,
            "publish",
            actor,
            {
                state: Refusal(
                    "invalid_state", f"检查当前状态为「{INSPECTION.label(state)}」，不能公开"
                )
                for state in (
                    InspectionState.ASSIGNED,
                    InspectionState.PUBLISHED,
                    InspectionState.ENDED,
                )
            },
        )
        inspection.published_on = clock.today()
        inspection.approved_by = acting_user(actor)
        INSPECTION_MACHINE.move(
            inspection, transition, actor=actor, extra_fields=["published_on", "approved_by_id"]
        )
    return inspection


# --- ended by a withdrawn plan -------------------------------------------------------------


def end(inspection: Inspection, *, reason: str, actor: Actor = audit.SYSTEM) -> Inspection:
    """Ends (终止) an inspection still waiting for its inspectors because what it would
    inspect will not take place: the system's step (the plan's withdrawal drives it), never
    a person's. The inspectors and whoever follows the inspection up are told; the
    organization is not (a drawn target is not told in advance)."""
    from skillcert.inbox.service import notify

    INSPECTION_MACHINE.check_party(inspection, "end", actor)
    with transaction.atomic():
        inspection = INSPECTION_MACHINE.lock(inspection.pk)
        transition = INSPECTION_MACHINE.check(inspection, "end", actor)
        inspection.ended_on = clock.today()
        inspection.end_reason = reason
        INSPECTION_MACHINE.move(
            inspection, transition, actor=actor, extra_fields=["ended_on", "end_reason"]
        )
        subject = inspection.batch.title if inspection.batch else inspection.organization.name
        title = f"监督检查已终止：{subject}"
        notify(
            inspection.inspectors.filter(is_active=True),
            event="inspection.ended",
            title=title,
            body=reason,
            link=f"/inspector/inspections/{inspection.pk}",
        )
        follower = getattr(inspection.draw, "drawn_by", None)
        if follower is not None and follower.is_active:
            notify(
                [follower],
                event="inspection.ended",
                title=title,
                body=reason,
                link=f"/review/supervision/inspections/{inspection.pk}",
            )
    return inspection


def on_plan_withdrawn(sender: Any, batch: Any, **kwargs: Any) -> None:
    """The plan of ``batch`` was withdrawn (in its transaction): its inspections still waiting
    for their inspectors end; one with findings already recorded stays for its conclusion,
    and its inspectors are told the plan was withdrawn."""
    _settle_withdrawn(batch, tell_started=True)


def settle_withdrawn_plans() -> int:
    """End the inspections nobody started of plans withdrawn without it happening (rows from
    before the withdrawal ended them, or written outside the services): the daily job's
    catch-up. Returns how many ended."""
    from skillcert.assessment.models import Batch
    from skillcert.assessment.workflow import BatchState

    withdrawn = Batch.objects.filter(
        state=BatchState.WITHDRAWN,
        supervision_inspections__state=InspectionState.ASSIGNED,
        supervision_inspections__findings__isnull=True,
    ).distinct()
    ended = 0
    for batch in withdrawn.select_related("organization").order_by("pk"):
        with transaction.atomic():
            ended += _settle_withdrawn(batch, tell_started=False)
    return ended


def _settle_withdrawn(batch: Any, *, tell_started: bool) -> int:
    """The rows are locked as they are read, so an inspector's conclusion committed meanwhile
    is seen (the row no longer waits) instead of failing the withdrawal."""
    from skillcert.inbox.service import notify

    withdrawn = (
        f"{batch.organization.name}已于 {batch.withdrawn_on} 撤回认定计划"
        f"（{batch.plan_case_number}，原定 {batch.start_date} 开始），本批次不再开展认定"
    )
    waiting = (
        Inspection.objects.select_for_update()
        .filter(batch=batch, state=InspectionState.ASSIGNED)
        .order_by("pk")
    )
    ended = 0
    for inspection in waiting:
        if not inspection.findings.exists():
            end(inspection, reason=f"{withdrawn}，检查随之终止。")
            ended += 1
        elif tell_started:
            notify(
                inspection.inspectors.filter(is_active=True),
                event="inspection.plan_withdrawn",
                title=f"被检查的认定计划已撤回：{batch.title}",
                body=f"{withdrawn}。您已记录检查情况，请据此作出检查结论。",
                link=f"/inspector/inspections/{inspection.pk}",
            )
    return ended
