"""Reading a batch plan from its request (``assessment.inputs.BatchRequest``): every field
checked for format, with its path in each error; the candidates checked like rows of an Excel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from skillcert.accounts.models import Authority
from skillcert.assessment.inputs import (
    BatchCandidateEntry,
    BatchItemEntry,
    BatchRequest,
    BatchStaffEntry,
)
from skillcert.assessment.models import StaffRole
from skillcert.rules import clock
from skillcert.rules.assessment import (
    COLUMN_FIELDS,
    MAX_CANDIDATES,
    CandidateRow,
    PlanIndex,
    PlanItem,
    RowCheck,
    RowError,
    pass_marks_for,
)
from skillcert.rules.errors import InvalidInput
from skillcert.rules.idtypes import parse_id_type, validate_id_number
from skillcert.rules.inputs import Body
from skillcert.rules.levels import parse_level
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
