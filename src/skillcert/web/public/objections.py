"""The objector follows an objection (/objections/lookup): the reference (办件编号) and the
code (查询码) given when it was lodged open its state and, once resolved, the outcome and the
reason. A wrong code is answered like an unknown reference. The form is sent by POST (the code
stays out of addresses and logs); lookups are rate-limited per client address at the API's
``verify`` rate, counted under a key of their own."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from skillcert.assessment.services.objections import find_public, public_view
from skillcert.rules.errors import NotFound
from skillcert.web.public.forms import ObjectionLookupForm
from skillcert.web.ratelimit import over_limit, too_many


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """The form (the reference may be prefilled: ``?reference=``), and the answer."""
    if request.method == "POST":
        wait = over_limit(request, "verify", "objection_lookup")
        if wait is not None:
            return too_many(request, wait, "objection_lookup")
        form = ObjectionLookupForm(request.POST)
    else:
        form = ObjectionLookupForm(initial={"reference": request.GET.get("reference", "")[:24]})
    context: dict[str, Any] = {"form": form}
    status = 200
    if form.is_bound and form.is_valid():
        try:
            objection = find_public(form.cleaned_data["reference"], form.cleaned_data["code"])
        except NotFound as exc:
            context["not_found"] = exc.message
            status = 404
        else:
            context["answer"] = public_view(objection)
    elif form.is_bound:
        status = 400
    response = render(request, "web/objection_lookup.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response
