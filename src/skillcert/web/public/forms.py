"""Forms of the public pages: verification, registration, objections, the catalog."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from skillcert.web.display import LEVEL_CHOICES
from skillcert.web.forms import as_text, choice_field


class VerifyForm(forms.Form):
    number = forms.CharField(label="证书编号", max_length=40)
    name = forms.CharField(label="姓名", max_length=60)


class RegisterForm(forms.Form):
    name = forms.CharField(label="单位名称", max_length=200)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=40)
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput)
    password_again = forms.CharField(label="确认密码", widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        super().clean()  # Form.clean returns cleaned_data; the stubs allow None
        data = self.cleaned_data
        if data.get("password") != data.get("password_again"):
            self.add_error("password_again", "两次输入的密码不一致")
        return data


class ObjectionForm(forms.Form):
    content = forms.CharField(
        label="异议内容（请写明事实和理由）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    contact = forms.CharField(
        label="联系方式（姓名和电话，仅供处理机关核实）", required=False, max_length=100
    )


class ObjectionLookupForm(forms.Form):
    reference = forms.CharField(label="办件编号", max_length=24)
    code = forms.CharField(label="查询码", max_length=20)


class CatalogFilterForm(forms.Form):
    scope = forms.CharField(required=False, widget=forms.HiddenInput)
    city = forms.ChoiceField(label="可开展认定的地市", required=False)
    occupation = forms.CharField(label="职业（工种）或编码", required=False, max_length=100)
    level = forms.ChoiceField(
        label="等级", choices=[("", "全部等级"), *LEVEL_CHOICES], required=False
    )
    q = forms.CharField(label="名称或备案号", required=False, max_length=100)

    def __init__(self, *args: Any, cities: Iterable[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "city").choices = [("", "全部地市"), *cities]

    def params(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {key: as_text(value) for key, value in self.cleaned_data.items() if value}
