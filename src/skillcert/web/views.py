"""Pages for people. Thin: each calls a service or selector and renders a template."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from skillcert.registry.access import organization_of
from skillcert.registry.services.organizations import register_organization
from skillcert.rules.codes import parse_certificate_number
from skillcert.rules.errors import DomainError
from skillcert.web.forms import RegisterForm, VerifyForm


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"verify_form": VerifyForm()})


def catalog(request: HttpRequest) -> HttpResponse:
    scope = "province" if request.GET.get("scope") == "province" else "city"
    return render(request, "web/catalog.html", {"scope": scope, "organizations": []})


def notices(request: HttpRequest) -> HttpResponse:
    return render(request, "web/notices.html", {"notices": []})


def verify(request: HttpRequest, number: str = "") -> HttpResponse:
    """Certificate verification: by number and name (the QR code opens it with the number)."""
    form = VerifyForm(request.GET or None, initial={"number": number})
    result = None
    error = ""
    if form.is_bound and form.is_valid():
        try:
            parse_certificate_number(form.cleaned_data["number"])
        except DomainError as exc:
            error = exc.message
        else:
            result = "unknown"  # certificates arrive with the certificates capability
    return render(
        request,
        "web/verify.html",
        {"form": form, "number": number, "result": result, "error": error},
    )


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organization = register_organization(
                username=data["username"],
                password=data["password"],
                credit_code=data["credit_code"],
                name=data["name"],
            )
        except DomainError as exc:
            for field, field_messages in exc.fields.items():
                for message in field_messages:
                    form.add_error(field if field in form.fields else None, message)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            user = organization.members.select_related("user").get().user
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"注册成功：{organization.name}。下一步可提交备案申请。")
            return redirect("web:dashboard")
    return render(request, "web/register.html", {"form": form})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "web/dashboard.html",
        {"organization": organization_of(user), "role_label": user.role_label},
    )
