"""Results (五(三)): scores, the pass rule, result publicity, result filing (objections to the
publicity: ``services.objections``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from skillcert.assessment.inputs import ResultEntry, ResultsRequest
from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.assessment.models import Batch, Candidate
from skillcert.assessment.services.receipt import tell_center
from skillcert.assessment.workflow import BatchState
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.reference.selectors import work_calendar
from skillcert.registry.models import Notice, NoticeKind
from skillcert.rules import clock
from skillcert.rules.assessment import (
    has_passed,
    parse_score,
    receipt_due,
    result_publicity_end,
)
from skillcert.rules.errors import Conflict, InvalidInput
from skillcert.rules.idtypes import mask_id_number, normalize_id_number
from skillcert.rules.inputs import Body
from skillcert.rules.levels import level_name
from skillcert.workflow.numbers import next_case_number


def pass_marks(batch: Batch) -> dict[str, Decimal]:
    return {subject: Decimal(str(batch.pass_marks.get(subject, 60))) for subject in batch.subjects}


def passed_for(candidate: Candidate, marks: dict[str, Decimal]) -> bool | None:
    """Computed, never typed: absent → False; every subject scored → the pass rule; else None."""
    if candidate.attended is False:
        return False
    scores = {s: Decimal(v) for s, v in candidate.scores.items() if v is not None}
    if not all(subject in scores for subject in marks):
        return None
    return has_passed(scores, marks)


def recompute_passed(batch: Batch) -> None:
    marks = pass_marks(batch)
    candidates = list(batch.candidates.only("id", "attended", "scores", "passed"))
    changed = []
    for candidate in candidates:
        passed = passed_for(candidate, marks)
        if passed != candidate.passed:
            candidate.passed = passed
            changed.append(candidate)
    Candidate.objects.bulk_update(changed, ["passed"], batch_size=2000)


def check_results(batch: Batch, entries: Any) -> dict[str, dict[str, str]]:
    """``[{"id_number", "scores": {subject: score}}]`` → {id_number: {subject: "score"}}.

    Every subject of the batch must be scored; a person not in the batch, an unknown subject
    or a score outside 0-100 refuses the whole request (every problem is listed).
    """
    if not isinstance(entries, list) or not entries:
        raise InvalidInput.for_field("results", "results 应为非空列表")
    known = dict(batch.candidates.values_list("id_number", "attended"))
    subjects = set(batch.subjects)
    errors: dict[str, list[str]] = {}
    checked: dict[str, dict[str, str]] = {}
    for index, raw in enumerate(entries):
        path = f"results[{index}]"
        entry = Body(ResultEntry, raw)
        scores = entry.get("scores")
        if not isinstance(raw, dict) or not isinstance(scores, dict):
            errors[path] = ['应为 {"id_number", "scores": {科目: 成绩}}']
            continue
        number = normalize_id_number(str(entry.get("id_number", "")))
        if number not in known:
            errors[f"{path}.id_number"] = [f"证件号码 {number or '（空）'} 不在本批次考生中"]
            continue
        if number in checked:
            errors[f"{path}.id_number"] = [f"证件号码 {number} 重复"]
            continue
        unknown = set(scores) - subjects
        if unknown:
            errors[f"{path}.scores"] = [f"未知的科目：{'、'.join(sorted(unknown))}"]
            continue
        missing = subjects - set(scores)
        if missing:
            errors[f"{path}.scores"] = [f"缺少科目成绩：{'、'.join(sorted(missing))}"]
            continue
        row: dict[str, str] = {}
        for subject, value in scores.items():
            try:
                row[subject] = str(parse_score(value, field=f"{path}.scores.{subject}"))
            except InvalidInput as exc:
                errors.update(exc.fields)
        checked[number] = row
    if errors:
        raise InvalidInput("成绩有误，未录入任何成绩", fields=errors)
    return checked


def enter_results(batch: Batch, data: object, *, actor: Actor) -> Batch:
    """Record scores per subject; who passed is computed from the batch's pass marks."""
    BATCH_MACHINE.check_party(batch, "results", actor)
    entries = Body(ResultsRequest, data).get("results") if isinstance(data, dict) else None
    with transaction.atomic():
        batch = BATCH_MACHINE.lock(batch.pk)
        transition = BATCH_MACHINE.check(batch, "results", actor)
        if clock.today() < batch.start_date:
            raise Conflict(
                f"认定将于 {batch.start_date} 开始，开始后方可录入成绩", code="not_started"
            )
        checked = check_results(batch, entries)
        store_scores(batch, checked)
        audit.record(
            actor=actor,
            action="assessment.batch.results_entered",
            obj=batch,
            after={"candidates": len(checked)},
        )
        BATCH_MACHINE.move(batch, transition, actor=actor, note=f"录入 {len(checked)} 名考生成绩")
    return batch


