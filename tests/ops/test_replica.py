"""The read replica serves the public's reads only; officers and every write use the primary.

The replica here is a second connection to the test database (what a streaming replica with no
lag looks like), under the alias ``replica`` with ``PublicReadRouter`` installed, as
``SKILLCERT_REPLICA_URL`` configures it. Each query is seen on the connection that ran it.
The requests run outside a test transaction (``transaction=True``): a read inside a
transaction always stays on the primary, which the last test shows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from skillcert.certificates.models import Certificate, CertificateStatus
from skillcert.certificates.services import lifecycle
from skillcert.ops import dbrouter
from tests.support.factories import CertificateFactory, member, on_day

TABLE = "certificates_certificate"


pytestmark = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, "replica"])


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup):
    """The alias exists before the test's databases are checked (as settings would make it)."""
    config = dict(connections[DEFAULT_DB_ALIAS].settings_dict)  # the test database's
    connections.settings[dbrouter.REPLICA] = {**config, "TEST": {"MIRROR": DEFAULT_DB_ALIAS}}
    yield
    connections[dbrouter.REPLICA].close()
    del connections[dbrouter.REPLICA]
    del connections.settings[dbrouter.REPLICA]


@pytest.fixture
def replica(settings):
    settings.DATABASE_ROUTERS = ["skillcert.ops.dbrouter.PublicReadRouter"]
    return connections[dbrouter.REPLICA]


@pytest.fixture
def certificate(replica) -> Certificate:
    return CertificateFactory()


@contextmanager
def queries() -> Iterator[dict[str, list[str]]]:
    """The SQL each connection ran inside the block, by alias."""
    seen: dict[str, list[str]] = {}
    with ExitStack() as stack:
        captured = {
            alias: stack.enter_context(CaptureQueriesContext(connections[alias]))
            for alias in (DEFAULT_DB_ALIAS, dbrouter.REPLICA)
        }
        yield seen
    for alias, context in captured.items():
        seen[alias] = [query["sql"] for query in context.captured_queries]


def touching(sqls: list[str], table: str = TABLE) -> list[str]:
    return [sql for sql in sqls if table in sql]


def test_public_verification_by_api_reads_the_replica(certificate):
    path = f"/api/v1/public/certificates/{certificate.number}"
    with queries() as seen:
        answer = Client().get(path, {"name": certificate.name})
    assert answer.status_code == 200 and answer.json()["number"] == certificate.number
    assert touching(seen[dbrouter.REPLICA])
    assert not touching(seen[DEFAULT_DB_ALIAS])


def test_the_verify_page_reads_the_replica(certificate):
    with queries() as seen:
        page = Client().get(
            f"/verify/{certificate.number}",
            {"name": certificate.name, "number": certificate.number},
        )
    assert page.status_code == 200 and certificate.number in page.content.decode()
    assert touching(seen[dbrouter.REPLICA])
    assert not touching(seen[DEFAULT_DB_ALIAS])


def test_the_public_catalog_reads_the_replica(certificate):
    with queries() as seen:
        assert Client().get("/api/v1/public/organizations").status_code == 200
    organizations = '"registry_organization"'
    assert touching(seen[dbrouter.REPLICA], organizations)
    assert not touching(seen[DEFAULT_DB_ALIAS], organizations)


def test_an_organizations_own_page_reads_the_primary(certificate):
    client = Client()
    client.force_login(member(certificate.organization))
    with queries() as seen:
        page = client.get(f"/org/certificates/{certificate.number}")
    assert page.status_code == 200 and certificate.number in page.content.decode()
    assert touching(seen[DEFAULT_DB_ALIAS])
    assert seen[dbrouter.REPLICA] == []


def test_a_signed_in_person_reads_public_pages_from_the_primary(certificate):
    """An officer who has just published a notice finds it on /notices at once."""
    client = Client()
    client.force_login(member(certificate.organization))
    with queries() as seen:
        assert client.get("/catalog").status_code == 200
    assert touching(seen[DEFAULT_DB_ALIAS], '"registry_organization"')
    assert seen[dbrouter.REPLICA] == []


