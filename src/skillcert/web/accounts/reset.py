"""找回密码: a reset link by e-mail (``accounts.reset``; issue 14 part 9).

- ``forgot``: the user name or e-mail address; the same answer whether or not an account
  matches (and for the three administrators, whose reset stays with the operator); the
  form's POSTs are rate-limited per client (scope ``auth``), and one account gets at most
  ``MAILS_PER_HOUR`` reset mails an hour.
- ``reset_link``: the link from the mail; a genuine one is kept in the session and the page
  moves to an address without the token (it never leaks through a Referer or the history).
- ``reset_password``: the new password, under the platform's policy and history; the link
  then stops working, every API token of the account ends, the change is audited.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from skillcert.accounts import reset
from skillcert.inbox.delivery import email_enabled, queue_password_reset, recent_password_resets
from skillcert.rules.errors import DomainError
from skillcert.web.accounts.views import POLICY_HELP
from skillcert.web.ratelimit import limit_posts

SESSION_TOKEN = "skillcert_reset_token"  # noqa: S105 (a session key)
# Stands in for the token in the address once the token is kept in the session.
SET_PASSWORD = "set-password"  # noqa: S105
MAILS_PER_HOUR = 3


class ForgotForm(forms.Form):
    identifier = forms.CharField(label="用户名或电子邮箱", max_length=254)


@never_cache
@limit_posts("auth", "password_reset")
def forgot(request: HttpRequest) -> HttpResponse:
    form = ForgotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for user in reset.accounts_for(form.cleaned_data["identifier"]):
            if recent_password_resets(user, dt.timedelta(hours=1)) < MAILS_PER_HOUR:
                queue_password_reset(user)
        return HttpResponseRedirect(reverse("web:password_reset_sent"))
    context = {"form": form, "email_enabled": email_enabled()}
    return render(request, "web/accounts/reset_request.html", context)


def sent(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accounts/reset_sent.html")


class ResetForm(forms.Form):
    new_password = forms.CharField(label="新密码", strip=False, widget=forms.PasswordInput)
    new_password2 = forms.CharField(label="确认新密码", strip=False, widget=forms.PasswordInput)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致")
        return data


@never_cache
def reset_link(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    if token != SET_PASSWORD:
        if reset.user_for_link(uidb64, token) is None:
            return _invalid(request)
        request.session[SESSION_TOKEN] = token
        return HttpResponseRedirect(
            reverse("web:password_reset_confirm", args=[uidb64, SET_PASSWORD])
        )
    token = str(request.session.get(SESSION_TOKEN) or "")
    user = reset.user_for_link(uidb64, token) if token else None
    if user is None:
        return _invalid(request)
    form = ResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reset.complete(user, token, form.cleaned_data["new_password"], request=request)
        except DomainError as exc:
            if not exc.fields:
                return _invalid(request)
            for field, problems in exc.fields.items():
                name = "new_password" if field == "password" else field
                for problem in problems:
                    form.add_error(name if name in form.fields else None, problem)
        else:
            request.session.pop(SESSION_TOKEN, None)
            messages.success(request, "密码已重设，请使用新密码登录")
            return HttpResponseRedirect(reverse("web:login"))
    context = {"form": form, "policy": POLICY_HELP, "username": user.username}
    return render(request, "web/accounts/reset_confirm.html", context)


def _invalid(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_TOKEN, None)
    return render(request, "web/accounts/reset_invalid.html", status=400)
