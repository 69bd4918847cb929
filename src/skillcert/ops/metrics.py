"""Prometheus metrics at ``/metrics``: request latency per route, verifications, 429 answers,
certificates issued and the job queue.

``RequestMetricsMiddleware`` sits right after the request-id middleware, above the public
verification fast path, so it times and counts every answer, the fast path's too. Routes are
labelled by the URL pattern's name (``api:public-certificate``, ``web:verify_number``), never
by the path, so a scan of random URLs cannot grow the number of series.

Under ``skillcert serve`` (gunicorn, several worker processes) each worker writes its values to
``PROMETHEUS_MULTIPROC_DIR`` (set by serve, emptied at start) and a scrape adds them up
(``prometheus_client`` multiprocess mode); without the variable (tests, runserver) the process's
own registry is read. The database figures are read at scrape time, by whichever worker answers.

Only a scraper may read: ``SKILLCERT_METRICS_TOKEN`` (``Authorization: Bearer …``) or an address
in ``SKILLCERT_METRICS_ALLOW``; with neither set, loopback only. Anyone else gets 403.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from skillcert.supervision.models import CertificateTally, TallySpan
from skillcert.web.ratelimit import client_ident

logger = logging.getLogger(__name__)

MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
LOOPBACK: tuple[Network, ...] = (
    ipaddress.ip_network("127.0.0.0/8"),
    ipaddress.ip_network("::1/128"),
)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# The public verification routes and the channel each belongs to. The page without a number
# counts only when a lookup was sent (a query string); the QR code opens /verify/<number>.
VERIFICATION_ROUTES = {
    "api:public-certificate": "api",
    "api:public-credential": "api",
    "web:verify_number": "page",
    "web:verify": "page",
}

REQUEST_SECONDS = Histogram(
    "skillcert_http_request_duration_seconds",
    "Time to answer a request, by route (URL pattern name), method and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
VERIFICATIONS = Counter(
    "skillcert_verification_requests",
    "Public certificate verifications (API and /verify pages), by channel and status class.",
    ["channel", "status"],
)
THROTTLED = Counter(
    "skillcert_http_throttled_responses",
    "Answers 429 (rate limit reached), by route.",
    ["route"],
)


def route_of(request: HttpRequest) -> str:
    """The URL pattern's name (or its pattern), ``static`` or ``unmatched``: never the path."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or match.route or "unnamed"
    if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return "static"
    return "unmatched"


def status_class(code: int) -> str:
    return f"{code // 100}xx"


def observe(request: HttpRequest, code: int, seconds: float) -> None:
    route = route_of(request)
    method = request.method if request.method in METHODS else "other"
    status = status_class(code)
    REQUEST_SECONDS.labels(route, method, status).observe(seconds)
    if code == 429:
        THROTTLED.labels(route).inc()
    channel = VERIFICATION_ROUTES.get(route)
    if channel is not None and (route != "web:verify" or request.GET):
        VERIFICATIONS.labels(channel, status).inc()


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        observe(request, response.status_code, time.perf_counter() - started)
        return response


# --- figures read from the database at scrape time ------------------------------------------


def job_queue() -> tuple[int, float]:
    """(jobs ready to run, age in seconds of the oldest of them).

    "Ready" as the django-tasks database backend's workers see it: status READY and due
    (``run_after`` passed or unset), so a job scheduled for tomorrow is no backlog today.
    """
    ready = DBTaskResult.objects.ready()
    depth = ready.count()
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    if oldest is None:
        return depth, 0.0
    age = (timezone.now() - oldest) / dt.timedelta(seconds=1)
    return depth, max(age, 0.0)


def certificates_issued() -> int:
    """Certificates issued, from the statistics summary (kept current in each writing
    transaction): valid or revoked, a corrected certificate once (as its replacement). A sum
    over the month rows, not a count over a million certificates at every scrape."""
    total = CertificateTally.objects.filter(span=TallySpan.MONTH).aggregate(n=Sum("count"))["n"]
    return int(total or 0)


class DatabaseCollector:
    """Certificates issued and the job queue, read when scraped (cheap: a sum over the
    summary's month rows, a count of the ready jobs)."""

    def collect(self) -> Iterable[Metric]:
        reachable = GaugeMetricFamily(
            "skillcert_metrics_database_up",
            "1 when the database answered this scrape's queries, else 0.",
        )
        try:
            issued = certificates_issued()
            depth, age = job_queue()
        except DatabaseError:
            # Still answer: the request figures matter most when the database is in trouble.
            logger.warning("metrics: the database did not answer", exc_info=True)
            reachable.add_metric([], 0)
            yield reachable
            return
        reachable.add_metric([], 1)
        yield reachable
        yield CounterMetricFamily(
            "skillcert_certificates_issued",
            "Certificates issued (valid or revoked; a corrected certificate counts once).",
            value=issued,
        )
        yield GaugeMetricFamily(
            "skillcert_job_queue_ready", "Jobs waiting for a worker (READY and due).", value=depth
        )
        yield GaugeMetricFamily(
            "skillcert_job_queue_oldest_ready_age_seconds",
            "Seconds the oldest job ready to run has waited (0 when none waits).",
            value=age,
        )


class _ProcessCollector:
    """This process's own registry (no multiprocess directory: tests, runserver)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def multiprocess_mode() -> bool:
    """Whether this process writes its values to the multiprocess directory: prometheus_client
    decides once, when it is first imported, from PROMETHEUS_MULTIPROC_DIR."""
    return values.ValueClass is not values.MutexValue and bool(os.environ.get(MULTIPROC_VARIABLE))


def scrape_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if multiprocess_mode():
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessCollector())
    registry.register(DatabaseCollector())
    return registry


# --- access -----------------------------------------------------------------------------------


def _address(ident: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(ident.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _bearer_matches(request: HttpRequest, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def may_scrape(request: HttpRequest) -> bool:
    """The token, or a client address (as the rate limits see it) in the allowed networks;
    with neither setting, loopback only."""
    token: str = settings.SKILLCERT_METRICS_TOKEN
    if token and _bearer_matches(request, token):
        return True
    allowed: Sequence[Network] = settings.SKILLCERT_METRICS_ALLOW or (() if token else LOOPBACK)
    address = _address(client_ident(request))
    return address is not None and any(address in network for network in allowed)


@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    if not may_scrape(request):
        return HttpResponse("无权访问。", status=403, content_type="text/plain; charset=utf-8")
    response = HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
