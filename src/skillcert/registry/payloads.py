"""Reading a filing application (the contract's body, or the wizard's form) into checked data.

Shape and format are checked here, field by field, with the field's path in every error
(``occupations[0].code``). Completeness is checked at submission (``missing_for_submission``),
so a draft may be saved half-filled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from skillcert.reference.models import Occupation
from skillcert.registry.inputs import (
    FilingBasic,
    FilingNarrative,
    FilingOccupation,
    FilingRecord,
    FilingRequest,
)
from skillcert.rules.credit_code import validate_credit_code
from skillcert.rules.errors import InvalidInput
from skillcert.rules.filing import parse_nature
from skillcert.rules.inputs import Body
from skillcert.rules.levels import parse_level
from skillcert.rules.occupations import parse_occupation_code

BASIC_FIELDS = {
    "name": "名称",
    "address": "地址",
    "registration_authority": "注册登记机构",
    "nature": "机构性质",
    "credit_code": "统一社会信用代码",
    "legal_representative": "法定代表人",
    "registered_capital": "注册资金",
    "contact_name": "联系人",
    "contact_position": "职务",
    "contact_phone": "联系电话",
    "contact_email": "电子邮箱",
}
NARRATIVE_FIELDS = {
    "strengths": "组织优势，专职人员、专家等专业人员情况",
    "sites": "场地、设备设施（含视频监控设备）情况",
    "expertise": "专业优势（培训考核评价经验、参与标准题库教材编制等）",
}
FLAG_FIELDS = (
    "already_filed",
    "same_scope",
    "pledge_signed",
    "priority_standards",
    "priority_appraisal_station",
    "priority_self_certification",
)
MAX_OCCUPATIONS = 100
_PHONE = re.compile(r"^[0-9+()\- ]{7,20}$")


class Errors:
    """Collects every field error, so one answer names all of them."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.fields.setdefault(path, []).append(message)

    def raise_if_any(self, message: str = "提交的数据有误，请检查标出的字段") -> None:
        if self.fields:
            raise InvalidInput(message, fields=self.fields)


@dataclass
class OccupationRow:
    name: str
    code: str
    edition: str
    work_type: str
    new_occupation: bool
    years: int
    persons: int
    subsidised: bool
    levels: list[int]
    experience_level: int | None
    access_type: bool = False
    in_catalog: bool = True


@dataclass
class FilingPayload:
    """The parts of an application present in one request (None = not given)."""

    kind: str | None = None
    channel: str | None = None
    city: str | None = None
    category: str | None = None
    basic: dict[str, str] | None = None
    occupations: list[OccupationRow] | None = None
    record: dict[str, Any] | None = None
    narrative: dict[str, str] | None = None
    industry: str | None = None
    recommended_by: str | None = None
    flags: dict[str, bool] = field(default_factory=dict)


def parse_filing_payload(data: object) -> FilingPayload:
    """Read a ``FilingRequest`` (only its declared keys) into checked data."""
    body = Body(FilingRequest, data)
    if not body.is_object:
        raise InvalidInput("请求内容应为 JSON 对象", code="invalid")
    errors = Errors()
    payload = FilingPayload()
    for key in ("kind", "channel", "city", "category", "industry", "recommended_by"):
        if key in body:
            setattr(payload, key, _text(body[key], key, errors, 100))
    if payload.category is not None and payload.category not in {"S", "Y"}:
        errors.add("category", "类别应为 S（社会培训评价组织）或 Y（用人单位）")
    if payload.channel is not None and payload.channel not in {"city", "province"}:
        errors.add("channel", "渠道应为 city（市级）或 province（省直）")
    if "basic" in body:
        payload.basic = _basic(body["basic"], errors)
    if "occupations" in body:
        payload.occupations = _occupations(body["occupations"], errors)
    if "record" in body:
        payload.record = _record(body["record"], errors)
    if "narrative" in body:
        payload.narrative = _narrative(body["narrative"], errors)
    for flag in FLAG_FIELDS:
        if flag in body:
            value = body[flag]
            if not isinstance(value, bool):
                errors.add(flag, "应为 true 或 false")
            else:
                payload.flags[flag] = value
    errors.raise_if_any()
    return payload


