"""Forms of the batch pages, and the translation between them and the services' payloads.

As on the filing pages, the forms only carry what a person typed; the services check it
(``assessment.services.plan_input.parse_plan`` …) and their errors, keyed by paths such as
``start_date``, ``staff[1].id_number`` or ``results[0].scores.理论知识``, come back next to
the matching field.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django import forms

from skillcert.assessment.models import Batch, StaffRole
from skillcert.rules.errors import DomainError
from skillcert.rules.idtypes import ID_TYPES, RESIDENT_ID
from skillcert.rules.levels import level_name
from skillcert.web.forms import choice_field

if TYPE_CHECKING:
    from skillcert.registry.models import Organization

ID_TYPE_CHOICES = [(t.code, t.name) for t in ID_TYPES.values()]
SUBJECT_PREFIX = "subj"
STAFF_PREFIX = "staff"
BLANK_SUBJECTS = 2
BLANK_STAFF = 2
DEFAULT_SUBJECTS = ("理论知识", "操作技能")
_STAFF_PATH = re.compile(r"^staff\[(\d+)\](?:\.(\w+))?$")


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def item_value(code: str, work_type: str, level: int) -> str:
    return f"{code}|{work_type}|{level}"


class PlanForm(forms.Form):
    """The plan (五(一)): title, time and place, overview, the occupations and levels."""

    title = forms.CharField(label="批次名称", max_length=200, required=False)
    start_date = forms.CharField(
        label="认定开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.CharField(
        label="认定结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    site_city = forms.ChoiceField(label="认定地点所在地市", required=False)
    site_address = forms.CharField(label="认定地点（详细地址）", max_length=200, required=False)
    overview = forms.CharField(
        label="批次概况（组织方式、考场安排等）",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    industry_only = forms.BooleanField(
        label="本批次仅面向本行业系统内的人员（省直渠道备案的评价组织）", required=False
    )
    items = forms.MultipleChoiceField(
        label="认定职业（工种）及等级", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args: Any,
        cities: list[tuple[str, str]],
        scope: list[dict[str, Any]],
        show_industry: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "site_city").choices = [("", "请选择"), *cities]
        self.scope = scope
        choice_field(self, "items").choices = [
            (choice["value"], choice["label"]) for group in scope for choice in group["choices"]
        ]
        self.fields["title"].widget.attrs["placeholder"] = "如：2026年第10期焊工职业技能等级认定"
        if not show_industry:
            del self.fields["industry_only"]

    def item_groups(self) -> list[dict[str, Any]]:
        """The scope grouped by occupation, each level ticked as the form holds it."""
        chosen = set(self["items"].value() or [])
        return [
            {
                **group,
                "choices": [{**c, "checked": c["value"] in chosen} for c in group["choices"]],
            }
            for group in self.scope
        ]

    @staticmethod
    def initial_for(batch: Batch) -> dict[str, Any]:
        return {
            "title": batch.title,
            "start_date": batch.start_date.isoformat() if batch.start_date else "",
            "end_date": batch.end_date.isoformat() if batch.end_date else "",
            "site_city": batch.site_city.code if batch.site_city_id else "",
            "site_address": batch.site_address,
            "overview": batch.overview,
            "industry_only": batch.industry_only,
            "items": [
                item_value(i.occupation_code, i.work_type, i.level) for i in batch.items.all()
            ],
        }

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        by_value = {c["value"]: c for group in self.scope for c in group["choices"]}
        payload: dict[str, Any] = {
            key: _text(data.get(key))
            for key in ("title", "start_date", "end_date", "site_city", "site_address", "overview")
        }
        payload["items"] = [
            {
                "occupation_code": by_value[value]["code"],
                "occupation_name": by_value[value]["name"],
                "work_type": by_value[value]["work_type"],
                "level": by_value[value]["level"],
            }
            for value in data.get("items") or []
            if value in by_value
        ]
        if "industry_only" in self.fields:
            payload["industry_only"] = bool(data.get("industry_only"))
        return payload


def scope_choices(organization: Organization, batch: Batch | None = None) -> list[dict[str, Any]]:
    """The occupations and levels of the filed scope; a batch's items outside it are kept
    (marked) so that editing never drops them silently."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for scope in organization.scope_items.all():
        key = (scope.occupation_code, scope.work_type)
        groups[key] = {
            "code": scope.occupation_code,
            "name": scope.occupation_name,
            "work_type": scope.work_type,
            "outside": False,
            "levels": set(scope.levels),
        }
    outside: set[tuple[str, str, int]] = set()
    for item in batch.items.all() if batch is not None else []:
        key = (item.occupation_code, item.work_type)
        group = groups.setdefault(
            key,
            {
                "code": item.occupation_code,
                "name": item.occupation_name,
                "work_type": item.work_type,
                "outside": True,
                "levels": set(),
            },
        )
        if item.level not in group["levels"]:
            group["levels"].add(item.level)
            outside.add((item.occupation_code, item.work_type, item.level))
    result = []
    for (code, work_type), group in sorted(groups.items()):
        work = f"（{work_type}）" if work_type else ""
        result.append(
            {
                "label": f"{group['name']}{work}",
                "code": code,
                "outside": group["outside"],
                "choices": [
                    {
                        "value": item_value(code, work_type, level),
                        "label": level_name(level),
                        "code": code,
                        "name": group["name"],
                        "work_type": work_type,
                        "level": level,
                        "outside": (code, work_type, level) in outside,
                    }
                    for level in sorted(group["levels"])
                ],
            }
        )
    return result


