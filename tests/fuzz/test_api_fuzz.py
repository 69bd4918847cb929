"""Schemathesis against the committed contract (src/skillcert/api/openapi.yaml), in-process.

Every operation is called with generated parameters and bodies, as an organization and as a
city officer (Bearer tokens), through Django's WSGI application inside the test's
transaction. A 500 or an answer that does not match the contract's response schema fails.

Bounded: a few derandomized examples per operation and persona (``SKILLCERT_FUZZ_EXAMPLES``,
default 4), no example database. It runs only with ``SKILLCERT_FUZZ=1``: ``.ci/run`` sets it,
with 3 examples, for its SQLite pass (about a minute on 2 cores); ``make fuzz`` runs 4. More:
``SKILLCERT_FUZZ=1 SKILLCERT_FUZZ_EXAMPLES=50 .venv/bin/pytest -m fuzz tests/fuzz``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from skillcert.accounts.services import issue_token
from tests.support.personas import city_officer, organization_user

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.django_db,
    pytest.mark.skipif(
        not os.environ.get("SKILLCERT_FUZZ"),
        reason="the fuzz run takes minutes: `make fuzz` (SKILLCERT_FUZZ=1) runs it",
    ),
]
# SKILLCERT_FUZZ_METHODS=GET restricts the run to reads (about a minute per persona).
METHODS = os.environ.get("SKILLCERT_FUZZ_METHODS", "")

SCHEMA = Path(__file__).resolve().parents[2] / "src/skillcert/api/openapi.yaml"
EXAMPLES = int(os.environ.get("SKILLCERT_FUZZ_EXAMPLES", "4"))

schema = schemathesis.openapi.from_path(SCHEMA)
APP = get_wsgi_application()


def _token(persona: str) -> str:
    user = (organization_user("in_pilot") if persona == "organization" else city_officer("01")).user
    token, _expiry = issue_token(user)
    return token


@pytest.fixture(params=["organization", "officer"])
def bearer(request):
    return {"Authorization": f"Bearer {_token(request.param)}"}


if METHODS:
    schema = schema.include(method=METHODS.split(","))


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_within_the_contract(case, bearer):
    response = case.call(app=APP, headers=bearer)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