def _text(value: Any, path: str, errors: Errors, max_length: int = 200) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int):
        errors.add(path, "应为文本")
        return ""
    text = str(value).strip()
    if len(text) > max_length:
        errors.add(path, f"不能超过 {max_length} 个字符")
    return text[:max_length]


def _basic(value: Any, errors: Errors) -> dict[str, str]:
    if not isinstance(value, dict):
        errors.add("basic", "应为对象")
        return {}
    fields = Body(FilingBasic, value)
    basic: dict[str, str] = {}
    for key in BASIC_FIELDS:
        if key in fields:
            basic[key] = _text(fields[key], f"basic.{key}", errors)
    for key in set(value) - set(BASIC_FIELDS):  # the keys sent, not read: refused by name
        errors.add(f"basic.{key}", "未知字段")
    if basic.get("nature"):
        nature = parse_nature(basic["nature"])
        if nature is None:
            errors.add(
                "basic.nature",
                "机构性质应为 企业、民办非企业单位、行业协会、科研院所、技工院校 或 其他",
            )
        else:
            basic["nature"] = nature.value
    if basic.get("credit_code"):
        try:
            basic["credit_code"] = validate_credit_code(
                basic["credit_code"], field="basic.credit_code"
            ).code
        except InvalidInput as exc:
            errors.add("basic.credit_code", exc.message)
    if basic.get("contact_phone") and not _PHONE.match(basic["contact_phone"]):
        errors.add("basic.contact_phone", "联系电话格式不正确")
    if basic.get("contact_email"):
        try:
            validate_email(basic["contact_email"])
        except ValidationError:
            errors.add("basic.contact_email", "电子邮箱格式不正确")
    return basic


def _count(value: Any, path: str, errors: Errors, maximum: int = 10_000_000) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool) or not isinstance(value, int | str):
        errors.add(path, "应为非负整数")
        return 0
    try:
        number = int(value)
    except ValueError:
        errors.add(path, "应为非负整数")
        return 0
    if number < 0 or number > maximum:
        errors.add(path, f"应在 0 到 {maximum} 之间")
        return 0
    return number


def _bool(value: Any, path: str, errors: Errors) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        errors.add(path, "应为 true 或 false")
        return False
    return value


def _occupations(value: Any, errors: Errors) -> list[OccupationRow]:
    if not isinstance(value, list):
        errors.add("occupations", "应为列表")
        return []
    if len(value) > MAX_OCCUPATIONS:
        errors.add("occupations", f"一次最多申请 {MAX_OCCUPATIONS} 个职业（工种）")
        return []
    rows = [_occupation(item, f"occupations[{i}]", errors) for i, item in enumerate(value)]
    seen: set[tuple[str, str]] = set()
    for index, row in enumerate(rows):
        if row is None:
            continue
        key = (row.code, row.work_type)
        if key in seen:
            errors.add(f"occupations[{index}]", f"职业（工种）{row.name} {row.work_type} 重复")
        seen.add(key)
    return [row for row in rows if row is not None]


