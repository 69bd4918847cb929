"""The batch workflow waits for organizations, and for the appraisal center only on filings it
may still receive or return: an officer's worklist reads no other batch (issue 12: every
officer page computed it over every waiting batch), while the organization's lists its own.
(Issue 14 added the center's receipt: updated from "reads none of the batches".)"""

from __future__ import annotations

import pytest

from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.workflow.worklist import worklist
from tests.assessment.factories import batch_in, filed_organization

pytestmark = pytest.mark.django_db


def test_officers_read_no_batch_waiting_for_its_organization(
    occupation_catalog, org_user, city_bureau, city_center, province_dept, today
):
    organization = filed_organization(org_user, city_bureau, today)
    batch = batch_in("plan_filed", organization, org_user, today)
    # Filed today: the center has 3 working days to receive or return it.
    assert list(BATCH_MACHINE.worklist_candidates(city_center)) == [batch]
    items = [i for i in worklist(city_center) if i["type"] == "batch"]
    assert [(i["id"], i["action"], i["due"]) for i in items] == [
        (batch.pk, "receive", batch.plan_receipt_due)
    ]
    today("2026-11-03")  # long past its receipt: time received it, the center owes nothing
    for officer in (city_bureau, city_center, province_dept):
        assert not BATCH_MACHINE.worklist_candidates(officer).exists(), officer.role
        assert not [i for i in worklist(officer) if i["type"] == "batch"]
    assert list(BATCH_MACHINE.worklist_candidates(org_user)) == [batch]
    items = [i for i in worklist(org_user) if i["type"] == "batch"]
    assert [(i["id"], i["action"]) for i in items] == [(batch.pk, "results")]
