from __future__ import annotations

from django import forms


class VerifyForm(forms.Form):
    number = forms.CharField(label="证书编号", max_length=40)
    name = forms.CharField(label="姓名", max_length=60)


class RegisterForm(forms.Form):
    name = forms.CharField(label="单位名称", max_length=200)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=40)
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput)
    password_again = forms.CharField(label="确认密码", widget=forms.PasswordInput)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password") != data.get("password_again"):
            self.add_error("password_again", "两次输入的密码不一致")
        return data
