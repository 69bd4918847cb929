"""The demo data tells one consistent story: what ``make run`` prints is what a newcomer finds,
and the records keep to the rules the platform enforces over time (domain.md §8)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from skillcert.assessment.models import Inspection as SpotCheck
from skillcert.rules.clock import LOCAL_TZ
from skillcert.supervision.models import Finding, Inspection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def files(settings, tmp_path):
    """Each demo writes its files (seals, photos, the national outbox) in a folder of its own."""
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SKILLCERT_KEY_DIR = tmp_path / "keys"
    settings.DATA_DIR.mkdir()


@pytest.fixture
def printed(capsys) -> str:
    """The demo loaded on a set-up instance; what ``skillcert demo`` printed."""
    call_command("setup", "--no-static")
    capsys.readouterr()
    call_command("demo")
    return capsys.readouterr().out


def test_the_demo_s_inspections_fall_inside_their_batches_dates(printed):
    """An on-site check is drawn while its batch can still be inspected, and recorded on a
    day of the assessment (between start_date and end_date)."""
    findings = Finding.objects.filter(inspection__batch__isnull=False).select_related(
        "inspection__batch", "inspection__draw"
    )
    assert findings.exists()
    for finding in findings:
        batch = finding.inspection.batch
        day = finding.recorded_at.astimezone(LOCAL_TZ).date()
        assert batch.start_date <= day <= batch.end_date, (batch.title, day)
    for inspection in Inspection.objects.filter(batch__isnull=False).select_related(
        "batch", "draw"
    ):
        batch, drawn_on = inspection.batch, inspection.draw.business_date
        assert batch.plan_filed_on <= drawn_on <= batch.end_date, (batch.title, drawn_on)
    spot_checks = SpotCheck.objects.select_related("batch")
    assert spot_checks.exists()
    for check in spot_checks:
        assert check.batch.start_date <= check.business_date <= check.batch.end_date
