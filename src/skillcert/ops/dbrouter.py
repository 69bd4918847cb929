"""A read replica for public read-only traffic (``SKILLCERT_REPLICA_URL``).

Only the public's reads go to the replica: certificate verification (pages, API and the API's
fast path), the catalog and the notices, for GET and HEAD by someone not signed in (no session
cookie, no Authorization header). ``PublicReadMiddleware`` marks those requests (a context
variable; it sits above the fast path, so the fast path is marked too) and ``PublicReadRouter``
sends their reads to ``replica``. Everything else reads from ``default``: an officer who has just
published a notice must find it on /notices, and a signed-in person must not look signed out
because the replica lags. Every write goes to ``default``, and so does every read made inside a
transaction (a locked row, a time-driven transition applied while a notice is read).

Replication lag: a certificate issued a moment ago may not verify until the replica has it
(docs/operations.md, "Database").
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponseBase

REPLICA = "replica"
PUBLIC_READ_METHODS = frozenset({"GET", "HEAD"})
PUBLIC_READ_PREFIXES = (
    "/verify",
    "/catalog",
    "/notices",
    "/api/v1/public/certificates/",
    "/api/v1/public/organizations",
    "/api/v1/public/notices",
)
# Read from the primary even in a public request: the signing keys (a rotation must hold at
# once on every server, replica or not) and the job runner's tables.
PRIMARY_ONLY_APPS = frozenset({"keystore", "jobs", "django_tasks_database"})
public_read: contextvars.ContextVar[bool] = contextvars.ContextVar("public_read", default=False)


def is_public_read(request: HttpRequest) -> bool:
    return (
        request.method in PUBLIC_READ_METHODS
        and request.path_info.startswith(PUBLIC_READ_PREFIXES)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "Authorization" not in request.headers
    )


class PublicReadMiddleware:
    """Marks the public's read-only requests for ``PublicReadRouter`` while they run."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not is_public_read(request):
            return self.get_response(request)
        marked = public_read.set(True)
        try:
            return self.get_response(request)
        finally:
            public_read.reset(marked)


class PublicReadRouter:
    """Listed in ``DATABASE_ROUTERS`` only when a replica is configured."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if (
            public_read.get()
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # one database, copied: an object read on either relates to any other

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
