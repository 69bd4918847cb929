"""一次性告知 (domain.md §9): what a reviewing officer may name for correction on a case.

A target is a field path of the case's own data, as the contract and the wizard name it
(``basic.contact_phone``, ``record.persons_total``, ``narrative.sites``, ``occupations`` or
one row ``occupations[2]``, a flag such as ``pledge_signed``), or the type of one of the
case's uploaded materials (``plan``). ``targets_of`` lists those the case has, each with the
words the applicant reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from skillcert.registry.models import Channel, FilingCase
from skillcert.registry.payloads import BASIC_FIELDS, NARRATIVE_FIELDS
from skillcert.registry.workflow import FilingKind
from skillcert.rules.errors import InvalidInput
from skillcert.rules.filing import MATERIAL_LABELS, Material

MAX_ITEMS = 100
MAX_MESSAGE = 500

RECORD_LABELS = {
    "years_continuous": "连续开展培训评价年限",
    "persons_total": "累计培训评价人次",
    "subsidised_training": "承担政府补贴性职业技能培训任务情况",
}
FLAG_LABELS = {
    "already_filed": "已开展认定情况",
    "same_scope": "申请职业（工种）及等级与已开展认定的是否相同",
    "priority_standards": "参与标准、题库、教材编制情况",
    "priority_appraisal_station": "职业技能鉴定所（站）情况",
    "priority_self_certification": "已备案开展自主认定情况",
    "pledge_signed": "承诺",
}


def targets_of(case: FilingCase) -> dict[str, str]:
    """Every target the case has, in the wizard's order, with its label (基本信息表 wording)."""
    targets: dict[str, str] = {"category": "组织类别"}
    if case.kind == FilingKind.INITIAL:
        targets["channel"] = "申请渠道"
    if case.channel == Channel.PROVINCE:
        targets["industry"] = "所属行业系统"
        targets["recommended_by"] = "推荐单位"
    for key, label in BASIC_FIELDS.items():
        targets[f"basic.{key}"] = f"基本信息：{label}"
    targets["already_filed"] = FLAG_LABELS["already_filed"]
    targets["same_scope"] = FLAG_LABELS["same_scope"]
    targets["occupations"] = "拟开展认定的职业（工种）及等级"
    for index, occupation in enumerate(case.occupations.all()):
        work_type = f"（{occupation.work_type}）" if occupation.work_type else ""
        targets[f"occupations[{index}]"] = (
            f"职业（工种）第 {index + 1} 行：{occupation.name}{work_type}"
        )
    for key, label in RECORD_LABELS.items():
        targets[f"record.{key}"] = label
    for key, label in NARRATIVE_FIELDS.items():
        targets[f"narrative.{key}"] = label
    for flag in ("priority_standards", "priority_appraisal_station", "priority_self_certification"):
        targets[flag] = FLAG_LABELS[flag]
    targets["pledge_signed"] = FLAG_LABELS["pledge_signed"]
    uploaded = set(case.materials.values_list("type", flat=True))
    for material in Material:
        if material.value in uploaded:
            targets[material.value] = f"材料《{MATERIAL_LABELS[material]}》"
    return targets


def is_material(target: str) -> bool:
    return target in {m.value for m in Material}


def parse_items(case: FilingCase, data: object) -> list[dict[str, str]]:
    """The request's items, checked against the case: ``[{"target", "message", "label"}]``.

    400 (``fields`` by path) for no item, an item that is not an object, an empty or too long
    message, a target the case does not have, or the same target twice."""
    items = data.get("items") if isinstance(data, Mapping) else None
    if not isinstance(items, list) or not items:
        raise InvalidInput.for_field("items", "请至少列出一项需要补正的内容（字段或材料）及说明")
    if len(items) > MAX_ITEMS:
        raise InvalidInput.for_field("items", f"一次最多告知 {MAX_ITEMS} 项")
    targets = targets_of(case)
    fields: dict[str, list[str]] = {}
    parsed: list[dict[str, str]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        path = f"items[{index}]"
        if not isinstance(item, dict):
            fields.setdefault(path, []).append('应为对象：{"target", "message"}')
            continue
        target = _text(item.get("target"))
        message = _text(item.get("message"))
        if not target:
            fields.setdefault(f"{path}.target", []).append("请指明需要补正的字段或材料")
        elif target not in targets:
            fields.setdefault(f"{path}.target", []).append(
                f"本申请没有「{target[:60]}」这一字段或材料"
            )
        elif target in seen:
            fields.setdefault(f"{path}.target", []).append("同一字段或材料只需告知一次")
        if not message:
            fields.setdefault(f"{path}.message", []).append("请填写需要补正的具体内容")
        elif len(message) > MAX_MESSAGE:
            fields.setdefault(f"{path}.message", []).append(f"说明不能超过 {MAX_MESSAGE} 个字符")
        if target in targets and target not in seen and message and len(message) <= MAX_MESSAGE:
            parsed.append({"target": target, "message": message, "label": targets[target]})
        seen.add(target)
    if fields:
        raise InvalidInput("补正告知有误，请检查标出的事项", fields=fields)
    return parsed


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
