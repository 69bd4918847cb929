"""The provincial center's 证书号段 page: serial segments allocated, requests pending."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from skillcert.accounts.roles import PROVINCE_ROLES, Role
from skillcert.certificates.models import CertificateCounter, Segment
from skillcert.certificates.services.segments import allocate_segment
from skillcert.registry.models import FILED_STATUSES, Organization
from skillcert.rules import clock
from skillcert.rules.errors import DomainError, NotFound
from skillcert.rules.levels import level_name
from skillcert.web import display
from skillcert.web.assessment import display as batch_display
from skillcert.web.certificates.forms import SegmentForm
from skillcert.web.certificates.segment_requests import pending_for_center
from skillcert.web.forms import add_domain_error
from skillcert.web.guards import reviewer_required, signed_in_user

PAGE_SIZE = 50


def _organizations() -> list[tuple[str, str]]:
    return [
        (str(pk), f"{number} {name}")
        for pk, number, name in Organization.objects.filter(
            status__in=FILED_STATUSES, filing_number__isnull=False
        )
        .order_by("filing_number")
        .values_list("pk", "filing_number", "name")
    ]


@require_http_methods(["GET", "POST"])
@reviewer_required
def segments_page(request: HttpRequest) -> HttpResponse:
    """The provincial center allocates serial segments; the province reads them."""
    user = signed_in_user(request)
    if user.role not in PROVINCE_ROLES:
        raise PermissionDenied("证书号段由省鉴定中心分配，仅省级部门可以查看")
    may_allocate = user.role == Role.PROVINCE_CENTER
    if request.method == "POST" and not may_allocate:
        raise PermissionDenied("证书号段由省鉴定中心分配")
    organizations = _organizations()
    form = SegmentForm(
        request.POST or None,
        organizations=organizations,
        initial={"year": str(clock.today().year)},
    )
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organization = data.get("organization") or ""
        number = (data.get("filing_number") or "").strip().upper()
        if number:
            found = Organization.objects.filter(filing_number=number).values_list("pk", flat=True)
            organization = str(found.first() or "")
        try:
            if number and not organization:
                raise NotFound.for_field(
                    "filing_number", f"未找到备案号为 {number} 的评价组织", code="not_found"
                )
            segment = allocate_segment(
                {
                    "organization": organization or None,
                    "year": data.get("year") or None,
                    "level": data.get("level") or "",
                    "first": data.get("first") or None,
                    "last": data.get("last") or None,
                },
                actor=user,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            error, status = exc.message, exc.status
        else:
            messages.success(
                request,
                f"已分配号段：{segment.organization.name} {segment.year}年"
                f"{level_name(segment.level)} {segment.first}-{segment.last}"
                f"（{segment.size} 个）。",
            )
            return redirect("web:review_segments")
    segments = Segment.objects.select_related("organization").order_by(
        "-year", "organization__filing_number", "level", "first"
    )
    selected = request.GET.get("organization", "")
    if selected.isdigit():
        segments = segments.filter(organization_id=int(selected))
    page = Paginator(segments, PAGE_SIZE).get_page(request.GET.get("page"))
    organization_ids = {s.organization_id for s in page}
    counters = {
        (c.organization_id, c.year, c.level): c.last_serial
        for c in CertificateCounter.objects.filter(organization_id__in=organization_ids)
    }
    rows = [{"segment": s, "remaining": batch_display.segment_remaining(s, counters)} for s in page]
    return render(
        request,
        "web/batches/segments.html",
        {
            "form": form,
            "may_allocate": may_allocate,
            "pending": pending_for_center(user),
            "error": error,
            "rows": rows,
            "page": page,
            "organizations": organizations,
            "selected": selected,
            "query": display.query_without_page(request),
        },
        status=status,
    )
