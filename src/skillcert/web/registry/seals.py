"""Seals (印章): the organization uploads its seal (/org/seal); the bureau that filed it, or
the province department, confirms or rejects it (/review/seals).

Every write goes through ``registry.services.seals``; images are served only through
``seal_image``, to the organization itself and to officers who may read it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skillcert.accounts.actors import is_signed_in
from skillcert.accounts.roles import Role
from skillcert.documents import files
from skillcert.registry.access import organization_of, organizations_for, seals_for_decision
from skillcert.registry.models import Organization, OrganizationSeal, SealState
from skillcert.registry.services.materials import max_upload_bytes, served_name
from skillcert.registry.services.seals import current_seal, decide_seal, upload_seal
from skillcert.rules.errors import DomainError
from skillcert.web.guards import (
    not_found_is_404,
    organization_required,
    reviewer_required,
    signed_in_user,
)
from skillcert.web.registry.forms import SealDecisionForm

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from skillcert.accounts.models import User

RECENT = 10


def deciding_authority(organization: Organization) -> str:
    """Who confirms the organization's seal, as the page says it."""
    authority = organization.filing_authority or organization.home_city
    if authority is None or authority.is_province:
        return "省人社厅"
    return f"{authority.name}人社局"


# --- the organization ----------------------------------------------------------------------


def _seal_page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    seals = list(organization.seals.order_by("-uploaded_at", "-pk")[:RECENT])
    return render(
        request,
        "web/certificates/seal.html",
        {
            "organization": organization,
            "current": current_seal(organization),
            "pending": organization.seals.filter(state=SealState.PENDING)
            .order_by("-uploaded_at", "-pk")
            .first(),
            "seals": seals,
            "decider": deciding_authority(organization),
            "max_upload_mb": max_upload_bytes() // (1024 * 1024),
            **extra,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@organization_required
def org_seal(request: HttpRequest) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    if request.method == "POST":
        try:
            upload_seal(organization, request.FILES.get("file"), actor=request.user)
        except DomainError as exc:
            file_errors = list(exc.fields.get("file", [])) or [exc.message]
            return _seal_page(request, exc.status, error=exc.message, file_errors=file_errors)
        messages.success(
            request,
            f"印章已上传，等待{deciding_authority(organization)}确认；确认后证书和回执才会加盖。",
        )
        return redirect("web:org_seal")
    return _seal_page(request)


def _may_see_seal(user: User, seal: OrganizationSeal) -> bool:
    own = organization_of(user)
    if own is not None:
        return own.pk == seal.organization_id
    if user.role == Role.INSPECTOR:
        return False
    return organizations_for(user).filter(pk=seal.organization_id).exists()


@require_GET
@login_required
@not_found_is_404
def seal_image(request: HttpRequest, pk: int) -> FileResponse:
    """The stored seal (PNG): the organization itself and officers who may read it."""
    seal = OrganizationSeal.objects.filter(pk=pk).first()
    if seal is None or not _may_see_seal(signed_in_user(request), seal):
        raise Http404("未找到该印章")
    stream = files.open_stored(seal.stored_name)
    if stream is None:
        raise Http404("印章文件不存在")
    response = FileResponse(
        stream, content_type="image/png", filename=served_name("印章", seal.pk, "image/png")
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- officers ------------------------------------------------------------------------------


def decides_seals(user: User | AnonymousUser) -> bool:
    """The province department and the cities' bureaus confirm seals."""
    if not is_signed_in(user):
        return False
    if user.role == Role.PROVINCE_DEPT:
        return True
    return (
        user.role == Role.CITY_BUREAU
        and user.authority is not None
        and not user.authority.is_province
    )


def _review_page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    if not decides_seals(request.user):
        raise PermissionDenied("只有评价组织的备案机关（市人社局、省人社厅）可以确认印章")
    seals = seals_for_decision(request.user)
    forms = extra.pop("forms", {})
    pending = [
        {
            "seal": seal,
            "form": forms.get(seal.pk) or SealDecisionForm(prefix=f"seal{seal.pk}"),
            "current": current_seal(seal.organization_id),
        }
        for seal in seals.filter(state=SealState.PENDING).order_by("uploaded_at", "pk")
    ]
    decided = seals.exclude(state=SealState.PENDING).order_by("-decided_at", "-pk")[:RECENT]
    return render(
        request,
        "web/certificates/review_seals.html",
        {"pending": pending, "decided": decided, **extra},
        status=status,
    )


@require_GET
@reviewer_required
def review_seals(request: HttpRequest) -> HttpResponse:
    return _review_page(request)


@require_POST
@reviewer_required
def review_seal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    if not decides_seals(request.user):
        raise PermissionDenied("只有评价组织的备案机关（市人社局、省人社厅）可以确认印章")
    seal = seals_for_decision(request.user).filter(pk=pk).first()
    if seal is None:
        raise Http404("未找到该印章")
    decision = request.POST.get("decision", "")
    if decision not in {"confirm", "reject"}:
        raise Http404("未知的操作")
    form = SealDecisionForm(request.POST, prefix=f"seal{seal.pk}")
    form.is_valid()
    try:
        decide_seal(
            seal,
            confirmed=decision == "confirm",
            note=form.cleaned_data.get("note", ""),
            actor=request.user,
        )
    except DomainError as exc:
        for messages_ in exc.fields.values():
            form.add_error("note", list(messages_))
        return _review_page(
            request, exc.status, error=exc.message, forms={seal.pk: form}, failed=seal.pk
        )
    name = seal.organization.name
    if decision == "confirm":
        messages.success(request, f"已确认{name}的印章，此后打印的证书和回执加盖该印章。")
    else:
        messages.success(request, f"已退回{name}的印章（不予确认），该组织将看到说明。")
    return redirect("web:review_seals")