def test_a_write_during_a_public_request_goes_to_the_primary(certificate):
    """A service handed an object read from the replica locks, re-reads and writes on the
    primary (inside its transaction nothing is read from the replica)."""
    marked = dbrouter.public_read.set(True)
    try:
        read = Certificate.objects.get(pk=certificate.pk)
        assert read._state.db == dbrouter.REPLICA
        with queries() as seen, on_day("2026-11-20"):
            lifecycle.revoke_certificate(
                read, reason="考生替考，成绩无效。", actor=member(certificate.organization)
            )
        with transaction.atomic():
            assert Certificate.objects.get(pk=certificate.pk)._state.db == DEFAULT_DB_ALIAS
    finally:
        dbrouter.public_read.reset(marked)
    writes = [sql for sql in seen[DEFAULT_DB_ALIAS] if sql.startswith(("UPDATE", "INSERT"))]
    assert touching(writes)
    assert not any(sql.startswith(("UPDATE", "INSERT")) for sql in seen[dbrouter.REPLICA])
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.REVOKED


def test_the_router_sends_writes_and_migrations_to_the_primary_only():
    router = dbrouter.PublicReadRouter()
    marked = dbrouter.public_read.set(True)
    try:
        assert router.db_for_write(Certificate) == DEFAULT_DB_ALIAS
    finally:
        dbrouter.public_read.reset(marked)
    assert router.db_for_read(Certificate) == DEFAULT_DB_ALIAS  # not a public request
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "certificates")
    assert not router.allow_migrate(dbrouter.REPLICA, "certificates")


@pytest.mark.parametrize(
    ("method", "path", "public"),
    [
        ("GET", "/verify/S000034010001264000501", True),
        ("GET", "/api/v1/public/certificates/S000034010001264000501/credential", True),
        ("GET", "/catalog", True),
        ("HEAD", "/notices", True),
        ("GET", "/api/v1/public/notices", True),
        ("POST", "/notices/1/objection", False),
        ("GET", "/org/certificates", False),
        ("GET", "/api/v1/certificates/S000034010001264000501", False),
    ],
)
def test_which_requests_are_public_reads(rf, method, path, public):
    assert dbrouter.is_public_read(rf.generic(method, path)) is public


def test_signed_in_requests_are_not_public_reads(rf, settings):
    with_session = rf.get("/catalog")
    with_session.COOKIES[settings.SESSION_COOKIE_NAME] = "abc"
    assert not dbrouter.is_public_read(with_session)
    assert not dbrouter.is_public_read(rf.get("/catalog", HTTP_AUTHORIZATION="Bearer t"))


def databases_with(**variables: str) -> dict[str, dict[str, object]]:
    """settings.DATABASES as a server started with these variables reads it (no connection)."""
    code = (
        "import json; from skillcert import settings; "
        "print(json.dumps(settings.DATABASES, default=str)); "
        "print(json.dumps(getattr(settings, 'DATABASE_ROUTERS', [])))"
    )
    ours = (
        "DATABASE_URL",
        "SKILLCERT_REPLICA_URL",
        "SKILLCERT_PGBOUNCER",
        "SKILLCERT_DB_CONN_MAX_AGE",
    )
    env = {k: v for k, v in os.environ.items() if k not in ours} | variables
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    databases, routers = done.stdout.splitlines()
    return {"databases": json.loads(databases), "routers": json.loads(routers)}


PRIMARY = "postgres://app:secret@127.0.0.1:6432/skillcert"
REPLICA_URL = "postgres://app:secret@10.0.0.9:6432/skillcert"


def test_the_replica_is_configured_only_when_given():
    plain = databases_with(DATABASE_URL=PRIMARY)
    assert set(plain["databases"]) == {"default"} and plain["routers"] == []
    both = databases_with(DATABASE_URL=PRIMARY, SKILLCERT_REPLICA_URL=REPLICA_URL)
    assert both["databases"]["replica"]["HOST"] == "10.0.0.9"
    assert both["routers"] == ["skillcert.ops.dbrouter.PublicReadRouter"]


def test_pgbouncer_disables_server_side_cursors_and_kept_connections():
    direct = databases_with(DATABASE_URL=PRIMARY, SKILLCERT_REPLICA_URL=REPLICA_URL)
    assert direct["databases"]["default"]["CONN_MAX_AGE"] == 60
    assert not direct["databases"]["default"].get("DISABLE_SERVER_SIDE_CURSORS")
    pooled = databases_with(
        DATABASE_URL=PRIMARY, SKILLCERT_REPLICA_URL=REPLICA_URL, SKILLCERT_PGBOUNCER="1"
    )["databases"]
    for alias in ("default", "replica"):
        assert pooled[alias]["DISABLE_SERVER_SIDE_CURSORS"] is True
        assert pooled[alias]["CONN_MAX_AGE"] == 0
    kept = databases_with(
        DATABASE_URL=PRIMARY, SKILLCERT_PGBOUNCER="1", SKILLCERT_DB_CONN_MAX_AGE="30"
    )["databases"]
    assert kept["default"]["CONN_MAX_AGE"] == 30
