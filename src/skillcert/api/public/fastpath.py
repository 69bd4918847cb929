"""Public verification skips the middleware that only pages for people need.

``GET /api/v1/public/certificates/<n>`` (and ``…/credential``) is the busiest public path and
reads no session, cookie, CSRF token, logged-in user or flash message. This middleware, placed
right after the security and static-file middleware, answers those two routes itself: it
resolves the path with the project's URLconf and calls the same DRF view (its throttle, its
errors in the contract's format), so nothing about the answer changes except that session,
CSRF, authentication, messages and the frame-options header are not set up for it (the Host
header is still checked and Content-Length still set, as CommonMiddleware does). Every other
path, method or unresolved URL goes down the full stack unchanged.

Measured in ``bench/RESULTS.md`` (public verification under load).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.urls import Resolver404, resolve

PREFIX = "/api/v1/public/certificates/"
FAST_ROUTES = frozenset({"api:public-certificate", "api:public-credential"})
METHODS = frozenset({"GET"})


class PublicVerificationFastPath:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method in METHODS and request.path_info.startswith(PREFIX):
            request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware would check (400 if not)
            try:
                match = resolve(request.path_info)
            except Resolver404:
                return self.get_response(request)
            if match.view_name in FAST_ROUTES:
                request.resolver_match = match
                response = match.func(request, *match.args, **match.kwargs)
                render = getattr(response, "render", None)
                if callable(render) and not getattr(response, "is_rendered", True):
                    response = render()
                if not response.streaming and not response.has_header("Content-Length"):
                    response.headers["Content-Length"] = str(len(response.content))  # as Common
                return response
        return self.get_response(request)
