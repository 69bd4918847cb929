"""Who the person behind an account is (姓名, 部门): each user on their own account page
(/account), and the system administrator for every account (/account/users). Pages, histories
and documents name people by these (``accounts.display.person_label``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from skillcert.accounts.display import person_label
from skillcert.accounts.models import User
from skillcert.accounts.roles import Role
from skillcert.accounts.services import NAME_LENGTH, set_user_names
from skillcert.rules.errors import DomainError
from skillcert.web import display
from skillcert.web.forms import add_domain_error
from skillcert.web.guards import signed_in_user

PAGE_SIZE = 50


class NamesForm(forms.Form):
    display_name = forms.CharField(label="姓名", max_length=NAME_LENGTH, required=False)
    department = forms.CharField(label="部门", max_length=NAME_LENGTH, required=False)


def _save(request: HttpRequest, form: NamesForm, user: User) -> bool:
    if not form.is_valid():
        return False
    try:
        set_user_names(
            user,
            display_name=form.cleaned_data["display_name"],
            department=form.cleaned_data["department"],
            actor=signed_in_user(request),
        )
    except DomainError as exc:
        add_domain_error(form, exc)
        return False
    return True


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """My account: who I am on the platform, my name and department, my password."""
    user = signed_in_user(request)
    initial = {"display_name": user.display_name, "department": user.department}
    form = NamesForm(request.POST or None, initial=initial)
    if request.method == "POST" and _save(request, form, user):
        messages.success(request, "姓名和部门已保存")
        return HttpResponseRedirect(reverse("web:account"))
    context = {"form": form, "account": user, "label": person_label(user)}
    return render(request, "web/accounts/account.html", context, status=400 if form.errors else 200)


def _system_admin(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if user.role != Role.SYSTEM_ADMIN:
        raise PermissionDenied("只有系统管理员可以管理用户账户")
    return user


@never_cache
@login_required
@require_GET
def account_users(request: HttpRequest) -> HttpResponse:
    """The system administrator's list of accounts, searchable by login name, name or 部门."""
    _system_admin(request)
    q = request.GET.get("q", "").strip()[:60]
    users = User.objects.select_related("authority").order_by("username")
    if q:
        users = users.filter(
            Q(username__icontains=q) | Q(display_name__icontains=q) | Q(department__icontains=q)
        )
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "q": q, "query": display.query_without_page(request)}
    return render(request, "web/accounts/users.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_user(request: HttpRequest, pk: int) -> HttpResponse:
    """The system administrator sets an account's 姓名 and 部门."""
    _system_admin(request)
    user = User.objects.select_related("authority").filter(pk=pk).first()
    if user is None:
        raise Http404("未找到该用户")
    initial = {"display_name": user.display_name, "department": user.department}
    form = NamesForm(request.POST or None, initial=initial)
    if request.method == "POST" and _save(request, form, user):
        messages.success(request, f"已保存 {user.username} 的姓名和部门")
        return HttpResponseRedirect(reverse("web:account_users"))
    context = {"form": form, "account": user, "label": person_label(user)}
    return render(request, "web/accounts/user.html", context, status=400 if form.errors else 200)
