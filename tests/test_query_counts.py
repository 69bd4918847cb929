"""Lists answer with a number of queries that does not grow with their rows (no N+1).

Each case builds ``N`` rows, asks the list (API or page) as the persona who sees them, builds
``2N`` more and asks again: the two counts are equal, and no more than the ceiling measured
when this was written (a later extra query per request shows up as a ceiling breach; a query
per row as unequal counts). Each measurement follows a warm-up request, so one-time work
(caches, time catching up with states) is not counted.

The rows are made with tests/support/factories.py, of several states each, and of several
organizations where the list is an officer's or the public's.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support import personas
from tests.support.factories import (
    BatchFactory,
    CertificateFactory,
    FilingCaseFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db

N = 3
TODAY = "2026-11-05"  # batches of 11-02 have results in their publicity (11-04 … 11-10)


@dataclass
class Scene:
    """Who asks, and what the rows are added to."""

    bureau: personas.Persona  # 合肥's bureau
    org: personas.Persona  # a 合肥 organization on record (in its pilot)
    applicant: personas.Persona  # a 合肥 organization still applying
    public: personas.Persona
    issued: Any = None  # the organization's batch with certificates, made on first use
    filings: int = 0  # filings of many made so far


# --- rows --------------------------------------------------------------------------------


FILING_STAGES = ["submitted", "accepted", "under_evaluation", "selected", "in_publicity"]


def filings_of_many(scene: Scene, n: int) -> None:
    """Initial filings of ``n`` new 合肥 organizations, at each open stage of review in turn
    (publicities over by ``TODAY``: the bureau may file them)."""
    for state in itertools.islice(itertools.cycle(FILING_STAGES), scene.filings, scene.filings + n):
        FilingCaseFactory(state=state)
    scene.filings += n


def filings_unguarded(scene: Scene, n: int) -> None:
    """Filings at the stages whose next step has no guard reading the database."""
    for state in itertools.islice(itertools.cycle(["submitted", "accepted"]), n):
        FilingCaseFactory(state=state)


def filings_of_one(scene: Scene, n: int) -> None:
    """``n`` ended initial filings of the applying organization."""
    organization = scene.applicant.organization
    for state in itertools.islice(itertools.cycle(["not_accepted", "not_selected"]), n):
        FilingCaseFactory(state=state, organization=organization)


def batches_of_one(scene: Scene, n: int) -> None:
    """``n`` batches of the filed organization, assessed in 合肥, at three stages."""
    states = itertools.cycle(["plan_filed", "results_entered", "in_publicity"])
    for state in itertools.islice(states, n):
        BatchFactory(state=state, organization=scene.org.organization)


def certificates_of_one(scene: Scene, n: int) -> None:
    """``n`` more certificates of the filed organization, every other one revoked."""
    if scene.issued is None:
        scene.issued = BatchFactory(state="results_filed", organization=scene.org.organization)
    for state in itertools.islice(itertools.cycle(["valid", "revoked"]), n):
        CertificateFactory(state=state, batch=scene.issued)


def catalog_entries(scene: Scene, n: int) -> None:
    """``n`` filed organizations of three cities, in their pilot or past it."""
    cities = itertools.cycle(["01", "02", "03"])
    for state in itertools.islice(itertools.cycle(["in_pilot", "active"]), n):
        OrganizationFactory(state=state, city=next(cities))


def notices(scene: Scene, n: int) -> None:
    """``n`` notices: results in their publicity (with objections open) and filing
    publicities, of new organizations."""
    for index in range(n):
        if index % 2:
            FilingCaseFactory(state="in_publicity")
        else:
            BatchFactory(state="in_publicity")


# --- the lists ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    who: str  # a Scene persona
    path: str
    rows: Callable[[Scene, int], None]
    ceiling: int  # the count measured when written
    api: bool = True
    xfail: str = ""  # "N+1: <where>" for a list known to grow
    worklist: bool = False  # lists what the persona may act on: not every row

    def __post_init__(self) -> None:
        if self.path in {"/api/v1/worklist", "/"}:
            object.__setattr__(self, "worklist", True)


CASES = [
    # API
    Case("api filings (bureau)", "bureau", "/api/v1/filings", filings_of_many, 5),
    Case("api filings (organization)", "applicant", "/api/v1/filings", filings_of_one, 6),
    Case("api batches (organization)", "org", "/api/v1/batches", batches_of_one, 7),
    Case("api batches (bureau)", "bureau", "/api/v1/batches", batches_of_one, 5),
    Case("api certificates (organization)", "org", "/api/v1/certificates", certificates_of_one, 6),
    Case("api certificates (bureau)", "bureau", "/api/v1/certificates", certificates_of_one, 4),
    Case(
        "api worklist (bureau)",
        "bureau",
        "/api/v1/worklist",
        filings_of_many,
        13,
    ),
    # The same worklist without the guarded steps.
    Case("api worklist (bureau, unguarded)", "bureau", "/api/v1/worklist", filings_unguarded, 12),
    Case("api worklist (organization)", "org", "/api/v1/worklist", batches_of_one, 14),
    # +1: 部鉴定中心评估确认 of the page's organizations (one query for the page).
    Case("api public catalog", "public", "/api/v1/public/organizations", catalog_entries, 7),
    Case("api public notices", "public", "/api/v1/public/notices", notices, 2),
    # pages (signed in: +1 for the unread messages counted in the navigation, 消息 n)
    Case(
        "page /review/filings",
        "bureau",
        "/review/filings",
        filings_of_many,
        16,
        api=False,
    ),
    Case("page /org/filings", "applicant", "/org/filings", filings_of_one, 18, api=False),
    Case("page /org/batches", "org", "/org/batches", batches_of_one, 19, api=False),
    Case("page /review/batches", "bureau", "/review/batches", batches_of_one, 18, api=False),
    Case("page /org/certificates", "org", "/org/certificates", certificates_of_one, 18, api=False),
    # The home page shows the worklist's count (工作台 n); the workbench lists its items.
    Case("page / (bureau)", "bureau", "/", filings_of_many, 14, api=False),
    Case("page / (organization)", "org", "/", batches_of_one, 15, api=False),
    Case(
        "page /dashboard (bureau)",
        "bureau",
        "/dashboard",
        filings_of_many,
        24,
        api=False,
    ),
    Case("page /dashboard (organization)", "org", "/dashboard", batches_of_one, 24, api=False),
    Case("page /catalog", "public", "/catalog", catalog_entries, 7, api=False),
    Case("page /notices", "public", "/notices", notices, 4, api=False),
]


def _param(case: Case) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.name, marks=marks)


def measure(client: Any, path: str, api: bool) -> tuple[int, int]:
    """(queries, size): the number of queries of one request after a warm-up one, and the
    number of rows (API: ``count``; the home page: its worklist count) or the page's
    length."""
    query = {"page_size": 500} if api else {}
    client.get(path, query)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, query)
    assert response.status_code == 200, response.content[:300]
    if api:
        return len(queries), response.json()["count"]
    if path == "/":
        text = re.sub(r"<[^>]+>", " ", response.content.decode())
        return len(queries), int(re.search(r"工作台\s*(\d+)", text).group(1))
    return len(queries), len(response.content)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_queries_do_not_grow_with_the_rows(today, case):
    today(TODAY)
    scene = Scene(
        bureau=personas.city_officer("01"),
        org=personas.organization_user("in_pilot", city="01"),
        applicant=personas.organization_user("applying", city="01"),
        public=personas.anonymous(),
    )
    persona = getattr(scene, case.who)
    client = persona.api if case.api else persona.web
    case.rows(scene, N)
    few, small = measure(client, case.path, case.api)
    case.rows(scene, 2 * N)
    many, large = measure(client, case.path, case.api)
    if case.api and not case.worklist:
        assert large - small == 2 * N, (small, large)  # the rows are listed
    else:
        assert large > small, (small, large)  # the page shows more (or counts more work)
    assert many == few, f"{few} queries at N={N} rows, {many} at 3N"
    assert many <= case.ceiling, f"{many} queries, more than the {case.ceiling} measured"
