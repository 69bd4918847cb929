"""Batch plans (计划报备, 五(一)): drafting, candidates, and filing the plan with the center."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction

from skillcert.accounts.models import Authority
from skillcert.assessment.inputs import (
    BatchCandidateEntry,
    BatchItemEntry,
    BatchRequest,
    BatchStaffEntry,
)
from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.assessment.models import Batch, BatchItem, Candidate, StaffMember, StaffRole
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.reference.selectors import work_calendar
from skillcert.registry.machines import ORGANIZATION_MACHINE
from skillcert.registry.models import Channel, Organization, OrganizationStatus
from skillcert.registry.selectors import cities_of
from skillcert.rules import clock
from skillcert.rules.assessment import (
    COLUMN_FIELDS,
    MAX_CANDIDATES,
    SENIOR_LEVELS,
    CandidateRow,
    PlanIndex,
    PlanItem,
    RowCheck,
    RowError,
    pass_marks_for,
    plan_filing_deadline,
)
from skillcert.rules.errors import Conflict, InvalidInput
from skillcert.rules.idtypes import parse_id_type, validate_id_number
from skillcert.rules.inputs import Body
from skillcert.rules.levels import level_name, parse_level
from skillcert.rules.occupations import parse_occupation_code

MAX_SUBJECTS = 10


class RowsInvalid(InvalidInput):
    """Candidate rows with errors: every bad row, with its row number and column."""

    def __init__(self, errors: list[RowError], *, message: str | None = None) -> None:
        super().__init__(
            message or f"考生信息有 {len(errors)} 处错误，整批未导入，请修改后重新提交",
            code="invalid_rows",
        )
        self.errors = errors
        self.extra: dict[str, object] = {
            "rows": [{"row": e.row, "column": e.column, "message": e.message} for e in errors]
        }


class PlanRefused(Conflict):
    """A plan that breaks rules (409, the first rule's code): every rule, with ``extra``."""

    def __init__(self, refusals: list[tuple[str, str]]) -> None:
        super().__init__(
            "计划报备未通过：" + "；".join(message for _, message in refusals),
            code=refusals[0][0],
        )
        self.extra = {"rules": [{"rule": r, "message": m} for r, m in refusals]}


@dataclass
class PlanData:
    title: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    site_city: Authority | None = None
    site_address: str | None = None
    overview: str | None = None
    subjects: list[str] | None = None
    pass_marks: dict[str, str] | None = None
    industry_only: bool | None = None
    items: list[PlanItem] | None = None
    staff: list[dict[str, str]] | None = None
    candidates: list[dict[str, Any]] | None = None


def parse_plan(data: object, *, partial: bool) -> PlanData:
    """The plan's fields, each checked for format (the contract's body)."""
    if not isinstance(data, dict):
        raise InvalidInput("请求内容应为 JSON 对象")
    body = Body(BatchRequest, data)
    errors: dict[str, list[str]] = {}
    plan = PlanData()

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    required = (
        ()
        if partial
        else ("title", "start_date", "end_date", "site_city", "site_address", "subjects", "items")
    )
    for name in required:
        if body.get(name) in (None, "", []):
            add(name, "此项为必填项")
    for name, limit in (("title", 200), ("site_address", 200), ("overview", 5000)):
        if body.get(name) not in (None, ""):
            value = body[name]
            if not isinstance(value, str) or len(value.strip()) > limit:
                add(name, f"应为不超过 {limit} 个字符的文本")
            else:
                setattr(plan, name, value.strip())
    for name in ("start_date", "end_date"):
        if body.get(name) not in (None, ""):
            try:
                setattr(plan, name, dt.date.fromisoformat(str(body[name])))
            except ValueError:
                add(name, "日期格式应为 YYYY-MM-DD")
    if plan.start_date and plan.end_date and plan.end_date < plan.start_date:
        add("end_date", "结束日期不能早于开始日期")
    if body.get("site_city") not in (None, ""):
        plan.site_city = Authority.objects.filter(code=str(body["site_city"]), kind="city").first()
        if plan.site_city is None:
            add("site_city", f"未知的地市代码 {body['site_city']!r}")
    if "subjects" in body and body["subjects"] not in (None, []):
        plan.subjects = _subjects(body["subjects"], add)
    if "industry_only" in body:
        if not isinstance(body["industry_only"], bool):
            add("industry_only", "应为 true 或 false")
        else:
            plan.industry_only = body["industry_only"]
    if "pass_mark" in body or "pass_marks" in body:
        plan.pass_marks = _pass_marks(body, plan.subjects or [], add)
    if "items" in body and body["items"] not in (None, []):
        plan.items = _items(body["items"], add)
    if "staff" in body:
        plan.staff = _staff(body["staff"], add)
    if "candidates" in body:
        if not isinstance(body["candidates"], list):
            add("candidates", "应为列表")
        else:
            plan.candidates = body["candidates"]
    if errors:
        raise InvalidInput("批次计划有误，请检查标出的字段", fields=errors)
    return plan


def _subjects(value: Any, add: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
        add("subjects", '认定科目应为科目名称的列表，如 ["理论知识", "操作技能"]')
        return []
    subjects = [s.strip() for s in value]
    if len(set(subjects)) != len(subjects):
        add("subjects", "认定科目重复")
    if len(subjects) > MAX_SUBJECTS:
        add("subjects", f"认定科目最多 {MAX_SUBJECTS} 个")
    if any(len(s) > 20 for s in subjects):
        add("subjects", "科目名称不能超过 20 个字符")
    return subjects


def _pass_marks(body: Body, subjects: list[str], add: Any) -> dict[str, str]:
    marks = body.get("pass_marks") or {}
    if not isinstance(marks, dict):
        add("pass_marks", "应为 {科目: 分数线} 的对象")
        return {}
    default = body.get("pass_mark", 60)
    try:
        combined = {subject: marks.get(subject, default) for subject in subjects}
        unknown = set(marks) - set(subjects)
        if unknown:
            add("pass_marks", f"未知的科目：{'、'.join(sorted(unknown))}")
        return {k: str(v) for k, v in pass_marks_for(subjects, combined).items()}
    except InvalidInput as exc:
        add("pass_mark", exc.message)
        return {}


def _items(value: Any, add: Any) -> list[PlanItem]:
    if not isinstance(value, list):
        add("items", "应为列表")
        return []
    items: list[PlanItem] = []
    seen: set[tuple[str, str, int]] = set()
    for index, raw in enumerate(value):
        path = f"items[{index}]"
        if not isinstance(raw, dict):
            add(path, "应为对象")
            continue
        item = Body(BatchItemEntry, raw)
        try:
            code = parse_occupation_code(str(item.get("occupation_code", "")), field=path)
            level = int(
                parse_level(cast("int | str", item.get("level", "")), field=f"{path}.level")
            )
        except InvalidInput as exc:
            add(next(iter(exc.fields), path), exc.message)
            continue
        name = str(item.get("occupation_name") or "").strip()
        if not name:
            add(f"{path}.occupation_name", "请填写职业名称")
            continue
        work_type = str(item.get("work_type") or "").strip()
        key = (code, work_type, level)
        if key in seen:
            add(path, "职业、工种和等级重复")
        seen.add(key)
        items.append(PlanItem(code, name[:100], work_type[:100], level))
    return items


def _staff(value: Any, add: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        add("staff", "应为列表")
        return []
    staff = []
    for index, raw in enumerate(value):
        path = f"staff[{index}]"
        if not isinstance(raw, dict):
            add(path, "应为对象")
            continue
        member = Body(BatchStaffEntry, raw)
        role = member.get("role")
        if role not in StaffRole.values:
            add(f"{path}.role", "角色应为 proctor、examiner 或 quality_supervisor")
            continue
        name = str(member.get("name") or "").strip()
        if not name or len(name) > 50:
            add(f"{path}.name", "请填写姓名（不超过 50 个字符）")
            continue
        try:
            id_type = parse_id_type(str(member.get("id_type", "")), field=f"{path}.id_type").code
            number = validate_id_number(
                id_type, str(member.get("id_number", "")), field=f"{path}.id_number"
            )
        except InvalidInput as exc:
            add(next(iter(exc.fields), path), exc.message)
            continue
        staff.append({"role": role, "name": name, "id_type": id_type, "id_number": number})
    return staff


def check_candidates(rows: list[dict[str, Any]], items: list[PlanItem]) -> list[CandidateRow]:
    """The contract's JSON candidates, checked like the rows of an Excel file (row = index+1)."""
    if len(rows) > MAX_CANDIDATES:
        raise InvalidInput.for_field("candidates", f"一个批次最多 {MAX_CANDIDATES} 名考生")
    fields = {v: k for k, v in COLUMN_FIELDS.items()}
    check = RowCheck(PlanIndex(tuple(items)), today=clock.today())
    checked = []
    for index, raw in enumerate(rows, start=1):
        values = (
            {fields[key]: value for key, value in Body(BatchCandidateEntry, raw).items()}
            if isinstance(raw, dict)
            else {}
        )
        row = check.check(index, values)
        if row:
            checked.append(row)
    if check.errors:
        raise RowsInvalid(check.errors)
    return checked


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
        BATCH_MACHINE.move(
            batch,
            transition,
            actor=actor,
            extra_fields=[
                "plan_deadline",
                "plan_deadline_estimated",
                "plan_filed_on",
                "copied_to_province",
            ],
        )
    return batch
