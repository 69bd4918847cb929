"""Forms of the filing pages (the application wizard, the officers' decisions), and the
translation between them and the services' payloads (``registry.payloads``)."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from skillcert.registry.models import (
    Category,
    EvaluationMethod,
    ExitReason,
    FilingCase,
    FilingOccupation,
)
from skillcert.registry.payloads import BASIC_FIELDS, NARRATIVE_FIELDS
from skillcert.rules.errors import DomainError
from skillcert.rules.filing import NATURE_LABELS
from skillcert.web.display import LEVEL_CHOICES
from skillcert.web.forms import as_text

# --- the application wizard -------------------------------------------------------------

NATURE_CHOICES = [("", "请选择"), *((n.value, label) for n, label in NATURE_LABELS.items())]
CHANNEL_CHOICES = [
    ("city", "市级渠道：向登记注册地的市人社局申请"),
    ("province", "省直渠道：中央驻皖分支机构、省级行业主管部门推荐的单位，向省人社厅申请"),
]
FLAG_LABELS = {
    "already_filed": "本单位是已备案开展职业技能等级认定（含试点）的企业或技工院校",
    "same_scope": "本次申请的职业（工种）及等级与已开展认定的相同",
    "priority_standards": "参与过国家职业技能标准、题库、教材等编制",
    "priority_appraisal_station": "设有职业技能鉴定所（站），连续 3 年以上开展职业资格评价",
    "priority_self_certification": "已备案开展自主认定，社会认可度高",
    "pledge_signed": (
        "本单位承诺：所填信息和提交的材料真实有效；依法依规开展职业技能等级认定，"
        "坚持社会效益优先、不以营利为目的，接受人社部门监管和社会公众监督。"
    ),
}
BASIC_PLACEHOLDERS = {
    "registered_capital": "如：500 万元",
    "contact_phone": "如：0551-62620000",
    "credit_code": "18 位统一社会信用代码",
}


class BasicForm(forms.Form):
    """附件1 一: the organization's basic information, its category and channel."""

    category = forms.ChoiceField(
        label="组织类别", choices=Category.choices, widget=forms.RadioSelect, required=False
    )
    channel = forms.ChoiceField(
        label="申请渠道", choices=CHANNEL_CHOICES, widget=forms.RadioSelect, required=False
    )
    industry = forms.CharField(label="所属行业系统（省直渠道）", max_length=100, required=False)
    recommended_by = forms.CharField(
        label="推荐单位（省直渠道：中央驻皖分支机构或省级行业主管部门）",
        max_length=100,
        required=False,
    )
    already_filed = forms.BooleanField(label=FLAG_LABELS["already_filed"], required=False)
    same_scope = forms.BooleanField(label=FLAG_LABELS["same_scope"], required=False)

    def __init__(self, *args: Any, show_channel: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in BASIC_FIELDS.items():
            if key == "nature":
                field: forms.Field = forms.ChoiceField(
                    label=label, choices=NATURE_CHOICES, required=False
                )
            else:
                field = forms.CharField(label=label, max_length=200, required=False)
                if key in BASIC_PLACEHOLDERS:
                    field.widget.attrs["placeholder"] = BASIC_PLACEHOLDERS[key]
            self.fields[key] = field
        self.fields["contact_email"].widget.input_type = "email"
        self.fields["contact_phone"].widget.input_type = "tel"
        self.fields["credit_code"].widget.attrs["class"] = "mono"
        if not show_channel:
            del self.fields["channel"]

    @staticmethod
    def initial_for(case: FilingCase) -> dict[str, Any]:
        return {
            **{key: case.basic.get(key, "") for key in BASIC_FIELDS},
            "category": case.category,
            "channel": case.channel,
            "industry": case.industry,
            "recommended_by": case.recommended_by,
            "already_filed": case.already_filed,
            "same_scope": case.same_scope,
        }

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        payload: dict[str, Any] = {
            "basic": {key: data.get(key, "") for key in BASIC_FIELDS},
            "industry": data.get("industry", ""),
            "recommended_by": data.get("recommended_by", ""),
            "already_filed": bool(data.get("already_filed")),
            "same_scope": bool(data.get("same_scope")),
        }
        if data.get("category"):
            payload["category"] = data["category"]
        if data.get("channel"):
            payload["channel"] = data["channel"]
        return payload

    @staticmethod
    def paths() -> dict[str, str]:
        return {f"basic.{key}": key for key in BASIC_FIELDS} | {"city": "channel"}


class OccupationForm(forms.Form):
    """One row of 附件1's occupations table."""

    name = forms.CharField(label="职业（工种）名称", max_length=100, required=False)
    code = forms.CharField(label="职业编码", max_length=16, required=False)
    work_type = forms.CharField(label="工种", max_length=100, required=False)
    new_occupation = forms.BooleanField(label="新职业", required=False)
    years = forms.CharField(label="培训评价年限", max_length=6, required=False)
    persons = forms.CharField(label="已培训评价人数", max_length=10, required=False)
    subsidised = forms.BooleanField(label="补贴性培训", required=False)
    levels = forms.MultipleChoiceField(
        label="评价等级范围",
        choices=LEVEL_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    experience_level = forms.ChoiceField(
        label="已有评价经历最高等级", choices=[("", "无"), *LEVEL_CHOICES], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update(
            {"autocomplete": "off", "data-occupation-name": "", "placeholder": "输入名称查找"}
        )
        self.fields["code"].widget.attrs.update(
            {"class": "mono", "placeholder": "如 6-18-02-04", "data-occupation-code": ""}
        )
        self.fields["new_occupation"].widget.attrs["data-occupation-new"] = ""
        for name in ("years", "persons"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "class": "num"})

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any(
            as_text(data.get(key)) for key in ("name", "code", "work_type", "years", "persons")
        ) and not data.get("levels")

    def row(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": as_text(data.get("name")),
            "code": as_text(data.get("code")),
            "work_type": as_text(data.get("work_type")),
            "new_occupation": bool(data.get("new_occupation")),
            "years": as_text(data.get("years")),
            "persons": as_text(data.get("persons")),
            "subsidised": bool(data.get("subsidised")),
            "levels": [int(level) for level in data.get("levels") or []],
            "experience_level": int(data["experience_level"])
            if data.get("experience_level")
            else None,
        }

    @staticmethod
    def initial_for(occupation: FilingOccupation) -> dict[str, Any]:
        return {
            "name": occupation.name,
            "code": occupation.code,
            "work_type": occupation.work_type,
            "new_occupation": occupation.new_occupation,
            "years": occupation.years,
            "persons": occupation.persons,
            "subsidised": occupation.subsidised,
            "levels": [str(level) for level in occupation.levels],
            "experience_level": str(occupation.experience_level or ""),
        }


OccupationFormSet = forms.formset_factory(OccupationForm, extra=0, max_num=100, absolute_max=100)
OCCUPATION_PREFIX = "occ"
_ROW_PATH = re.compile(r"^occupations\[(\d+)\](?:\.(\w+))?$")


def occupations_payload(formset: Any) -> tuple[list[dict[str, Any]], list[int]]:
    """The non-blank rows, and for each the index of the form it came from."""
    rows, origin = [], []
    for index, form in enumerate(formset.forms):
        if form.is_blank():
            continue
        rows.append(form.row())
        origin.append(index)
    return rows, origin


def add_occupation_errors(formset: Any, error: DomainError, origin: list[int]) -> list[str]:
    """Put ``occupations[i].field`` errors on their row; returns the messages for the table."""
    general: list[str] = []
    for path, messages in error.fields.items():
        match = _ROW_PATH.match(path)
        if not match or int(match.group(1)) >= len(origin):
            general.extend(messages)
            continue
        form = formset.forms[origin[int(match.group(1))]]
        field = match.group(2)
        form.add_error(field if field in form.fields else None, list(messages))
    if not error.fields:
        general.append(error.message)
    return general


class RecordForm(forms.Form):
    """附件1 二-五: experience, the organization's strengths, priority factors and the pledge."""

    years_continuous = forms.CharField(label="连续开展培训评价年限（年）", required=False)
    persons_total = forms.CharField(label="累计培训评价人次", required=False)
    subsidised_training = forms.BooleanField(label="承担政府补贴性职业技能培训任务", required=False)
    priority_standards = forms.BooleanField(label=FLAG_LABELS["priority_standards"], required=False)
    priority_appraisal_station = forms.BooleanField(
        label=FLAG_LABELS["priority_appraisal_station"], required=False
    )
    priority_self_certification = forms.BooleanField(
        label=FLAG_LABELS["priority_self_certification"], required=False
    )
    pledge_signed = forms.BooleanField(label=FLAG_LABELS["pledge_signed"], required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("years_continuous", "persons_total"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric"})
        for key, label in NARRATIVE_FIELDS.items():
            self.fields[key] = forms.CharField(
                label=label,
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    @staticmethod
    def initial_for(case: FilingCase) -> dict[str, Any]:
        record = case.record or {}
        return {
            "years_continuous": record.get("years_continuous", ""),
            "persons_total": record.get("persons_total", ""),
            "subsidised_training": record.get("subsidised_training", False),
            **{key: case.narrative.get(key, "") for key in NARRATIVE_FIELDS},
            "priority_standards": case.priority_standards,
            "priority_appraisal_station": case.priority_appraisal_station,
            "priority_self_certification": case.priority_self_certification,
            "pledge_signed": case.pledge_signed,
        }

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "record": {
                "years_continuous": as_text(data.get("years_continuous")),
                "persons_total": as_text(data.get("persons_total")),
                "subsidised_training": bool(data.get("subsidised_training")),
            },
            "narrative": {key: data.get(key, "") for key in NARRATIVE_FIELDS},
            "priority_standards": bool(data.get("priority_standards")),
            "priority_appraisal_station": bool(data.get("priority_appraisal_station")),
            "priority_self_certification": bool(data.get("priority_self_certification")),
            "pledge_signed": bool(data.get("pledge_signed")),
        }

    @staticmethod
    def paths() -> dict[str, str]:
        return {
            "record.years_continuous": "years_continuous",
            "record.persons_total": "persons_total",
            "record.subsidised_training": "subsidised_training",
            **{f"narrative.{key}": key for key in NARRATIVE_FIELDS},
        }


# --- officers ---------------------------------------------------------------------------


class EvaluationForm(forms.Form):
    method = forms.ChoiceField(
        label="评估方式", choices=[("", "请选择"), *EvaluationMethod.choices], required=False
    )
    evaluators = forms.CharField(label="评估人员（多人用顿号分隔）", max_length=200, required=False)
    date = forms.CharField(
        label="评估日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    score = forms.CharField(
        label="评分（0-100，可不填）",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    opinion = forms.CharField(
        label="评估意见", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def payload(self) -> dict[str, Any]:
        return {key: as_text(value) for key, value in self.cleaned_data.items()}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="理由（申请单位将看到）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ResolveObjectionForm(forms.Form):
    upheld = forms.ChoiceField(
        label="处理结果",
        choices=[("1", "异议成立（申请按未予遴选办结）"), ("0", "异议不成立")],
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(
        label="处理意见", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def upheld_value(self) -> bool | None:
        value = self.cleaned_data.get("upheld")
        return {"1": True, "0": False}.get(value or "")


REVOKE_CHOICES = [
    (reason.value, reason.label) for reason in ExitReason if reason != ExitReason.MERGED
]


class RevokeForm(forms.Form):
    category = forms.ChoiceField(label="撤销原因", choices=REVOKE_CHOICES, required=False)
    reason = forms.CharField(
        label="撤销说明（将在公告中公布）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ThresholdsForm(forms.Form):
    years_continuous = forms.CharField(label="连续开展培训评价年限（年）", required=False)
    persons_total = forms.CharField(label="累计培训评价人次", required=False)
    persons_per_occupation = forms.CharField(label="每个职业（工种）培训评价人次", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.update({"inputmode": "numeric", "placeholder": "不设条件则留空"})

    def payload(self) -> dict[str, Any]:
        """Digits become numbers; anything else goes to the service as typed (it says why)."""
        values: dict[str, Any] = {}
        for key, value in self.cleaned_data.items():
            text = as_text(value)
            values[key] = int(text) if text.isdigit() else (text or None)
        return values


class SealDecisionForm(forms.Form):
    note = forms.CharField(
        label="说明（不予确认时必填，评价组织将看到）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
