"""Forms of the supervision pages, and their translation into the services' payloads.

As elsewhere, the forms only carry what was typed: the services check it, and their errors
come back next to the fields they name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from skillcert.supervision.models import Conclusion, TargetKind, ViolationKind
from skillcert.web.display import LEVEL_CHOICES
from skillcert.web.forms import choice_field

DATE_HINT = "日期格式应为 YYYY-MM-DD"
STAGES = [
    "计划报备",
    "考务管理",
    "理论知识考试",
    "操作技能考核",
    "综合评审",
    "阅卷评分",
    "结果公示",
    "证书发放",
    "档案管理",
]


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _count(value: Any) -> Any:
    """A typed count as a number when it is one; otherwise as typed (the service explains)."""
    text = _text(value)
    return int(text) if text.isdigit() and len(text) < 10 else (text or None)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


class DrawForm(forms.Form):
    """The scope of a draw (kind and filters: the pools) and what to draw from it."""

    targets = forms.ChoiceField(
        label="抽查对象",
        choices=TargetKind.choices,
        initial=TargetKind.ORGANIZATIONS,
        widget=forms.RadioSelect,
        required=False,
    )
    start = forms.CharField(label="认定开始日期自", required=False, widget=_date_input())
    end = forms.CharField(label="至", required=False, widget=_date_input())
    occupation = forms.CharField(label="职业（名称或编码）", max_length=100, required=False)
    level = forms.ChoiceField(
        label="等级", choices=[("", "全部等级"), *LEVEL_CHOICES], required=False
    )
    count = forms.CharField(
        label="抽取对象数",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "num"}),
    )
    inspectors = forms.CharField(
        label="每个对象的督查员数",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "num"}),
    )
    seed = forms.CharField(
        label="随机种子（可不填）",
        max_length=64,
        required=False,
        help_text="不填时由抽取日期、本部门代码和两个库的摘要生成，任何人都可以核对。",
    )

    SCOPE = ("targets", "start", "end", "occupation", "level")
    # The services' names of the filters → the fields of this form.
    PATHS = {"from": "start", "to": "end"}

    def clean_targets(self) -> str:
        return self.cleaned_data.get("targets") or TargetKind.ORGANIZATIONS

    def _date(self, name: str) -> str:
        text = _text(self.cleaned_data.get(name))
        if text:
            try:
                dt.date.fromisoformat(text)
            except ValueError:
                raise forms.ValidationError(DATE_HINT) from None
        return text

    def clean_start(self) -> str:
        return self._date("start")

    def clean_end(self) -> str:
        return self._date("end")

    def clean(self) -> dict[str, Any]:
        super().clean()  # Form.clean returns cleaned_data; the stubs allow None
        data = self.cleaned_data
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "结束日期不能早于开始日期")
        return data

    def filters(self) -> dict[str, Any]:
        """The filters as ``services.draws.target_pool`` takes them (after ``is_valid``)."""
        data = self.cleaned_data
        filters: dict[str, Any] = {}
        if data.get("start"):
            filters["from"] = data["start"]
        if data.get("end"):
            filters["to"] = data["end"]
        if _text(data.get("occupation")):
            filters["occupation"] = _text(data["occupation"])
        if data.get("level"):
            filters["level"] = int(data["level"])
        return filters

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "targets": data.get("targets") or self.data.get("targets"),
            "count": _count(self.data.get("count")),
            "inspectors": _count(self.data.get("inspectors")),
            "seed": _text(self.data.get("seed")),
            "from": _text(self.data.get("start")),
            "to": _text(self.data.get("end")),
            "occupation": _text(self.data.get("occupation")),
            "level": _text(self.data.get("level")),
        }

    def scope_query(self) -> dict[str, str]:
        """The scope as the query string of the page that shows its pools."""
        return {name: _text(self.data.get(name)) for name in self.SCOPE if self.data.get(name)}


class FindingForm(forms.Form):
    stage = forms.CharField(
        label="检查环节",
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"list": "stages", "placeholder": "如 考务管理、操作技能考核"}
        ),
    )
    findings = forms.CharField(
        label="发现情况", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachment = forms.FileField(
        label="附件（PDF、JPEG 或 PNG，可不传）",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"}
        ),
    )

    PATHS = {"file": "attachment"}

    def payload(self) -> dict[str, str]:
        return {
            "stage": _text(self.data.get("stage")),
            "findings": _text(self.data.get("findings")),
        }


class ConclusionForm(forms.Form):
    conclusion = forms.ChoiceField(
        label="检查结论", choices=Conclusion.choices, widget=forms.RadioSelect, required=False
    )
    note = forms.CharField(
        label="结论说明", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    requirement = forms.CharField(
        label="整改要求（限期整改时填写）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    due_on = forms.CharField(
        label="整改期限（限期整改时填写）", required=False, widget=_date_input()
    )

    def payload(self) -> dict[str, str]:
        return {
            key: _text(self.data.get(key))
            for key in ("conclusion", "note", "requirement", "due_on")
        }


class ConflictForm(forms.Form):
    organization = forms.ChoiceField(label="评价组织", required=False)
    reason = forms.CharField(
        label="回避原因",
        max_length=200,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": "如 曾在该机构任职、授课，有亲属在该机构工作"}
        ),
    )

    def __init__(self, *args: Any, organizations: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "organization").choices = [
            ("", "请选择评价组织"),
            *((str(o.pk), f"{o.name}（{o.filing_number or '未备案'}）") for o in organizations),
        ]


class RectificationForm(forms.Form):
    response = forms.CharField(
        label="整改情况", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class AnnualReportForm(forms.Form):
    narrative = forms.CharField(
        label="年度工作情况",
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 8,
                "placeholder": "开展认定的职业（工种）和等级、组织实施和质量控制情况、"
                "存在的问题和改进措施等",
            }
        ),
    )


class ViolationForm(forms.Form):
    kind = forms.ChoiceField(
        label="违规类型",
        choices=[("", "请选择"), *ViolationKind.choices],
        required=False,
    )
    description = forms.CharField(
        label="违规情况", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    inspection = forms.ChoiceField(label="相关的监督检查（可不选）", required=False)
    exit = forms.BooleanField(label="同时撤销备案（退出）", required=False)

    def __init__(self, *args: Any, inspections: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "inspection").choices = [
            ("", "不关联"),
            *(
                (
                    str(i.pk),
                    f"#{i.pk} {i.created_at:%Y-%m-%d} {i.get_state_display()}"
                    + (f"：{i.get_conclusion_display()}" if i.conclusion else ""),
                )
                for i in inspections
            ),
        ]

    def payload(self) -> dict[str, Any]:
        inspection = _text(self.data.get("inspection"))
        payload: dict[str, Any] = {
            "kind": _text(self.data.get("kind")),
            "description": _text(self.data.get("description")),
            "exit": self.data.get("exit") in {"on", "1", "true"},
        }
        if inspection:
            payload["inspection"] = int(inspection) if inspection.isdigit() else inspection
        return payload


class PeriodForm(forms.Form):
    start = forms.DateField(label="发证日期自", required=False, widget=_date_input())
    end = forms.DateField(label="至", required=False, widget=_date_input())

    def clean(self) -> dict[str, Any]:
        super().clean()  # Form.clean returns cleaned_data; the stubs allow None
        data = self.cleaned_data
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "结束日期不能早于开始日期")
        return data

    def period(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The period asked for (after ``is_valid``): this year until today by default."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("start") or dt.date(today.year, 1, 1), data.get("end") or today
