"""The inbox (消息): every message that reached the signed-in person, unread first; opening
one marks it read and goes where it asks to act; all can be marked read at once. The
preferences page chooses how else to be told (e-mail, SMS) and where.

Everyone signed in has an inbox; nobody sees another person's message (404, like a missing
one)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from skillcert.inbox import service
from skillcert.inbox.delivery import email_enabled
from skillcert.inbox.models import Channel
from skillcert.rules.errors import DomainError
from skillcert.web.guards import signed_in_user

PAGE_SIZE = 20


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    page = Paginator(service.messages_of(user), PAGE_SIZE).get_page(request.GET.get("page"))
    preference = service.preference_of(user)
    context = {
        "page": page,
        "unread": service.unread_count(user),
        "channel_label": Channel(preference.channel).label,
    }
    return render(request, "web/inbox/messages.html", context)


def _safe_link(request: HttpRequest, link: str) -> str:
    if (
        link
        and link.startswith("/")
        and url_has_allowed_host_and_scheme(
            link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return link
    return ""


@require_POST
@login_required
def open_message(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the message read and go to the page it names (or back to the inbox)."""
    user = signed_in_user(request)
    message = service.mark_read(user, pk)
    if message is None:
        raise Http404("未找到该消息")
    return HttpResponseRedirect(_safe_link(request, message.link) or reverse("web:messages"))


@require_POST
@login_required
def read_all(request: HttpRequest) -> HttpResponse:
    count = service.mark_all_read(signed_in_user(request))
    if count:
        messages.success(request, f"已将 {count} 条消息标为已读")
    return HttpResponseRedirect(reverse("web:messages"))


class PreferenceForm(forms.Form):
    channel = forms.ChoiceField(label="接收方式", choices=Channel.choices, widget=forms.RadioSelect)
    phone = forms.CharField(label="手机号码", required=False, max_length=20)
    email = forms.CharField(label="电子邮箱", required=False, max_length=254)
    password = forms.CharField(label="当前登录密码", required=False, strip=False)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    current = service.preference_of(user)
    initial = {"channel": current.channel, "phone": current.phone, "email": user.email}
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            service.set_preference(
                user,
                channel=form.cleaned_data["channel"],
                phone=form.cleaned_data["phone"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                request=request,
            )
        except DomainError as exc:
            for field, problems in exc.fields.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
            if not exc.fields:  # e.g. the account locked by wrong passwords
                form.add_error(None, exc.message)
        else:
            messages.success(request, "消息接收设置已保存")
            return HttpResponseRedirect(reverse("web:messages"))
    context = {
        "form": form,
        "channels": Channel.choices,
        "chosen": form["channel"].value() or current.channel,
        "email_enabled": email_enabled(),
    }
    return render(request, "web/inbox/preferences.html", context)
