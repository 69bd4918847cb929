"""No dead ends: on the demo data, today and with the clock moved on, every object in a state
that is not final can be carried forward — some person has an action on it, or its ``next``
names the date on which time moves it — and the worklist holds exactly what people can do.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from skillcert.accounts.models import User
from skillcert.rules import clock
from skillcert.workflow.machine import machines
from skillcert.workflow.worklist import worklist
from tests.workflow.dead_ends import everyone, stuck_objects

pytestmark = pytest.mark.django_db

# The demo's own date, then the dates on which its publicities, deadlines and pilot years
# have passed (no command is run in between: reading is enough).
DAYS = [None, "2026-12-20", "2027-02-01", "2027-08-01", "2029-12-01"]


@pytest.fixture
def demo(capsys, settings, tmp_path):
    settings.SKILLCERT_NATIONAL_OUTBOX = str(tmp_path / "outbox")  # each demo its own
    settings.MEDIA_ROOT = tmp_path / "files"
    call_command("setup", "--no-static")
    call_command("demo")
    capsys.readouterr()


@pytest.mark.parametrize("day", DAYS)
def test_every_open_object_can_be_carried_forward(demo, today, day):
    if day is not None:
        today(day)
    assert stuck_objects() == []


@pytest.mark.parametrize("day", DAYS)
def test_the_worklist_holds_only_what_the_person_can_do_now(demo, today, day):
    if day is not None:
        today(day)
    for person in everyone():
        for item in worklist(person):
            machine = machines()[item["type"]]
            if item["type"] == "annual_report":  # a duty of the organization (id), no row
                assert item["id"] == person.membership.organization_id
                continue
            obj = machine.model._default_manager.filter(pk=item["id"]).first()
            if obj is not None and item["action"] in {
                t.action for t in machine.workflow.transitions
            }:
                assert machine.may(obj, person, item["action"]), (person.username, item)
            if item["overdue"]:  # late means a date owed has passed
                assert item["due"] is not None and item["due"] < clock.today(), item


def test_the_demo_leaves_something_to_do_for_each_acting_role(demo):
    """Each demo login that acts in the chain finds its work on its home page."""
    expecting = {"hefei_bureau", "province_dept", "org_hefei", "org_baohe", "org_jiujiang"}
    found = {
        user.username for user in User.objects.filter(username__in=expecting) if worklist(user)
    }
    assert found == expecting
