"""The audit administrator's pages: search the record, verify the chain, export what a
search found as .xlsx. Who may read is decided by ``skillcert.audit.selectors`` (audit
administrator only; everyone else, the system administrator included, gets 403)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from skillcert.accounts.roles import role_from_input
from skillcert.audit import selectors
from skillcert.audit.models import AuditEntry
from skillcert.rules import clock
from skillcert.rules.errors import DomainError, Forbidden
from skillcert.web import display
from skillcert.web.assessment.uploads import xlsx_response

PAGE_SIZE = 50

# What the common actions are called on the page (the code is shown beside).
ACTION_LABELS = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "account_locked": "账户锁定",
    "export": "导出个人数据",
    "accounts.user_added": "添加用户",
    "accounts.role_changed": "变更角色",
    "accounts.token_issued": "签发接口令牌",
}

# Who acted when it was no signed-in user (``audit.service.ActorRef`` roles).
REFERENCE_LABELS = {"system": "系统", "public": "公众"}


def _row(entry: AuditEntry) -> dict[str, Any]:
    role = role_from_input(entry.actor_role)
    return {
        **selectors.entry_answer(entry),
        "recorded_at": timezone.localtime(entry.recorded_at),
        "role_label": role.label if role else REFERENCE_LABELS.get(entry.actor_role, ""),
        "action_label": ACTION_LABELS.get(entry.action, ""),
        "before_text": "" if entry.before == "null" else entry.before,
        "after_text": "" if entry.after == "null" else entry.after,
    }


def audit_reader_required(view: Callable[..., HttpResponseBase]) -> Callable[..., Any]:
    """Signed in (else the sign-in page), and the audit administrator (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            selectors.require_audit_reader(request.user)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None
        return view(request, *args, **kwargs)

    return wrapped


def _context(request: HttpRequest) -> tuple[selectors.AuditQuery | None, dict[str, Any]]:
    """The search's filters as typed, and the error when they are wrong."""
    values = {key: request.GET.get(key, "").strip() for key in ("actor", "action", "from", "to")}
    try:
        query = selectors.parse_query(request.GET)
    except DomainError as exc:
        return None, {"values": values, "error": exc.message, "field_errors": exc.fields}
    return query, {"values": values, "error": "", "field_errors": {}}


@require_GET
@audit_reader_required
def entries_page(request: HttpRequest) -> HttpResponse:
    query, context = _context(request)
    page = None
    if query is not None:
        entries = selectors.search(request.user, query)
        page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
        context["export_query"] = urlencode(query.as_params())
        context["filtered"] = bool(query.as_params())
    context.update(
        {
            "page": page,
            "rows": [_row(entry) for entry in page] if page else [],
            "query": display.query_without_page(request),
        }
    )
    return render(request, "web/audit/entries.html", context, status=400 if query is None else 200)


@require_GET
@audit_reader_required
def verify_page(request: HttpRequest) -> HttpResponse:
    check = selectors.verify(request.user)
    return render(request, "web/audit/verify.html", {"check": check, "checked_at": clock.now()})


@require_GET
@audit_reader_required
def export(request: HttpRequest) -> HttpResponse:
    query, context = _context(request)
    if query is None:
        context.update({"page": None, "rows": [], "query": ""})
        return render(request, "web/audit/entries.html", context, status=400)
    try:
        content, _count = selectors.export_workbook(request.user, query)
    except DomainError as exc:
        context.update({"page": None, "rows": [], "query": "", "error": exc.message})
        return render(request, "web/audit/entries.html", context, status=exc.status)
    return xlsx_response(content, f"审计记录-{clock.today().isoformat()}.xlsx")
