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


def worklist_problems() -> list[str]:
    """Worklist items the person could not act on, or late without a date owed passed."""
    problems = []
    for person in everyone():
        for item in worklist(person):
            machine = machines()[item["type"]]
            if item["type"] == "annual_report":  # a duty of the organization (id), no row
                if item["id"] != person.membership.organization_id:
                    problems.append(f"{person.username}: {item}")
                continue
            obj = machine.model._default_manager.filter(pk=item["id"]).first()
            if obj is None or not machine.may(obj, person, item["action"]):
                problems.append(f"{person.username} cannot {item['action']}: {item}")
            if item["overdue"] and not (item["due"] and item["due"] < clock.today()):
                problems.append(f"late without a date owed passed: {item}")
    return problems


def test_the_demo_can_be_carried_forward_as_time_passes(demo, today):
    """One demo, the clock moved forward over it (reading is all that happens): at each date
    nothing is stuck and every worklist item is an action its person may take."""
    expecting = {"hefei_bureau", "province_dept", "org_hefei", "org_baohe", "org_jiujiang"}
    acting = {u.username for u in User.objects.filter(username__in=expecting) if worklist(u)}
    assert acting == expecting  # each acting demo login finds work on its home page
    for day in DAYS:
        if day is not None:
            today(day)
        assert stuck_objects() == [], day
        assert worklist_problems() == [], day
