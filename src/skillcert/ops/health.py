"""Health for load balancers and orchestrators (api.md, Operations).

``/healthz``: the process runs and answers (no database touched, so a slow database does not make
a balancer kill healthy servers). ``/readyz``: the parts a request needs answer — the database
(a query) and the file storage (a file written, read back and deleted) — else 503 naming each
part that failed. The job queue's table is asked too (``jobs``). With Redis configured
(``SKILLCERT_REDIS_URL``) the cache answers a PING too; without it there is no "cache" check.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult

from skillcert.accounts.ratelimit import redis_counters

PROBE_DIR = "health"


def _database() -> None:
    for alias in connections:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            if cursor.fetchone() != (1,):
                raise RuntimeError("unexpected answer")


def _storage() -> None:
    name = default_storage.save(f"{PROBE_DIR}/{uuid.uuid4().hex}.probe", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as probe:
            if probe.read() != b"ok":
                raise RuntimeError("read back something else")
    finally:
        default_storage.delete(name)


def _jobs() -> None:
    """The queue table answers (a worker being down does not make an app server unready)."""
    DBTaskResult.objects.filter(status="READY").exists()


def _cache() -> None:
    redis_counters(settings.SKILLCERT_REDIS_URL).ping()


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database,
    "storage": _storage,
    "jobs": _jobs,
    "cache": _cache,
}
# Parts that only some installations have: asked only when this says they are in use.
IN_USE: dict[str, Callable[[], bool]] = {"cache": lambda: bool(settings.SKILLCERT_REDIS_URL)}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    for name, check in CHECKS.items():
        if name in IN_USE and not IN_USE[name]():
            continue
        try:
            check()
        except Exception as exc:
            checks[name] = f"failed: {type(exc).__name__}"
        else:
            checks[name] = "ok"
    failed = [name for name, outcome in checks.items() if outcome != "ok"]
    if failed:
        return JsonResponse(
            {"status": "unavailable", "failed": failed, "checks": checks}, status=503
        )
    return JsonResponse({"status": "ok", "checks": checks})
