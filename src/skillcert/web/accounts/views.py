"""Logins and account pages (domain.md §11).

- ``login``: Django's LoginView, recorded (``login``); with a confirmed TOTP device the password
  step is followed by ``login_otp`` (the code, within 5 minutes of the password), and only then
  is the person signed in.
- ``logout``: recorded (``logout``), then Django's LogoutView.
- ``locked_response``: django-axes answers a login refused by the account lock with this page.
- ``password_change``: the person's own password (also where an expired password sends them).
- ``security_locks`` / ``security_unlock`` / ``security_reset``: the security administrator's
  page of locked accounts, unlocking and temporary passwords (everyone else 403).
- ``totp_enroll`` / ``totp_qr``: enrolling a TOTP device; the QR code is an SVG from this server.
"""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from skillcert.accounts import security
from skillcert.accounts.middleware import touch
from skillcert.accounts.models import User
from skillcert.accounts.roles import Role
from skillcert.audit import service as audit
from skillcert.rules.errors import DomainError
from skillcert.web.guards import signed_in_user

PENDING_USER = "skillcert_otp_user"
PENDING_BACKEND = "skillcert_otp_backend"
PENDING_NEXT = "skillcert_otp_next"
PENDING_AT = "skillcert_otp_at"  # when the password was right (real time, a timestamp)
PENDING_SECONDS = 5 * 60  # the code must follow within five minutes
PENDING_EXPIRED_MESSAGE = "验证超时，请重新输入用户名和密码登录"


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if security.has_totp(user):
            # The password was right; the person is signed in only after the code.
            self.request.session.cycle_key()
            self.request.session[PENDING_USER] = user.pk
            self.request.session[PENDING_BACKEND] = user.backend
            self.request.session[PENDING_NEXT] = self.get_success_url()
            self.request.session[PENDING_AT] = time.time()
            return HttpResponseRedirect(reverse("web:login_otp"))
        response = super().form_valid(form)
        _signed_in(self.request, user)
        return response


def _signed_in(request: HttpRequest, user: User) -> None:
    touch(request)
    security.record_login(user, request)


class OtpForm(forms.Form):
    otp = forms.CharField(label="动态验证码", max_length=8)


@never_cache
def login_otp(request: HttpRequest) -> HttpResponse:
    """The second step of a page login: the code of the person's TOTP device."""
    pk = request.session.get(PENDING_USER)
    user = User.objects.filter(pk=pk, is_active=True).first() if pk else None
    if user is None:
        return HttpResponseRedirect(reverse("web:login"))
    started = request.session.get(PENDING_AT)
    elapsed = time.time() - started if isinstance(started, int | float) else None
    if elapsed is None or not 0 <= elapsed <= PENDING_SECONDS:
        for key in (PENDING_USER, PENDING_BACKEND, PENDING_NEXT, PENDING_AT):
            request.session.pop(key, None)
        messages.error(request, PENDING_EXPIRED_MESSAGE)
        return HttpResponseRedirect(reverse("web:login"))
    if security.is_locked(user.username):
        request.session.flush()
        return locked_response(request, None, {"username": user.username})
    form = OtpForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        if security.verify_totp(user, form.cleaned_data["otp"]):
            next_url = request.session.get(PENDING_NEXT) or reverse("web:dashboard")
            backend = request.session.get(PENDING_BACKEND)
            for key in (PENDING_USER, PENDING_BACKEND, PENDING_NEXT, PENDING_AT):
                request.session.pop(key, None)
            auth_login(request, user, backend=backend)
            from django_otp import login as otp_login
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()
            if device is not None:
                otp_login(request, device)
            _signed_in(request, user)
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = reverse("web:dashboard")
            return HttpResponseRedirect(next_url)
        # A wrong code counts as a failed login of the account (and may lock it).
        user_login_failed.send(
            sender=__name__, credentials={"username": user.username}, request=request
        )
        if getattr(request, "axes_locked_out", False) or security.is_locked(user.username):
            request.session.flush()
            return locked_response(request, None, {"username": user.username})
        error = "动态验证码不正确，请输入验证器上当前显示的 6 位数字"
    elif request.method == "POST":
        error = "请输入动态验证码"
    return render(request, "web/accounts/login_otp.html", {"form": form, "error": error})


