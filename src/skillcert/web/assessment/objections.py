"""The officers' list of objections (/review/objections): every objection to a filing case or
a batch the officer may read, with its case number (办件编号), searchable by it, each leading
to the page of its case or batch where it is resolved. Resolving stays on those pages."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from skillcert.assessment.access import batches_for
from skillcert.registry.access import filings_for
from skillcert.registry.models import Objection, ObjectionState
from skillcert.web import display
from skillcert.web.guards import reviewer_required, signed_in_user

PAGE_SIZE = 50


def _link(objection: Objection) -> str:
    if objection.filing_id is not None:
        page = reverse("web:review_case", args=[objection.filing_id])
    else:
        page = reverse("web:review_batch", args=[objection.batch_id])
    return f"{page}#objection-{objection.pk}"


def _subject(objection: Objection) -> str:
    if objection.filing is not None:
        name = objection.filing.basic.get("name") or objection.filing.organization.name
        return f"备案申请：{name}"
    batch = objection.batch
    assert batch is not None, "an objection has one subject"
    return f"认定结果：{batch.organization.name}“{batch.title}”"


@require_GET
@reviewer_required
def objection_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    q = request.GET.get("q", "").strip()[:40]
    state = request.GET.get("state", "")
    states = list(ObjectionState.choices)
    objections = Objection.objects.filter(
        Q(filing__in=filings_for(user)) | Q(batch__in=batches_for(user))
    ).select_related("filing__organization", "batch__organization")
    if q:
        objections = objections.filter(case_number__icontains=q)
    if state in dict(states):
        objections = objections.filter(state=state)
    else:
        state = ""
    page = Paginator(objections.order_by("-lodged_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [{"objection": o, "link": _link(o), "subject": _subject(o)} for o in page]
    return render(
        request,
        "web/review/objections.html",
        {
            "rows": rows,
            "page": page,
            "params": {"q": q, "state": state},
            "states": states,
            "filtered": bool(q or state),
            "query": display.query_without_page(request),
        },
    )
