"""Batch plans (计划报备, 五(一)): drafting, candidates, and filing the plan with the center."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.assessment.models import Batch, BatchItem, Candidate, StaffMember, StaffRole
from skillcert.assessment.services.plan_input import (
    PlanData,
    check_candidates,
    parse_plan,
)
from skillcert.assessment.services.receipt import tell_center
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.reference.selectors import work_calendar
from skillcert.registry.machines import ORGANIZATION_MACHINE
from skillcert.registry.models import Channel, Organization, OrganizationStatus
from skillcert.registry.selectors import cities_of
from skillcert.rules import clock
from skillcert.rules.assessment import (
    SENIOR_LEVELS,
    CandidateRow,
    PlanIndex,
    PlanItem,
    pass_marks_for,
    plan_filing_deadline,
    receipt_due,
)
from skillcert.rules.errors import Conflict
from skillcert.rules.levels import level_name
from skillcert.workflow.numbers import next_case_number


class PlanRefused(Conflict):
    """A plan that breaks rules (409, the first rule's code): every rule, with ``extra``."""

    def __init__(self, refusals: list[tuple[str, str]]) -> None:
        super().__init__(
            "计划报备未通过：" + "；".join(message for _, message in refusals),
            code=refusals[0][0],
        )
        self.extra = {"rules": [{"rule": r, "message": m} for r, m in refusals]}


def create_batch(organization: Organization, data: object, *, actor: Actor) -> Batch:
    """A draft batch plan of the organization (checked for format; rules at plan filing)."""
    ORGANIZATION_MACHINE.check_party(organization, "batches", actor)
    plan = parse_plan(data, partial=False)
    rows = check_candidates(plan.candidates or [], plan.items or [])
    with transaction.atomic():
        organization = ORGANIZATION_MACHINE.lock(organization.pk)
        ORGANIZATION_MACHINE.check(organization, "batches", actor)  # not revoked or expired
        batch = Batch(organization=organization)
        _assign(batch, plan)
        if plan.pass_marks is None:
            batch.pass_marks = {s: str(m) for s, m in pass_marks_for(batch.subjects, {}).items()}
        batch.save()
        _write_parts(batch, plan, rows)
        audit.record(
            actor=actor, action="assessment.batch.created", obj=batch, after=batch_summary(batch)
        )
    return batch


def update_batch(batch: Batch, data: object, *, actor: Actor) -> Batch:
    """Change a draft plan; candidates, items and staff are replaced when given."""
    BATCH_MACHINE.check_party(batch, "edit", actor)
    plan = parse_plan(data, partial=True)
    with transaction.atomic():
        batch = BATCH_MACHINE.lock(batch.pk)
        BATCH_MACHINE.check(batch, "edit", actor)
        before = batch_summary(batch)
        _assign(batch, plan)
        if plan.subjects is not None and plan.pass_marks is None:
            batch.pass_marks = {
                s: str(m)
                for s, m in pass_marks_for(
                    batch.subjects, {s: batch.pass_marks.get(s, 60) for s in batch.subjects}
                ).items()
            }
        items = plan.items if plan.items is not None else _plan_items(batch)
        rows = None
        if plan.candidates is not None:
            rows = check_candidates(plan.candidates, items)
        elif plan.items is not None:
            # A changed plan must still cover every candidate already entered.
            rows = check_candidates(_candidates_as_rows(batch), items)
        batch.save()
        _write_parts(batch, plan, rows)
        audit.record(
            actor=actor,
            action="assessment.batch.updated",
            obj=batch,
            before=before,
            after=batch_summary(batch),
        )
    return batch


def replace_candidates(
    batch: Batch, rows: list[CandidateRow], *, actor: Actor, source: str
) -> Batch:
    """Replace every candidate of a draft batch with checked rows (from a file or the API)."""
    BATCH_MACHINE.check_party(batch, "edit", actor)
    with transaction.atomic():
        batch = BATCH_MACHINE.lock(batch.pk)
        BATCH_MACHINE.check(batch, "edit", actor)
        before = batch.candidates.count()
        _write_candidates(batch, rows)
        audit.record(
            actor=actor,
            action="assessment.batch.candidates_replaced",
            obj=batch,
            before={"candidates": before},
            after={"candidates": len(rows), "source": source},
        )
    return batch


def _assign(batch: Batch, plan: PlanData) -> None:
    for name in (
        "title",
        "start_date",
        "end_date",
        "site_city",
        "site_address",
        "overview",
        "subjects",
        "pass_marks",
        "industry_only",
    ):
        value = getattr(plan, name)
        if value is not None:
            setattr(batch, name, value)


def _write_parts(batch: Batch, plan: PlanData, rows: list[CandidateRow] | None) -> None:
    if plan.items is not None:
        batch.items.all().delete()
        BatchItem.objects.bulk_create(
            BatchItem(
                batch=batch,
                occupation_code=i.occupation_code,
                occupation_name=i.occupation_name,
                work_type=i.work_type,
                level=i.level,
            )
            for i in plan.items
        )
    if plan.staff is not None:
        batch.staff.all().delete()
        StaffMember.objects.bulk_create(StaffMember(batch=batch, **member) for member in plan.staff)
    if rows is not None:
        _write_candidates(batch, rows)


def _write_candidates(batch: Batch, rows: list[CandidateRow]) -> None:
    batch.candidates.all().delete()
    Candidate.objects.bulk_create(
        (
            Candidate(
                batch=batch,
                position=index,
                name=row.name,
                id_type=row.id_type,
                id_number=row.id_number,
                work_unit=row.work_unit,
                city=row.city,
                occupation_code=row.occupation_code,
                occupation_name=row.occupation_name,
                work_type=row.work_type,
                level=row.level,
                source=row.source,
            )
            for index, row in enumerate(rows)
        ),
        batch_size=2000,
    )
    batch.candidate_count = len(rows)
    Batch.objects.filter(pk=batch.pk).update(candidate_count=len(rows))


def _plan_items(batch: Batch) -> list[PlanItem]:
    return [
        PlanItem(i.occupation_code, i.occupation_name, i.work_type, i.level)
        for i in batch.items.all()
    ]


def plan_index(batch: Batch) -> PlanIndex:
    return PlanIndex(tuple(_plan_items(batch)))


def _candidates_as_rows(batch: Batch) -> list[dict[str, Any]]:
    from skillcert.rules.regions import ANHUI

    return [
        {
            "name": c.name,
            "id_type": c.id_type,
            "id_number": c.id_number,
            "work_unit": c.work_unit,
            "city": ANHUI.city(c.city).name,
            "occupation_code": c.occupation_code,
            "work_type": c.work_type,
            "level": c.level,
            "source": c.source,
        }
        for c in batch.candidates.all()
    ]


def batch_summary(batch: Batch) -> dict[str, Any]:
    return {
        "organization": batch.organization_id,
        "title": batch.title,
        "start_date": batch.start_date.isoformat() if batch.start_date else None,
        "end_date": batch.end_date.isoformat() if batch.end_date else None,
        "site_city": batch.site_city.code if batch.site_city_id else None,
        "site_address": batch.site_address,
        "subjects": batch.subjects,
        "pass_marks": batch.pass_marks,
        "state": batch.state,
        "items": [[i.occupation_code, i.work_type, i.level] for i in batch.items.all()]
        if batch.pk
        else [],
        "candidates": batch.candidates.count() if batch.pk else 0,
    }


# --- plan filing -------------------------------------------------------------------------


def plan_refusals(batch: Batch, today: dt.date) -> list[tuple[str, str]]:
    """Every rule the plan breaks, as (rule, Chinese explanation); empty when it may be filed."""
    refusals: list[tuple[str, str]] = []
    organization = batch.organization
    deadline = plan_filing_deadline(work_calendar(), batch.start_date)
    if today > deadline.day:
        refusals.append(
            (
                "plan_too_late",
                f"计划应于认定开始（{batch.start_date}）前 10 个工作日报备，最迟 {deadline.day}"
                f"{deadline.note()}",
            )
        )
    status_refusals: dict[str, str] = {
        OrganizationStatus.APPLYING: "尚未备案",
        OrganizationStatus.PILOT_FAILED: "试点未通过",
        OrganizationStatus.REVOKED: "备案已撤销",
        OrganizationStatus.EXPIRED: "备案已过期",
    }
    status_refusal = status_refusals.get(organization.status)
    if status_refusal:
        refusals.append(("cannot_certify", f"该评价组织{status_refusal}，不能开展认定"))
    elif organization.valid_until and batch.end_date > organization.valid_until:
        refusals.append(
            ("cannot_certify", f"认定结束日期晚于备案有效期（{organization.valid_until}）")
        )
    scope = {
        (s.occupation_code, s.work_type): set(s.levels) for s in organization.scope_items.all()
    }
    for item in batch.items.all():
        levels = scope.get((item.occupation_code, item.work_type)) or scope.get(
            (item.occupation_code, "")
        )
        if not levels or item.level not in levels:
            work_type = f"（{item.work_type}）" if item.work_type else ""
            refusals.append(
                (
                    "outside_scope",
                    f"{item.occupation_name}{work_type}{level_name(item.level)} 不在备案范围内",
                )
            )
    if batch.site_city.code not in cities_of(organization):
        refusals.append(
            ("site_not_filed", f"该评价组织未在{batch.site_city.name}备案，不能在当地开展认定")
        )
    if organization.channel == Channel.PROVINCE and not batch.industry_only:
        refusals.append(
            (
                "outside_industry",
                "省直渠道备案的评价组织仅在行业系统"
                f"（{organization.industry or '本行业'}）内开展认定，请确认本批次仅面向本行业系统",
            )
        )
    if not batch.candidates.exists():
        refusals.append(("no_candidates", "计划中没有考生"))
    roles = set(batch.staff.values_list("role", flat=True))
    for role in StaffRole:
        if role.value not in roles:
            refusals.append(("staff_missing", f"计划中没有安排{role.label}"))
    return refusals


def submit_plan(batch: Batch, *, actor: Actor) -> Batch:
    """File the plan (计划报备) with the center of the site's city; level 1-2 plans are copied
    to the provincial center. Refused, naming every rule broken, when it is later than 10
    working days before the start, outside the filed scope, by an organization that may not
    certify, in a city where it is not filed, or (province channel) outside its industry."""
    with transaction.atomic():
        batch = BATCH_MACHINE.lock(batch.pk)
        transition = BATCH_MACHINE.check(batch, "submit", actor)
        today = clock.today()
        refusals = plan_refusals(batch, today)
        if refusals:
            raise PlanRefused(refusals)
        deadline = plan_filing_deadline(work_calendar(), batch.start_date)
        batch.plan_deadline = deadline.day
        batch.plan_deadline_estimated = deadline.estimated
        batch.plan_filed_on = today
        batch.copied_to_province = bool(
            set(batch.items.values_list("level", flat=True)) & set(SENIOR_LEVELS)
        )
        # The case number from the first filing, kept when a returned plan is filed anew.
        if not batch.plan_case_number:
            batch.plan_case_number = next_case_number("JH", batch.site_city.code, today.year)
        batch.plan_receipt_due = receipt_due(work_calendar(), today).day
        batch.plan_received_on = None
        batch.plan_received_by = None
        batch.plan_return_reason = ""
        BATCH_MACHINE.move(
            batch,
            transition,
            actor=actor,
            extra_fields=[
                "plan_deadline",
                "plan_deadline_estimated",
                "plan_filed_on",
                "copied_to_province",
                "plan_case_number",
                "plan_receipt_due",
                "plan_received_on",
                "plan_received_by",
                "plan_return_reason",
            ],
        )
        tell_center(
            batch,
            event="batch.plan_filed",
            title=f"认定计划待签收：{batch.title}（{batch.plan_case_number}）",
            body=f"{batch.organization.name}报备了认定计划（认定时间 {batch.start_date} 至 "
            f"{batch.end_date}，考生 {batch.candidate_count} 人），请在 {batch.plan_receipt_due} "
            "前签收或退回；逾期未办理的视为已签收。",
        )
    return batch