@require_POST
def logout(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    if isinstance(user, User):
        security.record_logout(user, request)
    return auth_views.LogoutView.as_view()(request)


def locked_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' lockout answer (``AXES_LOCKOUT_CALLABLE``): a page in Chinese, 403."""
    username = ""
    if isinstance(credentials, dict):
        username = str(credentials.get("username") or "")
    if not username:
        username = str(request.POST.get("username", "")) if request.method == "POST" else ""
    context = {"message": security.locked_message(username)}
    return render(request, "web/accounts/locked.html", context, status=403)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原密码", strip=False, widget=forms.PasswordInput)
    new_password = forms.CharField(label="新密码", strip=False, widget=forms.PasswordInput)
    new_password2 = forms.CharField(label="确认新密码", strip=False, widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致")
        return data


POLICY_HELP = [
    "至少 10 个字符；",
    "包含大写字母、小写字母、数字和符号中的至少三类；",
    "不能包含用户名；",
    "不能与最近 5 次使用过的密码相同。",
]


@never_cache
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            security.change_password(
                user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                request=request,
            )
        except DomainError as exc:
            for field, problems in exc.fields.items():
                name = "new_password" if field == "password" else field
                for problem in problems:
                    form.add_error(name if name in form.fields else None, problem)
            if not exc.fields:  # e.g. the account locked by wrong passwords
                form.add_error(None, exc.message)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改")
            return HttpResponseRedirect(reverse("web:dashboard"))
    context = {
        "form": form,
        "expired": security.password_expired(user),
        "policy": POLICY_HELP,
    }
    return render(request, "web/accounts/password.html", context)


def _security_admin(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if user.role != Role.SECURITY_ADMIN:
        raise PermissionDenied("只有安全管理员可以访问此页面")
    return user


@never_cache
@login_required
def security_locks(request: HttpRequest) -> HttpResponse:
    _security_admin(request)
    return render(
        request,
        "web/accounts/locks.html",
        {"locked": security.locked_accounts(), "policy": POLICY_HELP},
    )


@require_POST
@login_required
def security_unlock(request: HttpRequest) -> HttpResponse:
    admin = _security_admin(request)
    username = request.POST.get("username", "")
    try:
        security.unlock(username, actor=admin)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已解除账号 {username} 的锁定")
    return HttpResponseRedirect(reverse("web:security_locks"))


@never_cache
@require_POST
@login_required
def security_reset(request: HttpRequest) -> HttpResponse:
    admin = _security_admin(request)
    username = request.POST.get("username", "").strip()
    try:
        password = security.reset_password(username, actor=admin)
    except DomainError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("web:security_locks"))
    # Shown once, in this answer only (never stored in clear, never in a message or a log).
    return render(
        request, "web/accounts/reset_done.html", {"username": username, "password": password}
    )


# --- TOTP -----------------------------------------------------------------------------------


class EnrollForm(forms.Form):
    otp = forms.CharField(label="动态验证码", max_length=8)


def _pending_device(user: User) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="验证器", confirmed=False)
    return device


@never_cache
@login_required
def totp_enroll(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not security.may_use_totp(user):
        raise PermissionDenied("只有人社部门工作人员和管理员可以绑定动态验证码")
    if security.has_totp(user):
        return render(request, "web/accounts/totp.html", {"enrolled": True})
    device = _pending_device(user)
    form = EnrollForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["otp"].strip()
        if code.isdigit() and device.verify_token(code):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit.record(
                    actor=user,
                    action="accounts.totp_enrolled",
                    obj=user,
                    after={"device": device.pk},
                )
            from django_otp import login as otp_login

            otp_login(request, device)
            messages.success(request, "动态验证码已绑定，今后登录时需输入验证器上的动态验证码")
            return HttpResponseRedirect(reverse("web:dashboard"))
        form.add_error("otp", "动态验证码不正确，请确认手机时间准确后重新输入")
    secret = _base32(device.bin_key)
    context = {
        "enrolled": False,
        "form": form,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "required": security.totp_required(user),
    }
    return render(request, "web/accounts/totp.html", context)


def _base32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode().rstrip("=")


@never_cache
@login_required
def totp_qr(request: HttpRequest) -> HttpResponse:
    """The QR code of the device being enrolled, as an SVG image (no data: URI, no script)."""
    import io

    import segno

    user = signed_in_user(request)
    if not security.may_use_totp(user) or security.has_totp(user):
        raise PermissionDenied("没有待绑定的动态验证码")
    device = _pending_device(user)
    buffer = io.BytesIO()
    segno.make_qr(device.config_url, error="m").save(buffer, kind="svg", scale=5, border=2)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


__all__ = [
    "LoginView",
    "locked_response",
    "login_otp",
    "logout",
    "password_change",
    "security_locks",
    "security_reset",
    "security_unlock",
    "totp_enroll",
    "totp_qr",
]
