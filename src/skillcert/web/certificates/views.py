"""Certificate records for the issuing organization (/org/certificates) and for officers
(/review/certificates), and the single certificate's PDF. The lists' status tabs and totals
come from ``certificates.counts`` (cached until a certificate changes).

Who sees what comes from ``certificates.access``: the organization its own certificates, a
city's bureau and center those of its organizations, the province all (anything else is 404).
The record page shows the full record, the events (发证、补发、更正、撤销), what the printed
certificate lacks (``pdf.document_notes``) and the actions the viewer may take: the issuer
reissues (补发), corrects (更正: a new certificate, the old one superseded) and revokes;
officers over it revoke. Every write goes through ``certificates.services.lifecycle``; a
refused one re-renders the page with the message next to the field and changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from skillcert.accounts.roles import OFFICER_ROLES
from skillcert.audit.service import record_export
from skillcert.certificates import counts
from skillcert.certificates.access import certificates_for, get_certificate_for_user
from skillcert.certificates.machines import CERTIFICATE_MACHINE
from skillcert.certificates.models import Certificate, CertificateEventKind, CertificateStatus
from skillcert.certificates.services import lifecycle
from skillcert.certificates.workflow import CERTIFICATE, CertificateParty
from skillcert.registry.access import organization_of
from skillcert.rules.errors import DomainError
from skillcert.rules.idtypes import ID_TYPES
from skillcert.web import display
from skillcert.web.certificates.forms import CertificateSearchForm, CorrectionForm, ReasonForm
from skillcert.web.forms import add_domain_error
from skillcert.web.guards import (
    not_found_is_404,
    organization_required,
    reviewer_required,
    signed_in_user,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from skillcert.accounts.models import User

PAGE_SIZE = 50


# --- lists ---------------------------------------------------------------------------------


def search(certificates: QuerySet[Certificate], params: dict[str, str]) -> QuerySet[Certificate]:
    """The API's search: an exact number, name or ID number; batch and status filters."""
    text = params.get("q", "")
    if text:
        certificates = certificates.filter(
            Q(number=text.upper()) | Q(name=text) | Q(id_number=text.upper())
        )
    if params.get("batch", "").isdigit():
        certificates = certificates.filter(batch_id=int(params["batch"]))
    if params.get("status") in CertificateStatus.values:
        certificates = certificates.filter(status=params["status"])
    return certificates


def _list(
    request: HttpRequest,
    area: str,
    batches: list[tuple[int, str]] | None,
) -> HttpResponse:
    user = signed_in_user(request)  # org_list and review_list are behind login guards
    scope = certificates_for(user)
    form = CertificateSearchForm(request.GET or None, batches=batches)
    params = form.params()
    found = search(scope, params).select_related("batch").order_by("-issued_on", "number")
    # The status tabs and the total are counted once per scope (and status), then read from
    # the cache until a certificate changes (``certificates.counts``); a search by number,
    # name or ID number, or within a batch, is counted from the indexes each time (its keys
    # would be as many as the searches).
    indexed = bool(params.get("q") or params.get("batch"))
    paginator = Paginator if indexed else counts.CountedPaginator
    page = paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/certificates/list.html",
        {
            "area": area,
            "form": form,
            "page": page,
            "filtered": bool(params),
            "counts": counts.status_counts(scope),
            "query": display.query_without_page(request),
            "record_url": f"web:{area}_certificate",
            "list_url": f"web:{area}_certificates",
            "province": user.authority is not None and user.authority.is_province,
        },
    )


@require_GET
@organization_required
def org_list(request: HttpRequest) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    batches = list(
        organization.batches.filter(certificates__isnull=False)
        .distinct()
        .order_by("-start_date", "-pk")
        .values_list("pk", "title")
    )
    return _list(request, "org", batches)


def _officers_only(user: User) -> None:
    """Inspectors spot-check batches; certificate records are for the officers."""
    if user.role not in OFFICER_ROLES:
        raise PermissionDenied("只有人社部门和鉴定中心工作人员可以查看证书记录")


@require_GET
@reviewer_required
def review_list(request: HttpRequest) -> HttpResponse:
    _officers_only(signed_in_user(request))
    return _list(request, "review", None)


# --- one certificate -----------------------------------------------------------------------


def events_of(certificate: Certificate) -> list[dict[str, Any]]:
    """The events in order; issuing a batch records none, so its 发证 comes first from the
    certificate itself (a correction's replacement has its own 发证 event)."""
    rows = [
        {
            "on": e.on,
            "kind": e.kind,
            "label": e.get_kind_display(),
            "reason": e.reason,
            "actor": e.actor,
            "related": e.related.number if e.related is not None else "",
        }
        for e in certificate.events.select_related("related")
    ]
    if not any(row["kind"] == CertificateEventKind.ISSUED for row in rows):
        rows.insert(
            0,
            {
                "on": certificate.issued_on,
                "kind": CertificateEventKind.ISSUED,
                "label": CertificateEventKind.ISSUED.label,
                "reason": f"认定批次「{certificate.batch.title}」生成证书编号",
                "actor": certificate.organization_name,
                "related": "",
            },
        )
    return rows


def _area(user: User | AnonymousUser) -> str:
    return "org" if organization_of(user) is not None else "review"


