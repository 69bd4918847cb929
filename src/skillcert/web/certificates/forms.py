"""Forms of the certificate pages: search, reasons, correction, seals, the national outbox.

As elsewhere the forms only carry what a person typed; the services check it and their
errors are put next to the fields they name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from skillcert.certificates.models import Certificate, CertificateStatus
from skillcert.rules.idtypes import ID_TYPES
from skillcert.web.display import LEVEL_CHOICES
from skillcert.web.forms import choice_field

STATUS_CHOICES = [("", "全部状态"), *CertificateStatus.choices]


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


class CertificateSearchForm(forms.Form):
    q = forms.CharField(label="证书编号、姓名或证件号码", required=False, max_length=60)
    status = forms.ChoiceField(label="状态", choices=STATUS_CHOICES, required=False)
    batch = forms.ChoiceField(label="认定批次", required=False)

    def __init__(
        self, *args: Any, batches: Iterable[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if batches is None:  # officers: a batch only arrives from a batch page's link
            self.fields["batch"] = forms.CharField(
                required=False, max_length=12, widget=forms.HiddenInput
            )
        else:
            choice_field(self, "batch").choices = [
                ("", "全部批次"),
                *((str(pk), t) for pk, t in batches),
            ]
        self.fields["q"].widget.attrs.update(
            {"placeholder": "完整的证书编号、姓名或证件号码", "autocomplete": "off"}
        )

    def params(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {key: _text(value) for key, value in self.cleaned_data.items() if _text(value)}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="理由", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, label: str = "理由", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label


ID_TYPE_CHOICES = [(t.code, t.name) for t in ID_TYPES.values()]
CORRECTABLE = ("name", "id_type", "id_number", "work_unit")


class CorrectionForm(forms.Form):
    """更正: what is wrong on the certificate; only the fields changed are sent."""

    name = forms.CharField(label="姓名", required=False, max_length=50)
    id_type = forms.ChoiceField(label="证件类型", choices=ID_TYPE_CHOICES, required=False)
    id_number = forms.CharField(label="证件号码", required=False, max_length=30)
    work_unit = forms.CharField(label="所在单位", required=False, max_length=100)
    reason = forms.CharField(
        label="更正原因", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget.attrs.update({"class": "mono", "autocomplete": "off"})

    @staticmethod
    def initial_for(certificate: Certificate) -> dict[str, str]:
        return {key: getattr(certificate, key) for key in CORRECTABLE}

    def payload(self, certificate: Certificate) -> dict[str, str]:
        data = self.cleaned_data
        changed = {
            key: _text(data.get(key))
            for key in CORRECTABLE
            if _text(data.get(key)) != (getattr(certificate, key) or "")
        }
        return {**changed, "reason": _text(data.get("reason"))}


class NationalBatchForm(forms.Form):
    batch = forms.ChoiceField(label="认定批次", required=False)

    def __init__(self, *args: Any, batches: Iterable[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "batch").choices = [("", "请选择"), *((str(pk), t) for pk, t in batches)]


class NationalPeriodForm(forms.Form):
    start = forms.CharField(
        label="发证日期自", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.CharField(
        label="发证日期至", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    PATHS = {"from": "start", "to": "end"}


class SegmentForm(forms.Form):
    organization = forms.ChoiceField(label="评价组织", required=False)
    filing_number = forms.CharField(
        label="或输入备案号", max_length=13, required=False, widget=forms.TextInput()
    )
    year = forms.CharField(label="年份", max_length=4, required=False)
    level = forms.ChoiceField(
        label="等级", choices=[("", "请选择"), *LEVEL_CHOICES], required=False
    )
    first = forms.CharField(label="起始流水号", max_length=6, required=False)
    last = forms.CharField(label="结束流水号", max_length=6, required=False)

    def __init__(self, *args: Any, organizations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "organization").choices = [("", "请选择"), *organizations]
        self.fields["filing_number"].widget.attrs.update(
            {"class": "mono", "placeholder": "如 S000034010001", "autocomplete": "off"}
        )
        for name in ("year", "first", "last"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"
