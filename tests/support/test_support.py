"""The shared support builds what it promises: personas sign in, factories reach their states."""

from __future__ import annotations

import pytest

from skillcert.audit.chain import verify_chain
from skillcert.workflow.models import StateChange
from tests.support import personas
from tests.support.factories import (
    BATCH_DAYS,
    BatchFactory,
    CandidateFactory,
    CertificateFactory,
    FilingCaseFactory,
    InspectionFactory,
    OrganizationFactory,
    SpotCheckFactory,
)

pytestmark = pytest.mark.django_db


def test_each_persona_is_signed_in_on_the_api_and_the_pages():
    cast = personas.cast()
    for name, persona in cast.items():
        me = persona.api.get("/api/v1/me")
        if name == "public":
            assert me.status_code == 401
            assert persona.web.get("/dashboard").status_code == 302
            continue
        assert me.status_code == 200, name
        assert me.json()["username"] == persona.username, name
        assert persona.web.get("/dashboard").status_code in {200, 302}, name
    assert cast["applicant"].organization.home_city.code == "01"
    assert cast["other_org"].organization.home_city.code == "02"
    filed = personas.organization_user("in_pilot", city="03")
    assert filed.organization.filing_authority.code == "03"
    assert personas.inspector("province").user.authority.code == "00"


@pytest.mark.parametrize(
    "state", ["applying", "in_pilot", "active", "pilot_failed", "revoked", "expired"]
)
def test_organizations_in_each_state(state):
    organization = OrganizationFactory(state=state, city="02")
    assert organization.status == state
    assert organization.members.get().user.role == "organization"
    if state != "applying":
        assert organization.filing_number.startswith("S00003402")
        assert organization.scope_items.exists()


@pytest.mark.parametrize(
    "state",
    [
        "draft",
        "submitted",
        "accepted",
        "not_accepted",
        "under_evaluation",
        "selected",
        "not_selected",
        "in_publicity",
        "filed",
    ],
)
def test_filing_cases_in_each_state_have_their_history(state):
    case = FilingCaseFactory(state=state)
    assert case.state == state
    changes = StateChange.objects.filter(object_id=str(case.pk)).count()
    assert (changes > 0) == (state != "draft")
    if state == "filed":
        assert case.organization.status == "in_pilot"
        assert case.filing_number == case.organization.filing_number


@pytest.mark.parametrize("state", list(BATCH_DAYS))
def test_batches_in_each_state(today, state):
    batch = BatchFactory(state=state)
    today(BATCH_DAYS[state])
    batch.refresh_from_db()
    assert batch.state == state
    if state in {"certificates_issued", "results_filed"}:
        assert batch.certificates.exists()


@pytest.mark.parametrize("state", ["valid", "revoked", "superseded"])
def test_certificates_in_each_state(state):
    certificate = CertificateFactory(state=state)
    assert certificate.status == state
    assert len(certificate.number) == 22
    second = CertificateFactory(batch=certificate.batch)
    assert second.serial > certificate.serial and second.status == "valid"


@pytest.mark.parametrize(
    "state", ["assigned", "found", "concluded", "published", "rectify", "responded", "accepted"]
)
def test_inspections_in_each_state(state):
    inspection = InspectionFactory(state=state)
    # The walk's steps that are not states of their own: a finding, the rectification.
    expected = {"found": "assigned", "rectify": "concluded", "responded": "concluded"}
    expected["accepted"] = "concluded"
    assert inspection.state == expected.get(state, state)
    assert inspection.inspectors.count() == 1


def test_candidates_and_spot_checks_and_the_audit_chain():
    batch = BatchFactory(state="plan_filed")
    CandidateFactory.create_batch(3, batch=batch)
    SpotCheckFactory(batch=batch)
    assert batch.candidates.count() == 6 + 3
    assert batch.inspections.count() == 1
    assert verify_chain().ok
