"""Public pages: the catalog, the notices and objections to them, registration."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from skillcert.accounts import security
from skillcert.accounts.middleware import touch
from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.assessment.models import Batch
from skillcert.assessment.services.objections import lodge_objection
from skillcert.certificates.national.filings import confirmed_ids
from skillcert.registry.machines import FILING_MACHINE
from skillcert.registry.models import Notice, NoticeKind
from skillcert.registry.selectors import (
    cities_of,
    public_catalog,
    public_notices,
)
from skillcert.registry.services.organizations import register_organization
from skillcert.rules import clock
from skillcert.rules.errors import DomainError
from skillcert.web import display
from skillcert.web.forms import add_domain_error
from skillcert.web.public.forms import CatalogFilterForm, ObjectionForm, RegisterForm
from skillcert.web.ratelimit import limit_posts

PAGE_SIZE = 50
NOTICES_PAGE_SIZE = 20  # titles only: a phone's screenful or two


@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    """The public catalog of filed organizations; ``scope=province``: the province-wide list."""
    scope = "province" if request.GET.get("scope") == "province" else ""
    names = display.city_names()
    form = CatalogFilterForm(request.GET, cities=sorted(names.items()))
    params = {**form.params(), "scope": scope}
    page = Paginator(public_catalog(params), PAGE_SIZE).get_page(request.GET.get("page"))
    city_codes = sorted(names)
    confirmed = confirmed_ids([organization.pk for organization in page])
    rows = [
        {
            "organization": organization,
            "cities": cities_of(organization, city_codes),
            "confirmed": organization.pk in confirmed,  # 部鉴定中心评估确认
        }
        for organization in page
    ]
    return render(
        request,
        "web/catalog.html",
        {
            "scope": scope or "city",
            "form": form,
            "page": page,
            "rows": rows,
            "city_names": names,
            "filtered": any(v for k, v in params.items() if k != "scope"),
            "query": display.query_without_page(request),
        },
    )


def _result_batch_id(notice: Notice) -> int | None:
    """The batch a result publicity notice is about; None for every other notice."""
    return notice.subject_id if notice.kind == NoticeKind.RESULT_PUBLICITY else None


def _objections_open(notice: Notice) -> bool:
    """Whether anyone may object now: the workflow's ``objections`` step is available."""
    batch_id = _result_batch_id(notice)
    if batch_id is not None:
        batch = Batch.objects.filter(pk=batch_id).first()
        return batch is not None and BATCH_MACHINE.may(batch, None, "objections")
    filing = notice.filing
    return filing is not None and FILING_MACHINE.may(filing, None, "objections")


@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    """Notices running today first, then the earlier ones and the announcements: two lists
    of titles, each paged on its own (``page``, ``past``), so the page reads the same few rows
    however many notices run. A notice's text (a result publicity's names) and the objection
    form are on the notice's own page."""
    today = clock.today()
    running = Q(starts_on__lte=today, ends_on__gte=today)
    listed = public_notices({}).defer("body")
    current = Paginator(listed.filter(running), NOTICES_PAGE_SIZE).get_page(request.GET.get("page"))
    earlier = Paginator(listed.exclude(running), NOTICES_PAGE_SIZE).get_page(
        request.GET.get("past")
    )
    return render(
        request,
        "web/notices.html",
        {
            "current": current,
            "earlier": earlier,
            "current_query": _query_without(request, "page"),
            "earlier_query": _query_without(request, "past"),
        },
    )


def _query_without(request: HttpRequest, param: str) -> str:
    """The query string without one list's page number, for that list's page links."""
    query = request.GET.copy()
    query.pop(param, None)
    return query.urlencode()


@require_GET
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    """One notice in full (a result publicity's list of names while it runs), with the
    objection form while anyone may object."""
    found = public_notices({}).filter(pk=pk).first()
    if found is None:
        raise Http404("未找到该公示")
    today = clock.today()
    running = found.ends_on is not None and found.starts_on <= today <= found.ends_on
    return render(
        request,
        "web/notice.html",
        {
            "notice": found,
            # A result publicity's names only while it runs (domain.md §11, minimal disclosure).
            "body": found.public_body(today),
            "objections_open": running and _objections_open(found),
            "ended": found.ends_on is not None and found.ends_on < today,
            "form": ObjectionForm(),
        },
    )


@require_http_methods(["GET", "POST"])
@limit_posts("public", "objection")
def objection(request: HttpRequest, pk: int) -> HttpResponse:
    """Anyone may object to a filing or to published results while the publicity runs
    (one form per notice)."""
    notice = (
        public_notices({})
        .filter(
            Q(filing__isnull=False) | Q(kind=NoticeKind.RESULT_PUBLICITY, subject_id__isnull=False),
            pk=pk,
        )
        .first()
    )
    if notice is None:
        raise Http404("未找到该公示")
    form = ObjectionForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            batch_id = _result_batch_id(notice)
            if batch_id is not None:
                batch = Batch.objects.filter(pk=batch_id).first()
                if batch is None:
                    raise Http404("未找到该公示")
                lodged = lodge_objection(batch, form.cleaned_data)
                done = (
                    f"异议已提交。{notice.authority.name}职业技能鉴定中心将核实处理，"
                    "异议处理完毕前不予发证。"
                )
            else:
                # The query above only finds result notices and notices of a filing.
                if notice.filing is None:
                    raise Http404("未找到该公示")
                lodged = lodge_objection(notice.filing, form.cleaned_data)
                done = (
                    f"异议已提交。{notice.authority.name}"
                    f"{'人社厅' if notice.authority.is_province else '人社局'}将核实处理，"
                    "公示期内的异议处理完毕前不予备案。"
                )
        except DomainError as exc:
            add_domain_error(form, exc)
            error, status = exc.message, exc.status
        else:
            # Answered here, not redirected: the code is shown this once and kept nowhere.
            response = render(
                request,
                "web/objection_lodged.html",
                {
                    "notice": notice,
                    "done": done,
                    "reference": lodged.case_number,
                    "code": getattr(lodged, "code", ""),
                },
            )
            response["Cache-Control"] = "private, no-store"
            return response
    return render(
        request,
        "web/objection.html",
        {
            "notice": notice,
            "form": form,
            "error": error,
            "objections_open": _objections_open(notice)
            and notice.ends_on is not None
            and notice.ends_on >= clock.today(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@limit_posts("register", "register")
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organization = register_organization(
                username=data["username"],
                password=data["password"],
                credit_code=data["credit_code"],
                name=data["name"],
            )
        except DomainError as exc:
            for field, field_messages in exc.fields.items():
                for message in field_messages:
                    form.add_error(field if field in form.fields else None, message)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            user = organization.members.select_related("user").get().user
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            # As the login page does: the idle count starts now, and the login is recorded.
            touch(request)
            security.record_login(user, request)
            messages.success(request, f"注册成功：{organization.name}。下一步可提交备案申请。")
            return redirect("web:dashboard")
    return render(request, "web/register.html", {"form": form})
