from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views import defaults

from skillcert.api.unknown import server_error as api_server_error
from skillcert.ops import health, metrics

urlpatterns = [
    # For load balancers: the process answers; the parts a request needs answer (api.md).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # For Prometheus: restricted to a token or allowed addresses (ops/metrics.py).
    path("metrics", metrics.metrics, name="metrics"),
    path("", include("skillcert.api.urls")),
    path("", include("skillcert.web.urls")),
]


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_server_error(request)
    return defaults.server_error(request, template_name="500.html")
