"""Page sessions (domain.md §11): idle sessions end, expired passwords are changed first.

``IdleSessionMiddleware`` keeps the time of the last request in the session (platform clock,
``skillcert.rules.clock.now``), written only when the stored time is more than a minute old
(and when the drill date ``SKILLCERT_TODAY`` itself was set anew, which restarts the count);
a session idle longer than ``SKILLCERT_SESSION_IDLE_MINUTES`` is ended (recorded as a
``logout``) and the person sent to the login page with a message. ``PasswordAgeMiddleware``
sends a signed-in person whose password is past its age (or temporary) to the password page
before anything else, and, with ``SKILLCERT_REQUIRE_TOTP``, an officer or administrator
without a confirmed second factor to its enrollment page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from skillcert.accounts import security
from skillcert.rules import clock

SESSION_KEY = "skillcert_last_seen"
# The drill date (SKILLCERT_TODAY) the stamp was taken under: a drill's date set anew (a restart
# with another SKILLCERT_TODAY, or a test moving it) restarts the count instead of being taken
# for days of idleness.
SESSION_DAY_KEY = "skillcert_last_seen_day"
WRITE_EVERY_SECONDS = 60


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _is_static(request: HttpRequest) -> bool:
    static = "/" + str(settings.STATIC_URL).lstrip("/")
    return request.path.startswith(static) or request.path == "/favicon.ico"


def _signed_in(request: HttpRequest) -> bool:
    """Whether a session user is signed in; without a session cookie the session is not even
    opened (public pages keep no ``Vary: Cookie``)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return user is not None and bool(user.is_authenticated)


def _drill_day() -> str:
    fixed = clock.fixed_today()
    return fixed.isoformat() if fixed else ""


def touch(request: HttpRequest) -> None:
    """Start counting idle time from now (called at login)."""
    request.session[SESSION_KEY] = clock.now().timestamp()
    request.session[SESSION_DAY_KEY] = _drill_day()


class IdleSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _signed_in(request) and not _is_static(request):
            user = request.user
            now = clock.now().timestamp()
            last = request.session.get(SESSION_KEY)
            if request.session.get(SESSION_DAY_KEY, "") != _drill_day():
                last = None  # the drill date was set anew: count from now
            idle = int(getattr(settings, "SKILLCERT_SESSION_IDLE_MINUTES", 30)) * 60
            if isinstance(last, int | float) and now - last > idle:
                security.record_logout(user, request, reason="idle")  # type: ignore[arg-type]
                logout(request)
                messages.info(request, security.IDLE_MESSAGE)
                if _is_api(request):
                    return self.get_response(request)
                login = reverse("web:login")
                if request.method == "GET":
                    login += "?" + urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(login)
            # ``now < last``: with a drill date the real midnight passed (the stamp of 23:59
            # is later than 00:01 on the same drill day); count from now, never forever.
            if not isinstance(last, int | float) or now < last or now - last > WRITE_EVERY_SECONDS:
                touch(request)
        return self.get_response(request)


# Pages a person who must first change the password (or enroll TOTP) may still open.
ALWAYS_OPEN = ("web:logout", "web:password_change", "web:totp_enroll", "web:totp_qr")


class PasswordAgeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _signed_in(request) and not _is_api(request) and not _is_static(request):
            target = self._required_page(request, request.user)
            if target and request.path not in {_safe_reverse(n) for n in ALWAYS_OPEN}:
                return HttpResponseRedirect(reverse(target))
        return self.get_response(request)

    @staticmethod
    def _required_page(request: HttpRequest, user: object) -> str | None:
        if security.password_expired(user):
            return "web:password_change"
        if security.totp_required(user) and not security.has_totp(user):
            return "web:totp_enroll"
        return None


def _safe_reverse(name: str) -> str:
    try:
        return reverse(name)
    except Exception:
        return "\0"
