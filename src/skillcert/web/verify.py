"""The public certificate check (/verify, /verify/<number>: the page the QR code opens).

The person gives the certificate number (prefilled from the QR code's address) and the
holder's name; the answer is ``certificates.verification.public_view``: the masked ID number,
never the full one, and no photo. A wrong name is answered like an unknown number. Lookups
are rate-limited per client address like the API's (``skillcert.api.throttling``, the
``verify`` rate of ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``), counted under a key of
their own; over the limit the page answers 429 in Chinese.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from rest_framework.throttling import BaseThrottle

from skillcert.api.throttling import hit
from skillcert.certificates.verification import find_public, public_view
from skillcert.rules.errors import DomainError, NotFound
from skillcert.web.forms import VerifyForm

RATE_SCOPE = "verify"
KEY_PREFIX = "web-verify"
DURATIONS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def verify_rate() -> tuple[int, int]:
    """(requests, seconds) of the ``verify`` rate, read at each request (tests change it)."""
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][RATE_SCOPE]
    count, period = rate.split("/")
    return int(count), DURATIONS[period.strip()[0]]


def client_ident(request: HttpRequest) -> str:
    """The client's address as the API's throttles see it (NUM_PROXIES, X-Forwarded-For)."""
    return BaseThrottle().get_ident(request) or "unknown"


def over_limit(request: HttpRequest) -> int | None:
    """Count this lookup; the seconds to wait when over the limit, else None."""
    allowed, duration = verify_rate()
    now = time.time()
    window = int(now // duration)
    if hit(f"{KEY_PREFIX}:{client_ident(request)}", window) > allowed:
        return max(1, int((window + 1) * duration - now + 0.999))
    return None


def too_many(request: HttpRequest, wait: int) -> HttpResponse:
    response = render(request, "web/too_many.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def credential_url(number: str, name: str) -> str:
    return reverse("api:public-credential", args=[number]) + "?" + urlencode({"name": name})


@require_safe
def verify(request: HttpRequest, number: str = "") -> HttpResponse:
    """The form, and the answer when a number and a name were given."""
    form = VerifyForm(request.GET or None, initial={"number": number})
    context: dict[str, Any] = {"form": form, "number": number}
    if form.is_bound:
        wait = over_limit(request)
        if wait is not None:
            return too_many(request, wait)
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
                credential_url=credential_url(answer["number"], data["name"]),
                newer_url=reverse("web:verify_number", args=[answer["superseded_by"]])
                if answer["superseded_by"]
                else "",
                verify_url=reverse("web:verify_number", args=[answer["number"]]),
            )
    response = render(request, "web/verify.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
