"""Inspections of drawn targets: findings per stage, a conclusion, follow-up, publication."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from skillcert.audit import service as audit
from skillcert.registry.access import organization_of
from skillcert.registry.services.materials import check_file, read_upload, sniff
from skillcert.rules import clock
from skillcert.rules.errors import Conflict, Forbidden, InvalidInput
from skillcert.supervision.access import is_assigned, may_publish
from skillcert.supervision.models import (
    Conclusion,
    Finding,
    Inspection,
    InspectionState,
    Rectification,
)

EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def _text(value: Any, field: str, label: str, limit: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput.for_field(field, f"请填写{label}")
    if len(text) > limit:
        raise InvalidInput.for_field(field, f"{label}不能超过 {limit} 个字符")
    return text


def _lock(inspection: Inspection) -> Inspection:
    return Inspection.objects.select_for_update().get(pk=inspection.pk)


def record_finding(
    inspection: Inspection, data: Any, *, attachment: Any = None, actor: Any
) -> Finding:
    """A finding of a stage, by an inspector assigned to this inspection (with an attachment:
    PDF, JPEG or PNG, checked by content)."""
    if not is_assigned(actor, inspection):
        raise Forbidden("只有被抽中的督查员可以记录检查情况", code="forbidden")
    data = data if isinstance(data, dict) else {}
    stage = _text(data.get("stage"), "stage", "检查环节", 100)
    text = _text(data.get("findings"), "findings", "发现情况", 5000)
    content = None
    if attachment is not None:
        content = read_upload(attachment)
        kind = sniff(content[:16])
        if kind is None:
            raise InvalidInput.for_field(
                "attachment", "附件仅支持 PDF、JPEG 或 PNG（按文件内容识别）"
            )
        try:
            check_file(content, kind)
        except InvalidInput as exc:
            raise InvalidInput.for_field("attachment", exc.message) from None
    with transaction.atomic():
        inspection = _lock(inspection)
        if inspection.state != InspectionState.ASSIGNED:
            raise Conflict("该检查已出结论，不能再记录检查情况", code="invalid_state")
        stored = ""
        if content is not None:
            stored = f"inspections/{inspection.pk}/{uuid.uuid4().hex}{EXTENSIONS[kind]}"
            path = Path(settings.MEDIA_ROOT) / stored
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        finding = Finding.objects.create(
            inspection=inspection,
            stage=stage,
            text=text,
            attachment_name=Path(getattr(attachment, "name", "") or "").name[:200]
            if content
            else "",
            attachment_stored=stored,
            recorded_by=actor,
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


def conclude(inspection: Inspection, data: Any, *, actor: Any) -> Inspection:
    """The conclusion (合格 / 限期整改 / 不合格); 限期整改 orders a follow-up with a due date."""
    if not is_assigned(actor, inspection):
        raise Forbidden("只有被抽中的督查员可以作出检查结论", code="forbidden")
    data = data if isinstance(data, dict) else {}
    conclusion = data.get("conclusion")
    if conclusion not in Conclusion.values:
        raise InvalidInput.for_field(
            "conclusion", "结论应为 passed（合格）、rectify（限期整改）或 failed（不合格）"
        )
    note = _text(data.get("note"), "note", "结论说明", 5000)
    due_on = None
    requirement = ""
    if conclusion == Conclusion.RECTIFY:
        requirement = _text(data.get("requirement"), "requirement", "整改要求", 5000)
        try:
            due_on = dt.date.fromisoformat(str(data.get("due_on", "")))
        except ValueError:
            raise InvalidInput.for_field("due_on", "请填写整改期限（YYYY-MM-DD）") from None
        if due_on <= clock.today():
            raise InvalidInput.for_field("due_on", "整改期限应晚于今天")
    with transaction.atomic():
        inspection = _lock(inspection)
        if inspection.state != InspectionState.ASSIGNED:
            raise Conflict("该检查已出结论", code="invalid_state")
        if not inspection.findings.exists():
            raise Conflict("尚未记录检查情况，不能作出结论", code="no_findings")
        inspection.state = InspectionState.CONCLUDED
        inspection.conclusion = conclusion
        inspection.conclusion_note = note
        inspection.concluded_at = clock.now()
        inspection.concluded_by = actor
        inspection.save()
        if due_on is not None:
            Rectification.objects.create(
                inspection=inspection, requirement=requirement, due_on=due_on
            )
        audit.record(
            actor=actor,
            action="supervision.inspection_concluded",
            obj=inspection,
            before={"state": InspectionState.ASSIGNED},
            after={
                "state": inspection.state,
                "conclusion": conclusion,
                "note": note,
                "due_on": due_on.isoformat() if due_on else None,
            },
        )
    return inspection


def respond_rectification(inspection: Inspection, response: Any, *, actor: Any) -> Rectification:
    """The organization reports what it rectified (整改情况)."""
    own = organization_of(actor)
    if own is None or own.pk != inspection.organization_id:
        raise Forbidden("只有被检查的评价组织可以报送整改情况", code="forbidden")
    text = _text(response, "response", "整改情况", 5000)
    with transaction.atomic():
        rectification = (
            Rectification.objects.select_for_update().filter(inspection=inspection).first()
        )
        if rectification is None:
            raise Conflict("该检查没有整改要求", code="invalid_state")
        if rectification.accepted:
            raise Conflict("整改已通过审核", code="invalid_state")
        rectification.response = text
        rectification.responded_at = clock.now()
        rectification.accepted = None
        rectification.save()
        audit.record(
            actor=actor,
            action="supervision.rectification_reported",
            obj=rectification,
            after={"response": text},
        )
    return rectification


def review_rectification(inspection: Inspection, accepted: Any, *, actor: Any) -> Rectification:
    if not may_publish(actor, inspection):
        raise Forbidden("只有组织检查的部门可以审核整改情况", code="forbidden")
    if not isinstance(accepted, bool):
        raise InvalidInput.for_field("accepted", "请说明整改是否通过（true 或 false）")
    with transaction.atomic():
        rectification = (
            Rectification.objects.select_for_update().filter(inspection=inspection).first()
        )
        if rectification is None or not rectification.response:
            raise Conflict("评价组织尚未报送整改情况", code="invalid_state")
        if rectification.accepted:
            raise Conflict("整改已审核通过，不能再次审核", code="invalid_state")
        rectification.accepted = accepted
        rectification.reviewed_at = clock.now()
        rectification.save()
        audit.record(
            actor=actor,
            action="supervision.rectification_reviewed",
            obj=rectification,
            after={"accepted": accepted},
        )
    return rectification


def publish(inspection: Inspection, *, actor: Any) -> Inspection:
    """一公开: the officer approves a concluded inspection for the public page."""
    if not may_publish(actor, inspection):
        raise Forbidden("只有组织检查的部门可以公开检查结果", code="forbidden")
    with transaction.atomic():
        inspection = _lock(inspection)
        if inspection.state != InspectionState.CONCLUDED:
            raise Conflict(
                f"检查当前状态为「{inspection.get_state_display()}」，不能公开",
                code="invalid_state",
            )
        inspection.state = InspectionState.PUBLISHED
        inspection.published_on = clock.today()
        inspection.approved_by = actor
        inspection.save()
        audit.record(
            actor=actor,
            action="supervision.inspection_published",
            obj=inspection,
            before={"state": InspectionState.CONCLUDED},
            after={"state": inspection.state, "published_on": str(inspection.published_on)},
        )
    return inspection
