"""The public certificate check (/verify, /verify/<number>: the page the QR code opens).

The person gives the certificate number (prefilled from the QR code's address) and the
holder's name; the answer is ``certificates.verification.public_view``: the masked ID number,
never the full one, and no photo. A wrong name is answered like an unknown number. Lookups
are rate-limited per client address at the API's ``verify`` rate (``web.ratelimit``), counted
under a key of their own; over the limit the page answers 429 in Chinese.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from skillcert.certificates.models import CertificateStatus
from skillcert.certificates.verification import find_public, public_view
from skillcert.rules.errors import DomainError, NotFound
from skillcert.web.public.forms import VerifyForm
from skillcert.web.ratelimit import over_limit, too_many


def credential_url(number: str, name: str) -> str:
    return reverse("api:public-credential", args=[number]) + "?" + urlencode({"name": name})


@require_safe
def verify(request: HttpRequest, number: str = "") -> HttpResponse:
    """The form, and the answer when a number and a name were given."""
    form = VerifyForm(request.GET or None, initial={"number": number})
    context: dict[str, Any] = {"form": form, "number": number}
    if form.is_bound:
        wait = over_limit(request, "verify", "verify")
        if wait is not None:
            return too_many(request, wait, "verify")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            answer = public_view(find_public(data["number"], data["name"]))
        except NotFound as exc:
            context["not_found"] = exc.message
        except DomainError as exc:
            context["error"] = exc.message
            for field, messages in exc.fields.items():
                if field == "name":
                    form.add_error("name", list(messages))
        else:
            context.update(
                answer=answer,
                # Only a valid certificate is offered as an electronic certificate: a revoked
                # or superseded one must not travel on as a signed file.
                credential_url=credential_url(answer["number"], data["name"])
                if answer["status"] == CertificateStatus.VALID
                else "",
                newer_url=reverse("web:verify_number", args=[answer["superseded_by"]])
                if answer["superseded_by"]
                else "",
                verify_url=reverse("web:verify_number", args=[answer["number"]]),
            )
    response = render(request, "web/verify.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