def record_context(request: HttpRequest, certificate: Certificate, **extra: Any) -> dict[str, Any]:
    from skillcert.certificates.pdf import document_notes, has_photo, refusal

    user = request.user
    area = _area(user)
    # What the viewer may do now is asked of the certificate's workflow.
    allowed = {t.action for t in CERTIFICATE_MACHINE.available(certificate, user)}
    kind = ID_TYPES.get(certificate.id_type)
    return {
        "area": area,
        "certificate": certificate,
        "id_type_name": kind.name if kind else certificate.id_type,
        "events": events_of(certificate),
        "supersedes": list(certificate.supersedes.order_by("number")),
        "notes": document_notes(certificate),
        "refusal": refusal(certificate),
        "has_photo": has_photo(certificate),
        "record_url": f"web:{area}_certificate",
        "batch_url": "web:org_batch" if area == "org" else "web:review_batch",
        "list_url": f"web:{area}_certificates",
        "may_reissue": "reissue" in allowed,
        "may_correct": "correct" in allowed,
        "may_revoke": "revoke" in allowed,
        "reissue_form": extra.pop("reissue_form", None)
        or ReasonForm(prefix="reissue", label="补发原因"),
        "revoke_form": extra.pop("revoke_form", None)
        or ReasonForm(prefix="revoke", label="撤销理由"),
        "correct_form": extra.pop("correct_form", None)
        or CorrectionForm(prefix="correct", initial=CorrectionForm.initial_for(certificate)),
        **extra,
    }


def _render_record(
    request: HttpRequest, certificate: Certificate, status: int = 200, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "web/certificates/record.html",
        record_context(request, certificate, **extra),
        status=status,
    )


@require_GET
@organization_required
def org_record(request: HttpRequest, number: str) -> HttpResponse:
    return _render_record(request, get_certificate_for_user(request.user, number))


@require_GET
@reviewer_required
def review_record(request: HttpRequest, number: str) -> HttpResponse:
    _officers_only(signed_in_user(request))
    return _render_record(request, get_certificate_for_user(request.user, number))


def _reason_form(request: HttpRequest, action: str) -> ReasonForm:
    label = {"reissue": "补发原因", "revoke": "撤销理由"}[action]
    return ReasonForm(request.POST, prefix=action, label=label)


def _perform(
    request: HttpRequest, certificate: Certificate, action: str, form: Any
) -> tuple[Certificate, str]:
    """Call the service for ``action``: the certificate to show next and what was done."""
    data = form.cleaned_data
    if action == "reissue":
        lifecycle.reissue_certificate(certificate, reason=data.get("reason"), actor=request.user)
        return certificate, "已登记补发。证书编号不变，打印的证书注明补发日期。"
    if action == "revoke":
        lifecycle.revoke_certificate(certificate, reason=data.get("reason"), actor=request.user)
        return certificate, "证书已撤销。公众查询将显示“已撤销”，证书不能再打印。"
    replacement = lifecycle.correct_certificate(
        certificate, form.payload(certificate), actor=request.user
    )
    return replacement, (
        f"已更正：新证书编号 {replacement.number}。"
        f"原证书 {certificate.number} 已标记为“已更正”，查询时指向新证书。"
    )


def _act(request: HttpRequest, number: str, actions: frozenset[str], area: str) -> HttpResponse:
    certificate = get_certificate_for_user(request.user, number)
    action = request.POST.get("action", "")
    if action not in actions:
        raise Http404("未知的操作")
    if action == "correct":
        form: Any = CorrectionForm(request.POST, prefix="correct")
    else:
        form = _reason_form(request, action)
    form.is_valid()
    try:
        target, done = _perform(request, certificate, action, form)
    except DomainError as exc:
        add_domain_error(form, exc)
        fresh = get_certificate_for_user(request.user, number)
        return _render_record(
            request,
            fresh,
            exc.status,
            error=exc.message,
            failed_action=action,
            **{f"{action}_form": form},
        )
    messages.success(request, done)
    return redirect(f"web:{area}_certificate", number=target.number)


# The forms each area posts: the steps of the workflow its party may take.
ORG_ACTIONS = frozenset(
    t.action for t in CERTIFICATE.transitions if CertificateParty.ISSUER in t.parties
)
REVIEW_ACTIONS = frozenset(
    t.action for t in CERTIFICATE.transitions if CertificateParty.OFFICER in t.parties
)


@require_POST
@organization_required
def org_action(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, ORG_ACTIONS, "org")


@require_POST
@reviewer_required
def review_action(request: HttpRequest, number: str) -> HttpResponse:
    _officers_only(signed_in_user(request))
    return _act(request, number, REVIEW_ACTIONS, "review")


@require_GET
@login_required
@not_found_is_404
def certificate_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The certificate as printed (附件6), for the issuer and the officers over it.
    Revoked or superseded: the record page with the reason (409)."""
    from skillcert.certificates.pdf import render_certificate

    certificate = get_certificate_for_user(request.user, number)
    try:
        data = render_certificate(certificate)
    except DomainError as exc:
        return _render_record(request, certificate, exc.status, error=exc.message)
    record_export(request.user, certificate, what="证书 PDF", count=1)
    response = HttpResponse(data, content_type="application/pdf")
    name = f"职业技能等级证书-{certificate.number}.pdf"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{certificate.number}.pdf\"; filename*=UTF-8''{quote(name)}"
    )
    response["Cache-Control"] = "private, no-store"
    return response
