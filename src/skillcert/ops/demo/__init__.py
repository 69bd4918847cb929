"""The demo data set: what a newcomer sees after ``make run``, in every role.

Each capability adds its stage here. Everything is created through the services (so the
demo exercises the rules and leaves a full audit trail), on dates before today: the demo
moves the platform's clock with ``SKILLCERT_TODAY`` while it builds the past, exactly as a
drill would, and puts it back afterwards.
"""

from __future__ import annotations

from django.db import transaction

from skillcert.accounts.models import User
from skillcert.accounts.services import add_user
from skillcert.assessment.services.disclosure import remove_names_from_ended_notices
from skillcert.ops.demo.batches import _build_batches, _request_next_year
from skillcert.ops.demo.clock import on
from skillcert.ops.demo.filings import _build_stages, _register
from skillcert.ops.demo.later import _build_certificates, _build_supervision
from skillcert.ops.demo.people import (
    DEMO_ACTOR,
    DEMO_PASSWORD,
    OFFICERS,
    ORGANIZATIONS,
    DemoLogin,
    DemoOrganization,
    demo_credit_code,
)
from skillcert.ops.demo.service import build_service
from skillcert.registry.services.organizations import set_city_thresholds
from skillcert.rules import clock

__all__ = [
    "DEMO_ACTOR",
    "DEMO_PASSWORD",
    "OFFICERS",
    "ORGANIZATIONS",
    "DemoLogin",
    "DemoOrganization",
    "demo_credit_code",
    "load_demo",
    "on",
]


def load_demo() -> bool:
    """Create the demo data set once; returns False when it was already there."""
    if User.objects.filter(username="admin").exists():
        return False
    today = clock.today()
    with transaction.atomic():
        officers = {
            login.username: add_user(
                login.username,
                password=DEMO_PASSWORD,
                role=login.role,
                authority=login.authority,
                display_name=login.display_name,
                department=login.department,
                actor=DEMO_ACTOR,
            )
            for login in OFFICERS
        }
        users = {item.username: _register(item) for item in ORGANIZATIONS}
        hefei_city = officers["hefei_bureau"].authority
        assert hefei_city is not None  # a city bureau's officer
        set_city_thresholds(
            hefei_city,
            {"years_continuous": 2, "persons_total": 1000, "persons_per_occupation": None},
            actor=officers["hefei_bureau"],
        )
        _build_stages(today, officers, users)
        _build_batches(today, officers, users)
        _build_certificates(today, officers, users)
        _build_supervision(today, officers, users)
        _request_next_year(today, users)
        build_service(today, officers, users)
        # What the hourly job does: the result publicities already over lose their names
        # (domain.md §11); the one running today keeps them, so both can be seen.
        remove_names_from_ended_notices(actor=DEMO_ACTOR)
    return True
