"""The document verification page (public) and the authorities' seal pages.

``/documents/<code>`` is what a document's QR code opens: anyone sees its title, 文号, date,
issuing department, recipient and whether it is 有效 or 已撤销. A code that does not exist
(forged, mistyped) answers 404 with the same page and wording, after the same single lookup.
Lookups are rate-limited per client at the API's ``verify`` rate, like certificate checks.

``/authority/seals``: a city bureau officer uploads its city's seal, a province department
officer the province's; the province department confirms or rejects them (the province's own
by another officer than its uploader). Every write goes through ``formal.seals``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from skillcert.documents import files
from skillcert.formal import seals as service
from skillcert.formal.models import AuthoritySeal, DocumentStatus, SealState
from skillcert.formal.service import authority_name, find_public, public_view
from skillcert.rules.errors import DomainError, NotFound
from skillcert.web.guards import not_found_is_404, signed_in_user
from skillcert.web.ratelimit import over_limit, too_many
from skillcert.web.registry.forms import SealDecisionForm

RECENT = 10


# --- public verification --------------------------------------------------------------------


@require_safe
def document(request: HttpRequest, code: str) -> HttpResponse:
    wait = over_limit(request, "verify", "document")
    if wait is not None:
        return too_many(request, wait, "document")
    context: dict[str, Any] = {}
    status = 200
    try:
        found = find_public(code)
    except NotFound as exc:
        context["not_found"] = exc.message
        status = 404
    else:
        context["answer"] = public_view(found)
        context["valid"] = found.status == DocumentStatus.VALID
        context["status_label"] = found.get_status_display()
        context["status_note"] = found.status_note
    response = render(request, "web/formal/document.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- seals ----------------------------------------------------------------------------------


def _seals_page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    user = signed_in_user(request)
    own = service.uploads_for(user)
    decides = service.decides_seals(user)
    if own is None and not decides:
        raise PermissionDenied("机关印章由市人社局、省人社厅的工作人员管理")
    forms = extra.pop("forms", {})
    context: dict[str, Any] = {"own": own, "decides": decides, **extra}
    if own is not None:
        context.update(
            own_name=authority_name(own),
            current=service.current_seal(own),
            own_seals=list(own.seals.select_related("decided_by").order_by("-pk")[:RECENT]),
            max_upload_mb=service.max_upload_bytes() // (1024 * 1024),
        )
    if decides:
        pending = service.seals_for(user).filter(state=SealState.PENDING).order_by("pk")
        context["pending"] = [
            {
                "seal": seal,
                "name": authority_name(seal.authority),
                "may_decide": service.may_decide(user, seal),
                "current": service.current_seal(seal.authority_id),
                "form": forms.get(seal.pk) or SealDecisionForm(prefix=f"seal{seal.pk}"),
            }
            for seal in pending
        ]
        context["decided"] = [
            {"seal": seal, "name": authority_name(seal.authority)}
            for seal in service.seals_for(user)
            .exclude(state=SealState.PENDING)
            .order_by("-decided_at", "-pk")[:RECENT]
        ]
    return render(request, "web/formal/seals.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def seals(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if request.method == "POST":
        own = service.uploads_for(user)
        if own is None:
            raise PermissionDenied("只有市人社局、省人社厅的工作人员可以上传本机关的印章")
        try:
            service.upload_seal(own, request.FILES.get("file"), actor=user)
        except DomainError as exc:
            file_errors = list(exc.fields.get("file", [])) or [exc.message]
            return _seals_page(request, exc.status, error=exc.message, file_errors=file_errors)
        messages.success(request, "印章已上传，经省人社厅确认后加盖在本机关出具的文书上。")
        return redirect("web:formal_seals")
    return _seals_page(request)


@require_POST
@login_required
@not_found_is_404
def seal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    if not service.decides_seals(user):
        raise PermissionDenied("机关印章由省人社厅确认")
    seal = service.get_seal_for_user(user, pk)
    decision = request.POST.get("decision", "")
    if decision not in {"confirm", "reject"}:
        raise Http404("未知的操作")
    form = SealDecisionForm(request.POST, prefix=f"seal{seal.pk}")
    form.is_valid()
    try:
        service.decide_seal(
            seal,
            confirmed=decision == "confirm",
            note=form.cleaned_data.get("note", ""),
            actor=user,
        )
    except DomainError as exc:
        for field_messages in exc.fields.values():
            form.add_error("note", list(field_messages))
        return _seals_page(request, exc.status, error=exc.message, forms={seal.pk: form})
    name = authority_name(seal.authority)
    if decision == "confirm":
        messages.success(request, f"已确认{name}的印章，此后该机关出具的文书加盖该印章。")
    else:
        messages.success(request, f"已退回{name}的印章（不予确认）。")
    return redirect("web:formal_seals")


@require_GET
@login_required
@not_found_is_404
def seal_image(request: HttpRequest, pk: int) -> FileResponse:
    seal: AuthoritySeal = service.get_seal_for_user(signed_in_user(request), pk)
    stream = files.open_stored(seal.stored_name)
    if stream is None:
        raise Http404("印章文件不存在")
    response = FileResponse(stream, content_type="image/png", filename=f"机关印章-{seal.pk}.png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response
