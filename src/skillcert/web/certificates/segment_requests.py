"""Segment requests on the pages: the organization asks (证书 → 证书号段), the provincial
center grants or refuses on its 证书号段 page. What each person may do comes from the
segment request's workflow."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from skillcert.certificates.access import get_segment_request_for_user, segment_requests_for
from skillcert.certificates.machines import SEGMENT_REQUEST_MACHINE
from skillcert.certificates.models import Segment, SegmentRequest
from skillcert.certificates.selectors import certified_levels
from skillcert.certificates.services import segment_requests as service
from skillcert.rules import clock
from skillcert.rules.errors import DomainError
from skillcert.rules.levels import level_name
from skillcert.web.forms import add_domain_error, choice_field
from skillcert.web.guards import organization_required, reviewer_required

if TYPE_CHECKING:
    from skillcert.accounts.models import User


class SegmentRequestForm(forms.Form):
    year = forms.TypedChoiceField(label="年份", coerce=int)
    level = forms.TypedChoiceField(label="等级", coerce=int)
    count = forms.IntegerField(
        label="申请数量（个）",
        min_value=1,
        max_value=999_999,
        error_messages={"min_value": "申请数量至少为 1", "max_value": "申请数量不能超过 999999"},
    )
    reason = forms.CharField(
        label="申请说明", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, levels: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = clock.today().year
        choice_field(self, "year").choices = [(year, f"{year} 年"), (year + 1, f"{year + 1} 年")]
        choice_field(self, "level").choices = [(level, level_name(level)) for level in levels]
        for field in self.fields.values():
            field.error_messages.setdefault("required", "此项为必填项")


def default_year() -> int:
    """From December 1 the next year's serials are what an organization needs to ask for."""
    today = clock.today()
    return today.year + 1 if today.month == 12 else today.year


@require_http_methods(["GET", "POST"])
@organization_required
def org_segments(request: HttpRequest) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    levels = sorted(certified_levels(organization))
    initial = {"year": default_year(), "level": request.GET.get("level") or None}
    form = SegmentRequestForm(request.POST or None, levels=levels, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = service.request_segments(
                    organization, form.cleaned_data, actor=request.user
                )
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    f"已提交号段申请 {created.case_number}：{created.year} 年"
                    f"{level_name(created.level)} {created.count} 个，等待省职业技能鉴定中心分配。",
                )
                return redirect("web:org_segments")
        else:
            status = 400
    context = {
        "form": form,
        "levels": levels,
        "requests": segment_requests_for(request.user),
        "segments": Segment.objects.filter(organization=organization).order_by(
            "-year", "level", "first"
        ),
    }
    return render(request, "web/certificates/segments.html", context, status=status)


def pending_for_center(user: User) -> list[dict[str, Any]]:
    """The requests on the center's 证书号段 page, each with its buttons and a suggested range
    (the serials after the last allocated for the organization, year and level)."""
    rows = []
    for item in segment_requests_for(user).filter(state__in={"pending"}):
        actions = {t.action for t in SEGMENT_REQUEST_MACHINE.available(item, user)}
        highest = Segment.objects.filter(
            organization_id=item.organization_id, year=item.year, level=item.level
        ).aggregate(m=Max("last"))["m"]
        first = (highest or 0) + 1
        rows.append(
            {
                "request": item,
                "may_grant": "grant" in actions,
                "may_refuse": "refuse" in actions,
                "first": first,
                "last": min(first + item.count - 1, 999_999),
            }
        )
    return rows


@require_POST
@reviewer_required
def segment_request_act(request: HttpRequest, pk: int) -> HttpResponse:
    item: SegmentRequest = get_segment_request_for_user(request.user, pk)
    action = request.POST.get("action", "")
    try:
        if action == "grant":
            item = service.grant_segment_request(
                item,
                {"first": request.POST.get("first", ""), "last": request.POST.get("last", "")},
                actor=request.user,
            )
            segment = item.segment
            assert segment is not None, "grant_segment_request allocates the request's segment"
            messages.success(
                request,
                f"已分配号段（{item.case_number}）：{item.organization.name} {item.year} 年"
                f"{level_name(item.level)} {segment.first:06d}-{segment.last:06d}。",
            )
        elif action == "refuse":
            item = service.refuse_segment_request(
                item, reason=request.POST.get("reason", ""), actor=request.user
            )
            messages.success(request, f"已办结号段申请 {item.case_number}：不予分配。")
        else:
            messages.error(request, "未知的操作")
    except DomainError as exc:
        messages.error(request, f"{item.case_number}：{exc.message}")
    return redirect("web:review_segments")
