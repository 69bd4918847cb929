"""DRF's throttle over the shared rate-limit counters (``skillcert.accounts.ratelimit``)."""

from __future__ import annotations

import time

from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from skillcert.accounts.ratelimit import hit


class WindowRateThrottle(ScopedRateThrottle):
    def allow_request(self, request: Request, view: APIView) -> bool:
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        num_requests, duration = self.parse_rate(self.rate)
        if num_requests is None or duration is None:
            return True  # a scope whose rate is None is not throttled (as in DRF's own throttles)
        self.num_requests, self.duration = num_requests, duration
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = time.time()
        window = int(now // duration)
        if hit(key, window, duration) > num_requests:
            self._wait = (window + 1) * duration - now
            return False
        return True

    def get_cache_key(self, request: Request, view: APIView) -> str:
        # As ScopedRateThrottle's, but the client's address is read from Django's request:
        # each attribute read through DRF's Request costs a proxied lookup, and the public
        # verification pays for every one.
        user = request.user
        ident: int | str
        if user and user.is_authenticated:
            ident = user.pk
        else:
            # The stubs ask for DRF's Request, but get_ident reads only ``META``, which Django's
            # request has as well.
            ident = self.get_ident(request._request)  # type: ignore[arg-type]
        return f"throttle_{self.scope}_{ident}"

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)
