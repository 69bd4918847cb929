"""办事指南 (public, edited by the province department), 好差评 (given by the applicant on a
finished case; statistics for the officers) and the site footer (the system administrator)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from skillcert.accounts.models import User
from skillcert.accounts.roles import Role
from skillcert.reference import selectors as reference
from skillcert.reference.models import GUIDE_SECTIONS, ServiceGuide, SiteSettings
from skillcert.reference.services import (
    GUIDE_FIELDS,
    SITE_FIELDS,
    update_service_guide,
    update_site_settings,
)
from skillcert.rules.errors import DomainError
from skillcert.supervision import ratings
from skillcert.web.forms import add_domain_error
from skillcert.web.guards import signed_in_user
from skillcert.web.service.forms import GuideForm, RatingForm, SiteSettingsForm

COMMENTS_SHOWN = 100


def may_edit_guides(user: Any) -> bool:
    return isinstance(user, User) and user.role == Role.PROVINCE_DEPT


# --- 办事指南 ----------------------------------------------------------------------------------


@require_GET
def guide_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/service/guides.html",
        {"guides": reference.service_guides(), "may_edit": may_edit_guides(request.user)},
    )


def _guide(slug: str) -> ServiceGuide:
    guide = reference.service_guide(slug)
    if guide is None:
        raise Http404("未找到该办事指南")
    return guide


@require_GET
def guide_detail(request: HttpRequest, slug: str) -> HttpResponse:
    guide = _guide(slug)
    sections = [
        {"name": name, "heading": heading, "text": getattr(guide, name)}
        for name, heading in GUIDE_SECTIONS
    ]
    return render(
        request,
        "web/service/guide.html",
        {
            "guide": guide,
            "sections": sections,
            "others": reference.service_guides().exclude(pk=guide.pk),
            "may_edit": may_edit_guides(request.user),
        },
    )


@login_required
def guide_edit(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in_user(request)
    if not may_edit_guides(user):
        raise PermissionDenied("只有省人社厅可以修改办事指南")
    guide = _guide(slug)
    initial = {name: getattr(guide, name) for name in GUIDE_FIELDS}
    form = GuideForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                update_service_guide(slug, form.cleaned_data, actor=user)
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, "办事指南已保存，公开页面即时更新。")
                return redirect("web:guide", slug=slug)
        else:
            status = 400
    return render(
        request, "web/service/guide_edit.html", {"guide": guide, "form": form}, status=status
    )


# --- 网站信息 (footer) ---------------------------------------------------------------------------


@login_required
def site_settings_page(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if user.role != Role.SYSTEM_ADMIN:
        raise PermissionDenied("只有系统管理员可以修改网站信息")
    stored = SiteSettings.objects.filter(pk=1).first()
    initial = {name: getattr(stored, name, "") for name in SITE_FIELDS}
    form = SiteSettingsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                update_site_settings(form.cleaned_data, actor=user)
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, "网站信息已保存，所有页面底部即时更新。")
                return redirect("web:site_settings")
        else:
            status = 400
    return render(request, "web/service/site_settings.html", {"form": form}, status=status)


# --- 好差评 -----------------------------------------------------------------------------------

# Where the applicant sees each kind of case (the rating form sits there).
_CASE_PAGES = {
    "filing": "web:org_filing",
    "batch": "web:org_batch",
    "segment_request": "web:org_segments",
}
# Where the officers open each kind of case from the comments list.
_REVIEW_PAGES = {
    "filing": "web:review_case",
    "batch": "web:review_batch",
    "segment_request": "web:review_segments",
}


def _page_of(subject: str, pages: dict[str, str]) -> str:
    kind, _, pk = subject.partition(":")
    name = pages.get(kind)
    if name is None or not pk.isdigit():
        return reverse("web:dashboard")
    if kind == "segment_request":
        return reverse(name)
    return reverse(name, args=[int(pk)])


@require_POST
@login_required
def rate(request: HttpRequest) -> HttpResponse:
    """The rating form of a case page: saved once; any refusal goes back to the page."""
    user = signed_in_user(request)
    form = RatingForm(request.POST)
    subject = str(request.POST.get("object", ""))
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        messages.error(request, f"评价未提交：{first}")
        return redirect(_page_of(subject, _CASE_PAGES))
    try:
        ratings.rate(
            form.cleaned_data["object"],
            form.cleaned_data["score"],
            form.cleaned_data["comment"],
            actor=user,
        )
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from None
        messages.error(request, f"评价未提交：{exc.message}")
    else:
        messages.success(request, "感谢您的评价！")
    return redirect(_page_of(subject, _CASE_PAGES))


def _readable_ratings(request: HttpRequest) -> tuple[Any, Any]:
    """The signed-in officer and the ratings they may read; 403 for everyone else."""
    user = signed_in_user(request)
    if not ratings.may_read_statistics(user):
        raise PermissionDenied("只有人社部门和鉴定中心工作人员可以查看好差评统计")
    return user, ratings.ratings_for(user)


@login_required
@require_GET
def ratings_workbook(request: HttpRequest) -> HttpResponse:
    """好差评统计 as Excel: the summary and every rating with its comment."""
    from skillcert.audit.service import record_export
    from skillcert.rules import clock
    from skillcert.supervision.exports import ratings_workbook as workbook
    from skillcert.web.assessment.uploads import xlsx_response

    user, found = _readable_ratings(request)
    content = workbook(found)
    authority = getattr(user.authority, "name", "")
    scope = "全省" if user.role in ratings.PROVINCE_READERS else authority
    record_export(user, what=f"好差评统计（{scope}）", count=found.count())
    return xlsx_response(content, f"好差评统计-{scope}-{clock.today()}.xlsx")


@login_required
@require_GET
def ratings_page(request: HttpRequest) -> HttpResponse:
    user, found = _readable_ratings(request)
    rows = ratings.statistics(found)
    for row in rows:
        row["bars"] = [
            {
                "score": score,
                "label": ratings.SCORE_LABELS[score],
                "count": row["distribution"][score],
                "step": round(10 * row["distribution"][score] / row["count"]),
            }
            for score in reversed(ratings.SCORES)
        ]
    commented = list(found.exclude(comment="")[:COMMENTS_SHOWN])
    labels = ratings.case_labels([rating.subject for rating in commented])
    comments = [
        {
            "rating": rating,
            "url": _page_of(rating.subject, _REVIEW_PAGES),
            "label": labels[rating.subject],
        }
        for rating in commented
    ]
    return render(
        request,
        "web/service/ratings.html",
        {
            "rows": rows,
            "overall": ratings.overall(found),
            "comments": comments,
            "comments_shown": COMMENTS_SHOWN,
            "province": user.role in ratings.PROVINCE_READERS,
            "authority": user.authority,
        },
    )