class SubjectForm(forms.Form):
    name = forms.CharField(label="认定科目", max_length=20, required=False)
    pass_mark = forms.CharField(label="合格分数线", max_length=6, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["placeholder"] = "如 理论知识"
        self.fields["pass_mark"].widget.attrs.update(
            {"inputmode": "decimal", "placeholder": "60", "class": "num"}
        )

    def is_blank(self) -> bool:
        return not _text(self.cleaned_data.get("name"))


SubjectFormSet = forms.formset_factory(SubjectForm, extra=0, max_num=20, absolute_max=20)


class StaffForm(forms.Form):
    role = forms.ChoiceField(label="角色", choices=StaffRole.choices, required=False)
    name = forms.CharField(label="姓名", max_length=50, required=False)
    id_type = forms.ChoiceField(label="证件类型", choices=ID_TYPE_CHOICES, required=False)
    id_number = forms.CharField(label="证件号码", max_length=30, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget.attrs.update({"class": "mono", "autocomplete": "off"})

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (_text(data.get("name")) or _text(data.get("id_number")))


StaffFormSet = forms.formset_factory(StaffForm, extra=0, max_num=200, absolute_max=200)


def subject_initial(batch: Batch | None) -> list[dict[str, Any]]:
    if batch is None or not batch.subjects:
        rows = [{"name": name, "pass_mark": "60"} for name in DEFAULT_SUBJECTS]
    else:
        rows = [
            {"name": subject, "pass_mark": str(batch.pass_marks.get(subject, 60))}
            for subject in batch.subjects
        ]
    return rows + [{} for _ in range(BLANK_SUBJECTS)]


def staff_initial(batch: Batch | None) -> list[dict[str, Any]]:
    members = list(batch.staff.all()) if batch is not None else []
    if not members:
        return [{"role": role.value, "id_type": RESIDENT_ID} for role in StaffRole]
    rows = [
        {"role": m.role, "name": m.name, "id_type": m.id_type, "id_number": m.id_number}
        for m in members
    ]
    return rows + [
        {"role": StaffRole.PROCTOR.value, "id_type": RESIDENT_ID} for _ in range(BLANK_STAFF)
    ]


def subjects_payload(formset: Any) -> dict[str, Any]:
    subjects: list[str] = []
    marks: dict[str, str] = {}
    for form in formset.forms:
        if form.is_blank():
            continue
        name = _text(form.cleaned_data.get("name"))
        subjects.append(name)
        mark = _text(form.cleaned_data.get("pass_mark"))
        if mark:
            marks[name] = mark
    return {"subjects": subjects, "pass_marks": marks}


def staff_payload(formset: Any) -> tuple[list[dict[str, str]], list[int]]:
    rows, origin = [], []
    for index, form in enumerate(formset.forms):
        if form.is_blank():
            continue
        data = form.cleaned_data
        rows.append(
            {
                "role": data.get("role") or "",
                "name": _text(data.get("name")),
                "id_type": data.get("id_type") or "",
                "id_number": _text(data.get("id_number")),
            }
        )
        origin.append(index)
    return rows, origin


PLAN_FIELDS = ("title", "start_date", "end_date", "site_city", "site_address", "overview")


def add_plan_errors(
    form: PlanForm, staff: Any, error: DomainError, staff_origin: list[int]
) -> dict[str, list[str]]:
    """Put the service's field errors next to their fields; the rest by group
    (``subjects``, ``items``, ``staff``, ``general``) for the template."""
    groups: dict[str, list[str]] = {}
    for path, messages in error.fields.items():
        head = path.split("[", 1)[0].split(".", 1)[0]
        if head in PLAN_FIELDS or head == "industry_only":
            form.add_error(head if head in form.fields else None, list(messages))
        elif head in {"subjects", "pass_mark", "pass_marks"}:
            groups.setdefault("subjects", []).extend(messages)
        elif head == "items":
            groups.setdefault("items", []).extend(messages)
        elif head == "staff":
            match = _STAFF_PATH.match(path)
            if match and int(match.group(1)) < len(staff_origin):
                row = staff.forms[staff_origin[int(match.group(1))]]
                field = match.group(2)
                row.add_error(field if field in row.fields else None, list(messages))
            else:
                groups.setdefault("staff", []).extend(messages)
        else:
            groups.setdefault("general", []).extend(messages)
    return groups


class AbsenceForm(forms.Form):
    absent_numbers = forms.CharField(
        label="缺考考生的证件号码（每行一个）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "mono"}),
    )


class InspectionForm(forms.Form):
    stage = forms.CharField(label="抽查环节", max_length=100, required=False)
    findings = forms.CharField(
        label="发现情况", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].widget.attrs["placeholder"] = "如 理论知识考试、操作技能考核、阅卷"

    def payload(self) -> dict[str, str]:
        return {key: _text(self.cleaned_data.get(key)) for key in ("stage", "findings")}


class BatchObjectionForm(forms.Form):
    upheld = forms.ChoiceField(
        label="处理结果",
        choices=[
            ("1", "异议成立（结果退回评价组织更正后重新公示）"),
            ("0", "异议不成立"),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(
        label="处理意见", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def upheld_value(self) -> bool | None:
        return {"1": True, "0": False}.get(self.cleaned_data.get("upheld") or "")
