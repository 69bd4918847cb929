"""WSGI entry for ``bench/verify_load.py``: the product's application plus a minimal view.

gunicorn serves ``verify_load_wsgi:application`` (``--pythonpath bench``). A request under
``/bench/minimal/<number>?name=`` goes to ``minimal``: no middleware, no URL resolving, no DRF,
no throttle; one indexed lookup by certificate number over Django's database connection
(the same connection settings, the same SQLite file), the name compared, a small JSON answer.
Everything else goes to the product's application unchanged (``skillcert.wsgi``), so both are
answered by the same worker processes.

``/bench/full-stack/api/v1/public/certificates/<n>?name=`` is the real endpoint served by a
second handler built without ``skillcert.api.public.fastpath`` (every middleware), to show what the
fast path saves in the same run.

Two more paths size the framework's own cost (the floor of any endpoint on this stack): they
are added to the root URLconf's list in this process only, ahead of everything else:
``/bench/django-noop`` (a Django function view: the middleware and URL resolving, an empty JSON
answer) and ``/bench/drf-noop`` (a DRF ``APIView`` without authentication, permission or
throttle: DRF's request wrapping, negotiation and rendering on top).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from django.db import connection

from skillcert.wsgi import application as django_application  # sets Django up  # isort: skip
from skillcert.keystore.fields import open_value  # isort: skip  (after Django is set up)


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
    id_number = open_value(id_number)  # sealed at rest (SM4), as the product reads it
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


FULL_STACK = "/bench/full-stack"
_full_stack_handler = None


def full_stack(environ, start_response):
    """The product without ``api.fastpath``: the real endpoint through every middleware, to
    measure what the fast path saves in the same run."""
    global _full_stack_handler
    if _full_stack_handler is None:
        from django.conf import settings
        from django.core.handlers.wsgi import WSGIHandler
        from django.test.utils import override_settings

        stack = [m for m in settings.MIDDLEWARE if not m.endswith(".PublicVerificationFastPath")]
        with override_settings(MIDDLEWARE=stack):
            _full_stack_handler = WSGIHandler()  # reads MIDDLEWARE once, here
    environ = dict(environ, PATH_INFO=environ["PATH_INFO"][len(FULL_STACK) :])
    return _full_stack_handler(environ, start_response)


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path.startswith(PREFIX):
        return minimal(environ, start_response)
    if path.startswith(FULL_STACK):
        return full_stack(environ, start_response)
    return django_application(environ, start_response)


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


add_noop_views()
