"""WSGI entry for ``bench/verify_load.py``: the product's application plus a minimal view.

gunicorn serves ``verify_load_wsgi:application`` (``--pythonpath bench``). A request under
``/bench/minimal/<number>?name=`` goes to ``minimal``: no middleware, no URL resolving, no DRF,
no throttle; one indexed lookup by certificate number over Django's database connection
(the same connection settings, the same SQLite file), the name compared, a small JSON answer.
Everything else goes to the product's application unchanged (``skillcert.wsgi``), so both are
answered by the same worker processes.

Two more paths size the framework's own cost (the floor of any endpoint on this stack): they
are added to the root URLconf's list in this process only, ahead of everything else:
``/bench/django-noop`` (a Django function view: the middleware and URL resolving, an empty JSON
answer) and ``/bench/drf-noop`` (a DRF ``APIView`` without authentication, permission or
throttle: DRF's request wrapping, negotiation and rendering on top).

With ``SKILLCERT_BENCH_FIXES=lookup,connection,throttle`` (or ``all``) the fixes proposed in
bench/RESULTS.md are patched in here (``apply_proposed_fixes``), to measure them under the same
load without touching the product.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs

from django.db import connection

from skillcert.wsgi import application as django_application  # sets Django up


def _table() -> str:
    from skillcert.certificates.models import Certificate  # once Django is set up

    return Certificate._meta.db_table


PREFIX = "/bench/minimal/"
SQL = (
    "SELECT number, name, status, id_number, issued_on, organization_name "
    f"FROM {_table()} WHERE number = %s"
)
NOT_FOUND = json.dumps({"error": {"code": "not_found"}}).encode()


def minimal(environ, start_response):
    number = environ["PATH_INFO"][len(PREFIX) :].strip().upper()
    name = parse_qs(environ.get("QUERY_STRING", "")).get("name", [""])[0]
    with connection.cursor() as cursor:
        cursor.execute(SQL, [number])
        row = cursor.fetchone()
    if row is None or row[1] != name:
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [NOT_FOUND]
    number, name, status, id_number, issued_on, organization = row
    body = json.dumps(
        {
            "number": number,
            "name": name,
            "status": status,
            "id_masked": id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:],
            "issued_on": str(issued_on),
            "organization": organization,
        },
        ensure_ascii=False,
    ).encode()
    start_response(
        "200 OK",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]


def application(environ, start_response):
    if environ.get("PATH_INFO", "").startswith(PREFIX):
        return minimal(environ, start_response)
    return django_application(environ, start_response)


PUBLIC_COLUMNS = (
    "number",
    "name",
    "id_type",
    "id_number",
    "occupation_name",
    "work_type",
    "level",
    "organization_name",
    "issued_on",
    "status",
    "filing_number",
    "revoked_on",
    "last_reissued_on",
    "organization__filed_on",
    "organization__exited_on",
    "organization__valid_until",
    "organization__status",
    "batch__plan_filed_on",
    "batch__results_filed_on",
    "superseded_by__number",
)


def add_noop_views() -> None:
    from django.http import JsonResponse
    from django.urls import path
    from rest_framework import permissions
    from rest_framework.response import Response
    from rest_framework.views import APIView

    import skillcert.urls

    def django_noop(request):
        return JsonResponse({"ok": True})

    class DrfNoop(APIView):
        authentication_classes: list = []
        permission_classes = [permissions.AllowAny]
        throttle_classes: list = []

        def get(self, request):
            return Response({"ok": True})

    skillcert.urls.urlpatterns[:0] = [
        path("bench/django-noop", django_noop),
        path("bench/drf-noop", DrfNoop.as_view()),
    ]


FIXES = ("lookup", "connection", "throttle")
# Not in "all": further steps, measured separately: ``sql`` (find_public_sql) instead of
# ``lookup``, ``counter`` (CounterThrottle) instead of ``throttle``.
MORE = ("sql", "counter")


def apply_proposed_fixes(which: tuple[str, ...] = FIXES) -> None:
    """The three changes proposed for the public verification, patched into this process.

    1. ``find_public`` looks the number up with ``.get()``: no ``ORDER BY number`` (``.first()``
       orders by ``Meta.ordering``, and compiling that against the 99 selected columns of the
       four joined tables costs more than the query itself), and selects only the 20 columns
       the answer uses (``.only(*PUBLIC_COLUMNS)``).
    2. The SQLite connection is kept between requests (``CONN_MAX_AGE``), instead of a new
       connection and its two PRAGMAs per request.
    3. The ``verify`` throttle counts per fixed window (one integer in the cache) instead of
       DRF's list of every request's timestamp within the window, pickled, compressed and
       written back to a file on every request.

    ``sql`` (instead of ``lookup``): one hand-written SELECT of those 20 columns over the same
    joins, the instances built from the row, no ORM query compilation at all.
    ``counter`` (instead of ``throttle``): the fixed windows counted in a SQLite file of their
    own (``DATA_DIR/throttle.sqlite3``, one ``INSERT … ON CONFLICT DO UPDATE … RETURNING``)
    instead of the file cache (a temporary file written and renamed, and the cache folder
    listed, on every request).
    """
    from django.conf import settings
    from django.db import connections
    from rest_framework.throttling import ScopedRateThrottle

    from skillcert.api import certificates as api
    from skillcert.certificates import verification
    from skillcert.certificates.models import Certificate
    from skillcert.rules.codes import parse_certificate_number
    from skillcert.rules.errors import NotFound

    def find_public(number, name):
        if not (name or "").strip():
            return verification.find_public(number, name)  # the same 400
        parsed = str(parse_certificate_number(number, field="number"))
        try:
            certificate = (
                Certificate.objects.select_related("organization", "batch", "superseded_by")
                .only(*PUBLIC_COLUMNS)
                .get(number=parsed)
            )
        except Certificate.DoesNotExist:
            certificate = None
        normal = verification._normal_name
        if certificate is None or normal(certificate.name) != normal(name):
            raise NotFound("未查询到该证书：请核对证书编号和姓名", code="not_found")
        return certificate

    from skillcert.assessment.models import Batch
    from skillcert.registry.models import Organization

    own = [c for c in PUBLIC_COLUMNS if "__" not in c]
    sql = (
        "SELECT "
        + ", ".join(f"c.{Certificate._meta.get_field(c).column}" for c in own)
        + ", o.filed_on, o.exited_on, o.valid_until, o.status,"
        " b.plan_filed_on, b.results_filed_on, s.number"
        f" FROM {Certificate._meta.db_table} c"
        f" JOIN {Organization._meta.db_table} o ON o.id = c.organization_id"
        f" JOIN {Batch._meta.db_table} b ON b.id = c.batch_id"
        f" LEFT JOIN {Certificate._meta.db_table} s ON s.id = c.superseded_by_id"
        " WHERE c.number = %s"
    )

    def find_public_sql(number, name):
        if not (name or "").strip():
            return verification.find_public(number, name)
        parsed = str(parse_certificate_number(number, field="number"))
        with connection.cursor() as cursor:
            cursor.execute(sql, [parsed])
            row = cursor.fetchone()
        normal = verification._normal_name
        if row is None or normal(row[1]) != normal(name):
            raise NotFound("未查询到该证书：请核对证书编号和姓名", code="not_found")
        values = dict(zip(own, row, strict=False))
        filed_on, exited_on, valid_until, status, plan_filed, results_filed, newer = row[len(own) :]
        certificate = Certificate(**values)
        certificate.organization = Organization(
            filed_on=filed_on, exited_on=exited_on, valid_until=valid_until, status=status
        )
        certificate.batch = Batch(plan_filed_on=plan_filed, results_filed_on=results_filed)
        if newer is not None:
            certificate.superseded_by = Certificate(number=newer)
        return certificate

    class WindowThrottle(ScopedRateThrottle):
        def allow_request(self, request, view):
            self.scope = getattr(view, self.scope_attr, None)
            if not self.scope:
                return True
            self.rate = self.get_rate()
            self.num_requests, self.duration = self.parse_rate(self.rate)
            key = self.get_cache_key(request, view)
            if key is None:
                return True
            self.now = self.timer()
            return self.count(key, int(self.now // self.duration)) <= self.num_requests

        def count(self, key, window):
            key = f"{key}:{window}"
            count = self.cache.get(key, 0) + 1
            self.cache.set(key, count, self.duration)
            return count

        def wait(self):
            return self.duration - self.now % self.duration

    class CounterThrottle(WindowThrottle):
        """The same fixed windows, counted in a small SQLite file of their own (one UPSERT;
        shared by the worker processes; nothing in it worth keeping, so no fsync)."""

        store = None

        def count(self, key, window):
            store = CounterThrottle.store
            if store is None:
                path = Path(settings.DATA_DIR) / "throttle.sqlite3"
                store = sqlite3.connect(path, isolation_level=None, timeout=5)
                store.execute("PRAGMA journal_mode=WAL")
                store.execute("PRAGMA synchronous=OFF")
                store.execute(
                    "CREATE TABLE IF NOT EXISTS hits"
                    " (key TEXT, window INTEGER, n INTEGER, PRIMARY KEY (key, window))"
                )
                CounterThrottle.store = store
            (count,) = store.execute(
                "INSERT INTO hits VALUES (?, ?, 1) ON CONFLICT (key, window)"
                " DO UPDATE SET n = n + 1 RETURNING n",
                (key, window),
            ).fetchone()
            return count

    if "lookup" in which:
        api.find_public = find_public
    if "sql" in which:
        api.find_public = find_public_sql
    if "throttle" in which:
        for view in (api.PublicVerifyView, api.PublicCredentialView):
            view.throttle_classes = [WindowThrottle]
    if "counter" in which:
        for view in (api.PublicVerifyView, api.PublicCredentialView):
            view.throttle_classes = [CounterThrottle]
    if "connection" in which:
        connections["default"].settings_dict["CONN_MAX_AGE"] = 600


add_noop_views()
_fixes = os.environ.get("SKILLCERT_BENCH_FIXES", "")
if _fixes:
    apply_proposed_fixes(
        tuple(f for part in _fixes.split(",") for f in (FIXES if part == "all" else (part,)))
    )
