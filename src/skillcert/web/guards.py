"""Who may open which group of pages; objects themselves come from ``registry.access``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase

from skillcert.accounts.models import User
from skillcert.registry.access import organization_of
from skillcert.rules.errors import NotFound
from skillcert.web.display import is_reviewer_user

# Any response: file downloads answer with ``FileResponse``, which is not an ``HttpResponse``.
View = Callable[..., HttpResponseBase]


def _not_found_is_404(view: View) -> View:
    """``NotFound`` from an access helper answers with the Chinese 404 page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None

    return wrapped


not_found_is_404 = _not_found_is_404


def signed_in_user(request: HttpRequest) -> User:
    """The user of a page behind ``login_required`` (or a guard built on it), typed as ``User``.

    Those guards redirect anonymous visitors to the login page before the view runs, so the
    refusal below is never reached from a guarded view; it keeps an unguarded misuse closed.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("请先登录")
    return user


def organization_required(view: View) -> View:
    """Pages of /org/: a logged-in user of an organization; officers get 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        organization = organization_of(request.user)
        if organization is None:
            raise PermissionDenied("只有评价组织用户可以访问此页面")
        request.organization = organization  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return login_required(_not_found_is_404(wrapped))


def reviewer_required(view: View) -> View:
    """Pages of /review/: officers and inspectors; organization users get 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_reviewer_user(request.user):
            raise PermissionDenied("只有人社部门工作人员和督查员可以访问此页面")
        return view(request, *args, **kwargs)

    return login_required(_not_found_is_404(wrapped))