def store_scores(batch: Batch, checked: dict[str, dict[str, str]]) -> None:
    marks = pass_marks(batch)
    candidates = list(batch.candidates.filter(id_number__in=checked.keys()))
    for candidate in candidates:
        candidate.scores = checked[candidate.id_number]
        candidate.passed = passed_for(candidate, marks)
    Candidate.objects.bulk_update(candidates, ["scores", "passed"], batch_size=2000)


def publicize_results(batch: Batch, *, actor: Actor) -> Batch:
    """Publish the passed candidates (names and masked ID numbers) for at least 7 days."""
    with transaction.atomic():
        batch = BATCH_MACHINE.lock(batch.pk)
        transition = BATCH_MACHINE.check(batch, "publicize", actor)
        pending = batch.candidates.filter(passed__isnull=True).count()
        if pending:
            raise Conflict(
                f"还有 {pending} 名考生没有完整成绩，不能公示", code="results_incomplete"
            )
        today = clock.today()
        batch.publicity_start = today
        batch.publicity_end = result_publicity_end(today)
        Notice.objects.create(
            kind=NoticeKind.RESULT_PUBLICITY,
            title=f"{batch.organization.name}职业技能等级认定结果公示（{batch.title}）",
            body=_result_notice_body(batch),
            authority=batch.site_city,
            organization=batch.organization,
            subject_id=batch.pk,
            starts_on=today,
            ends_on=batch.publicity_end,
        )
        BATCH_MACHINE.move(
            batch, transition, actor=actor, extra_fields=["publicity_start", "publicity_end"]
        )
    return batch


def _result_notice_body(batch: Batch) -> str:
    passed = batch.candidates.filter(passed=True).order_by("occupation_code", "level", "position")
    lines = [
        f"评价机构：{batch.organization.name}（备案号 {batch.organization.filing_number}）",
        f"认定时间：{batch.start_date} 至 {batch.end_date}",
        f"合格人数：{passed.count()}",
        "姓名\t证件号码\t职业（工种）\t等级",
    ]
    for c in passed.iterator(chunk_size=2000):
        work_type = f"（{c.work_type}）" if c.work_type else ""
        lines.append(
            f"{c.name}\t{mask_id_number(c.id_number)}\t{c.occupation_name}{work_type}\t"
            f"{level_name(c.level)}"
        )
    return "\n".join(lines)


def mark_certificates_issued(batch: Batch, *, issued: int, actor: Actor) -> None:
    """Called by the certificates service inside its transaction, after numbering."""
    transition = BATCH_MACHINE.check(batch, "issue", actor)
    BATCH_MACHINE.move(batch, transition, actor=actor, note=f"生成证书编号 {issued} 个")


def file_results(batch: Batch, *, actor: Actor) -> Batch:
    """Result filing (结果报备) of 附件4 and 附件5; after the due date it is flagged late."""
    with transaction.atomic():
        batch = BATCH_MACHINE.lock(batch.pk)
        transition = BATCH_MACHINE.check(batch, "file-results", actor)
        today = clock.today()
        batch.results_filed_on = today
        batch.late = batch.results_due is not None and today > batch.results_due
        # The case number from the first filing, kept when returned results are filed anew.
        if not batch.results_case_number:
            batch.results_case_number = next_case_number("JG", batch.site_city.code, today.year)
        batch.results_receipt_due = receipt_due(work_calendar(), today).day
        batch.results_received_on = None
        batch.results_received_by = None
        batch.results_return_reason = ""
        BATCH_MACHINE.move(
            batch,
            transition,
            actor=actor,
            extra_fields=[
                "results_filed_on",
                "late",
                "results_case_number",
                "results_receipt_due",
                "results_received_on",
                "results_received_by",
                "results_return_reason",
            ],
        )
        late = "（已超过报备期限，记为逾期报备）" if batch.late else ""
        tell_center(
            batch,
            event="batch.results_filed",
            title=f"认定结果报备待签收：{batch.title}（{batch.results_case_number}）",
            body=f"{batch.organization.name}报备了认定结果（附件4、附件5）{late}，请在 "
            f"{batch.results_receipt_due} 前签收或退回；逾期未办理的视为已签收。",
        )
    return batch


def close_due_publicities(*, actor: Actor | None = None) -> int:
    """For the scheduled sweep: close every result publicity that is over without an open
    objection (reading a batch does the same; nobody has to wait for this)."""
    return BATCH_MACHINE.catch_up_all(Batch.objects.filter(state=BatchState.IN_PUBLICITY))


def record_receipts_by_time(*, actor: Actor | None = None) -> int:
    """For the scheduled sweep: record as received every plan or result filing the center
    left unanswered past its due day (reading a batch does the same; nothing waits for it)."""
    filed = Batch.objects.filter(state__in=[BatchState.PLAN_FILED, BatchState.RESULTS_FILED])
    return BATCH_MACHINE.catch_up_all(filed)
