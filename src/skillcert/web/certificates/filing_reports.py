"""备案报部 (/review/national/filing-reports): the filing's report to the ministry's appraisal
center (三 (三)). The province's officers see every report, a city's bureau and center their
city's; the buttons are the report's workflow's (``FILING_REPORT_MACHINE.available``): the
provincial center records the ministry's answer (确认, 退回 with the reason) and sends a failed
report again; the officers who filed correct a returned report and report it again. Everything
goes through ``certificates.national.filings``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from skillcert.certificates.machines import FILING_REPORT_MACHINE
from skillcert.certificates.models import FilingReport, FilingReportState
from skillcert.certificates.national import filings
from skillcert.rules.errors import DomainError, Forbidden, NotAuthenticated
from skillcert.web import display
from skillcert.web.guards import reviewer_required, signed_in_user

if TYPE_CHECKING:
    from collections.abc import Iterable

    from skillcert.accounts.models import User

PAGE_SIZE = 30
STEPS = {
    "send": filings.deliver,
    "confirm": filings.confirm,
    "return": filings.return_report,
    "resend": filings.resend,
}
DONE = {
    "send": "已发送",
    "confirm": "已登记部鉴定中心确认，确认结果已向社会公布",
    "return": "已登记部鉴定中心退回，已通知备案机关更正",
    "resend": "已更正并重新报部",
}


def _check(user: User) -> None:
    try:
        filings.check_may_read(user)
    except (Forbidden, NotAuthenticated) as exc:
        raise PermissionDenied(exc.message) from None


def report_rows(reports: Iterable[FilingReport], user: User) -> list[dict[str, Any]]:
    """Each report with the steps the viewer may take on it, asked of its workflow."""
    rows = []
    for report in reports:
        offered = {a["action"]: a["label"] for a in FILING_REPORT_MACHINE.actions(report, user)}
        if "send" in offered and report.attempts:
            offered["send"] = "重新发送"
        rows.append({"report": report, "title": filings.title_of(report), "actions": offered})
    return rows


def _page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    user = signed_in_user(request)
    reports = filings.reports_for(user)
    state = request.GET.get("state", "")
    if state in FilingReportState.values:
        reports = reports.filter(state=state)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/certificates/filing_reports.html",
        {
            "page": page,
            "rows": report_rows(page.object_list, user),
            "states": FilingReportState.choices,
            "state": state,
            "query": display.query_without_page(request),
            **extra,
        },
        status=status,
    )


@require_GET
@reviewer_required
def reports_page(request: HttpRequest) -> HttpResponse:
    _check(signed_in_user(request))
    return _page(request)


@require_POST
@reviewer_required
def report_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = signed_in_user(request)
    _check(user)
    step = STEPS.get(action)
    if step is None:
        raise Http404("未找到该操作")
    try:
        report = filings.get_for_user(user, pk)
    except DomainError as exc:
        raise Http404(exc.message) from None
    try:
        if action == "send":
            done = filings.deliver(report, actor=user)
        else:
            done = step(report, request.POST, actor=user)  # type: ignore[operator]
    except DomainError as exc:
        return _page(
            request,
            exc.status,
            error=exc.message,
            failed=pk,
            failed_action=action,
            fields=exc.fields,
        )
    if action == "send" and done.last_error:  # the sender failed: recorded on the report
        messages.error(request, f"发送失败（第 {done.attempts} 次）：{done.last_error}")
    else:
        messages.success(request, f"{filings.title_of(done)}：{DONE[action]}。")
    return redirect("web:review_national_filing_reports")
