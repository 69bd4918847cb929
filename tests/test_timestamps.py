"""Record timestamps follow the platform clock, so a drill (SKILLCERT_TODAY) never shows a
record created "after" the day it runs on. The audit chain keeps the real time on purpose."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db import models
from django.utils import timezone

from skillcert.audit.models import AuditEntry
from skillcert.registry.services.organizations import register_organization
from skillcert.rules import clock
from tests.support.factories import credit_code

# accounts keeps Django's own user timestamps (date_joined, last_login): they are about logins.
OURS = ("registry", "assessment", "certificates", "supervision")


def test_no_model_stamps_records_with_the_real_clock():
    stamped = []
    for model in apps.get_models():
        if model._meta.app_label not in OURS:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.DateTimeField):
                assert not field.auto_now_add, f"{model.__name__}.{field.name} uses auto_now_add"
                if field.has_default():
                    assert field.default is clock.now, f"{model.__name__}.{field.name}"
                    stamped.append(f"{model.__name__}.{field.name}")
    assert "Organization.registered_at" in stamped and "Inspection.created_at" in stamped


def test_a_record_made_in_a_drill_carries_the_drill_date(authorities, today):
    today("2025-03-03")
    organization = register_organization(
        username="org_drill",
        password="x-Drill-2025!",
        credit_code=credit_code("340104", "TT000777"),
        name="演练日期测试学校",
    )
    organization.refresh_from_db()
    assert timezone.localtime(organization.registered_at).date() == dt.date(2025, 3, 3)
    entry = AuditEntry.objects.order_by("-pk").first()
    assert entry is not None
    assert timezone.localtime(entry.recorded_at).date() != dt.date(2025, 3, 3)
