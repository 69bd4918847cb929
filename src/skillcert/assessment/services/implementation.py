"""Implementation (认定实施, 五(二)): spot checks by inspectors and officers, attendance."""

from __future__ import annotations

from django.db import transaction

from skillcert.accounts.actors import acting_user
from skillcert.assessment.inputs import AttendanceRequest, InspectionRequest
from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.assessment.models import Batch, Inspection
from skillcert.assessment.services.results import recompute_passed
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.rules import clock
from skillcert.rules.errors import Conflict, InvalidInput
from skillcert.rules.idtypes import mask_id_number, normalize_id_number
from skillcert.rules.inputs import Body


def record_inspection(batch: Batch, data: object, *, actor: Actor) -> Inspection:
    """A spot check of a key stage: the inspector (or officer), the stage, what was found."""
    BATCH_MACHINE.check_party(batch, "inspections", actor)
    if not isinstance(data, dict):
        raise InvalidInput("请求内容应为 JSON 对象")
    body = Body(InspectionRequest, data)
    stage = body.get("stage")
    findings = body.get("findings")
    fields: dict[str, list[str]] = {}
    if not isinstance(stage, str) or not stage.strip() or len(stage) > 100:
        fields["stage"] = ["请填写抽查环节（不超过 100 个字符）"]
    if not isinstance(findings, str) or not findings.strip() or len(findings) > 5000:
        fields["findings"] = ["请填写发现情况（不超过 5000 个字符）"]
    if fields:
        raise InvalidInput("抽查记录有误", fields=fields)
    assert isinstance(stage, str) and isinstance(findings, str)  # checked above
    with transaction.atomic():
        batch = BATCH_MACHINE.lock(batch.pk)
        transition = BATCH_MACHINE.check(batch, "inspections", actor)
        today = clock.today()
        if today < batch.start_date:
            raise Conflict(
                f"认定将于 {batch.start_date} 开始，开始后方可记录抽查", code="not_started"
            )
        inspection = Inspection.objects.create(
            batch=batch,
            inspector=acting_user(actor),
            stage=stage.strip(),
            findings=findings.strip(),
            business_date=today,
        )
        BATCH_MACHINE.move(
            batch, transition, actor=actor, note=f"{inspection.stage}：{inspection.findings}"
        )
    return inspection


def record_attendance(batch: Batch, data: object, *, actor: Actor) -> int:
    """Mark who did not attend (缺考); everyone else attended. Returns the absent count."""
    BATCH_MACHINE.check_party(batch, "attendance", actor)
    absent = Body(AttendanceRequest, data).get("absent")
    if not isinstance(data, dict) or not isinstance(absent, list):
        raise InvalidInput.for_field("absent", "absent 应为缺考考生证件号码的列表")
    wanted = {normalize_id_number(str(n)) for n in absent}
    with transaction.atomic():
        batch = BATCH_MACHINE.lock(batch.pk)
        transition = BATCH_MACHINE.check(batch, "attendance", actor)
        if clock.today() < batch.start_date:
            raise Conflict(
                f"认定将于 {batch.start_date} 开始，开始后方可记录考勤", code="not_started"
            )
        known = set(batch.candidates.values_list("id_number", flat=True))
        unknown = sorted(wanted - known)
        if unknown:
            raise InvalidInput.for_field(
                "absent", f"以下证件号码不在本批次中：{'、'.join(unknown)}"
            )
        batch.candidates.filter(id_number__in=wanted).update(attended=False)
        batch.candidates.exclude(id_number__in=wanted).update(attended=True)
        recompute_passed(batch)
        audit.record(
            actor=actor,
            action="assessment.batch.attendance",
            obj=batch,
            after={"absent": sorted(mask_id_number(n) for n in wanted)},  # never in clear
        )
        BATCH_MACHINE.move(batch, transition, actor=actor, note=f"缺考 {len(wanted)} 人")
    return len(wanted)