def _occupation(item: Any, path: str, errors: Errors) -> OccupationRow | None:
    if not isinstance(item, dict):
        errors.add(path, "应为对象")
        return None
    item = Body(FilingOccupation, item)
    before = len(errors.fields)
    name = _text(item.get("name"), f"{path}.name", errors, 100)
    raw_code = _text(item.get("code"), f"{path}.code", errors, 16)
    if not name:
        errors.add(f"{path}.name", "请填写职业（工种）名称")
    code = ""
    if not raw_code:
        errors.add(f"{path}.code", "请填写职业编码")
    else:
        try:
            code = parse_occupation_code(raw_code, field=f"{path}.code")
        except InvalidInput as exc:
            errors.add(f"{path}.code", exc.message)
    levels = _levels(item.get("levels"), f"{path}.levels", errors)
    experience = item.get("experience_level")
    experience_level = None
    if experience not in (None, ""):
        try:
            experience_level = int(parse_level(experience, field=f"{path}.experience_level"))
        except InvalidInput as exc:
            errors.add(f"{path}.experience_level", exc.message)
    row = OccupationRow(
        name=name,
        code=code,
        edition="2022",
        work_type=_text(item.get("work_type"), f"{path}.work_type", errors, 100),
        new_occupation=_bool(item.get("new_occupation"), f"{path}.new_occupation", errors),
        years=_count(item.get("years"), f"{path}.years", errors, 200),
        persons=_count(item.get("persons"), f"{path}.persons", errors),
        subsidised=_bool(item.get("subsidised"), f"{path}.subsidised", errors),
        levels=levels,
        experience_level=experience_level,
    )
    if len(errors.fields) == before and code:
        _match_catalog(row, path, errors)
    return row


def _levels(value: Any, path: str, errors: Errors) -> list[int]:
    if not isinstance(value, list) or not value:
        errors.add(path, "请选择评价等级范围（1-5 级中的一个或多个）")
        return []
    levels: set[int] = set()
    for item in value:
        try:
            levels.add(int(parse_level(item, field=path)))
        except InvalidInput as exc:
            errors.add(path, exc.message)
    return sorted(levels)


def _match_catalog(row: OccupationRow, path: str, errors: Errors) -> None:
    """Find the occupation by (edition, code), else by name; refuse access-type ones."""
    occupation = Occupation.objects.filter(edition="2022", code=row.code).first()
    if occupation is None:
        # Codes moved between editions: an unknown code with a known name is accepted and
        # keeps the code as given (the reviewer sees that it was matched by name).
        occupation = Occupation.objects.filter(name=row.name).order_by("edition").first()
        if occupation is None:
            errors.add(
                f"{path}.code",
                f"职业编码 {row.code} 不在职业分类大典（2022年版）中，且名称「{row.name}」"
                "也不是大典职业或新职业",
            )
            return
        row.edition = "2015" if occupation.edition == "2022" else occupation.edition
    elif occupation.name != row.name and not row.name.startswith(occupation.name):
        errors.add(
            f"{path}.name",
            f"职业编码 {row.code} 对应的职业名称为「{occupation.name}」，"
            f"与填写的「{row.name}」不符",
        )
        return
    row.new_occupation = row.new_occupation or occupation.new_occupation
    if occupation.access_type or _access_by_name(row.name):
        row.access_type = True
        errors.add(path, f"「{row.name}」属于准入类职业资格，不能备案开展职业技能等级认定")


def _access_by_name(name: str) -> bool:
    """Access-type by name, against the list officers keep (some have no code)."""
    from skillcert.reference.models import AccessQualification as Row
    from skillcert.rules.occupations import AccessQualification, OccupationIndex

    access = [
        AccessQualification(r.name, r.code_2022 or None, r.authority, r.note)
        for r in Row.objects.all()
    ]
    return OccupationIndex((), access).is_access_type(name, None) is not None


def _record(value: Any, errors: Errors) -> dict[str, Any]:
    if not isinstance(value, dict):
        errors.add("record", "应为对象")
        return {}
    value = Body(FilingRecord, value)
    return {
        "years_continuous": _count(
            value.get("years_continuous"), "record.years_continuous", errors, 200
        ),
        "persons_total": _count(value.get("persons_total"), "record.persons_total", errors),
        "subsidised_training": _bool(
            value.get("subsidised_training"), "record.subsidised_training", errors
        ),
    }


def _narrative(value: Any, errors: Errors) -> dict[str, str]:
    if not isinstance(value, dict):
        errors.add("narrative", "应为对象")
        return {}
    value = Body(FilingNarrative, value)
    return {
        key: _text(value.get(key), f"narrative.{key}", errors, 5000)
        for key in NARRATIVE_FIELDS
        if key in value
    }
