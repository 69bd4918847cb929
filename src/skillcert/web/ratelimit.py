"""Rate limits for the pages, in the API's table (``skillcert.accounts.ratelimit``).

Each page uses the rate of a scope of ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (read at each
request, so tests and operators can change it) under a key of its own, per client address as
the API's throttles see it (``NUM_PROXIES``). Over the limit the page answers 429 in Chinese
with ``Retry-After``; nothing else happens.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle

from skillcert.accounts.ratelimit import hit

_THROTTLE = ScopedRateThrottle()  # for parse_rate only: the same reading of "60/min" as the API
# What a person was doing, for the 429 page: (what is paused, where to go back to).
PURPOSES = {
    "verify": ("查询", "web:verify", "返回证书查询"),
    "login": ("登录尝试", "web:login", "返回登录"),
    "password_reset": ("找回密码", "web:login", "返回登录"),
    "register": ("注册", "web:home", "返回首页"),
    "objection": ("异议提交", "web:notices", "返回公示公告"),
    "document": ("文书核验", "web:home", "返回首页"),
    "objection_lookup": ("异议查询", "web:objection_lookup", "返回异议查询"),
}


def rate(scope: str) -> tuple[int, int]:
    """(requests, seconds) of a scope's rate, parsed as the API's throttles parse it."""
    # settings.py spells the rates as a dict of "N/period" strings; the mixed-value
    # REST_FRAMEWORK dict around it is inferred as dict[str, object].
    rates = cast(dict[str, str], settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
    allowed, duration = _THROTTLE.parse_rate(rates[scope])
    assert allowed is not None and duration is not None
    return allowed, duration


def client_ident(request: HttpRequest) -> str:
    """The client's address as the API's throttles see it (NUM_PROXIES, X-Forwarded-For)."""
    # DRF's get_ident reads only request.META, which a plain HttpRequest has; the stubs
    # narrow the parameter to DRF's Request, which the implementation does not need.
    return BaseThrottle().get_ident(request) or "unknown"  # type: ignore[arg-type]


def over_limit(request: HttpRequest, scope: str, key: str) -> int | None:
    """Count this request under ``key``; the seconds to wait when over the limit, else None."""
    allowed, duration = rate(scope)
    now = time.time()
    window = int(now // duration)
    if hit(f"web-{key}:{client_ident(request)}", window, duration) > allowed:
        return max(1, int((window + 1) * duration - now + 0.999))
    return None


def too_many(request: HttpRequest, wait: int, purpose: str) -> HttpResponse:
    paused, back, back_label = PURPOSES[purpose]
    context = {"wait": wait, "paused": paused, "back": back, "back_label": back_label}
    response = render(request, "web/too_many.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response


def limit_posts(scope: str, key: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Count the POSTs of a page (the form sent) under the ``scope``'s rate."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.method == "POST":
                wait = over_limit(request, scope, key)
                if wait is not None:
                    return too_many(request, wait, key)
            return view(request, *args, **kwargs)

        return limited

    return decorate
