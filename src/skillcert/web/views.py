"""Pages for people. Thin: each calls a service or selector and renders a template."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from skillcert.accounts.roles import Role
from skillcert.registry.access import organization_of
from skillcert.registry.machines import ORGANIZATION_MACHINE
from skillcert.registry.selectors import (
    exit_notice_of,
    worklist,
)
from skillcert.rules import clock
from skillcert.web import display
from skillcert.web.assessment import display as batch_display
from skillcert.web.certificates import display as certificate_display
from skillcert.web.guards import signed_in_user
from skillcert.web.public.forms import VerifyForm
from skillcert.web.supervision import display as supervision_display
from skillcert.web.worklist import items_for, worklist_view

PAGE_SIZE = 50


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"verify_form": VerifyForm()})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The workbench: an organization's applications, or an officer's counts per stage."""
    user = signed_in_user(request)
    organization = organization_of(user)
    context: dict[str, Any] = {
        "organization": organization,
        "role_label": user.role_label,
        "certificate_card": certificate_display.dashboard_card(user, organization),
        "supervision": supervision_display.dashboard_card(user, organization, clock.today()),
        "work": worklist_view(user, items_for(request)),
    }
    if organization is not None:
        context["may_create_batch"] = ORGANIZATION_MACHINE.may(organization, user, "batches")
        context["exit_notice"] = exit_notice_of(organization)
        cases = list(worklist(user)[:5])
        context["cases"] = [{"case": c, "deadline": display.next_deadline(c)} for c in cases]
        context["case_count"] = sum(display.state_counts(user).values())
        context["batch_groups"] = batch_display.batch_groups(user)
    elif display.is_reviewer_user(user):
        context["groups"] = display.work_groups(user)
        context["is_city_bureau"] = (
            user.role == Role.CITY_BUREAU and user.authority and not user.authority.is_province
        )
        if user.role == Role.INSPECTOR:
            context["is_inspector"] = True
            context["inspectable_count"] = batch_display.inspectable(user).count()
        else:
            context["batch_groups"] = batch_display.batch_groups(user)
            context["is_province_center"] = user.role == Role.PROVINCE_CENTER
    return render(request, "web/dashboard.html", context)
