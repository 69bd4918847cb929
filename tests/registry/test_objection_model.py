"""Objections as a model of their own: a foreign key to what they object to (a filing case or a
batch, exactly one), one lodge and one resolve service for both, one access helper, and the
migration that turned the string ``subject`` into the keys.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction

from skillcert.assessment.access import get_objection_for_user
from skillcert.assessment.models import Batch
from skillcert.assessment.services.objections import lodge_objection, resolve_objection
from skillcert.registry.machines import OBJECTION_MACHINE
from skillcert.registry.models import FilingCase, Objection
from skillcert.registry.workflow import ObjectionParty
from skillcert.rules.errors import Forbidden, NotFound
from tests.assessment.factories import batch_in
from tests.assessment.test_batch_permissions import file_on_record
from tests.registry.test_organization_life import case_in

pytestmark = pytest.mark.django_db

LODGED = {"content": "第 2 名考生未到场。", "contact": "13900000000"}
# Where an upheld objection sends its subject.
UPHELD = {"filing": "not_selected", "batch": "results_entered"}


@pytest.fixture
def subject(request, occupation_catalog, org_user, today) -> FilingCase | Batch:
    """A 合肥 case in its publicity (tried on 10-05), or a batch assessed in 合肥 in its
    result publicity (tried on 11-05)."""
    organization = org_user.membership.organization
    if request.param == "filing":
        today("2026-10-05")
        return case_in(organization, "in_publicity")
    batch = batch_in("in_publicity", file_on_record(organization), org_user, today)
    today("2026-11-05")
    return batch


def resolver(kind: str, city_bureau: Any, city_center: Any) -> Any:
    return city_bureau if kind == "filing" else city_center


def kind_of(subject: FilingCase | Batch) -> str:
    return "filing" if isinstance(subject, FilingCase) else "batch"


@pytest.mark.parametrize("subject", ["filing", "batch"], indirect=True)
@pytest.mark.parametrize("upheld", [True, False])
def test_both_kinds_are_lodged_and_resolved_through_one_service(
    subject, upheld, city_bureau, city_center
):
    kind = kind_of(subject)
    start = subject.state
    objection = lodge_objection(subject, LODGED)
    stored = Objection.objects.get(pk=objection.pk)
    assert stored.kind == kind and stored.subject == subject
    assert (stored.filing_id, stored.batch_id) == (
        (subject.pk, None) if kind == "filing" else (None, subject.pk)
    )
    assert list(subject.objections.all()) == [stored]  # the reverse relation of either kind
    assert OBJECTION_MACHINE.parties(resolver(kind, city_bureau, city_center), stored) == {
        ObjectionParty.RESOLVER
    }

    resolved = resolve_objection(
        stored, upheld=upheld, reason="经核实。", actor=resolver(kind, city_bureau, city_center)
    )
    assert resolved.state == ("upheld" if upheld else "dismissed")
    assert type(subject).objects.get(pk=subject.pk).state == (UPHELD[kind] if upheld else start)


@pytest.mark.parametrize("subject", ["filing", "batch"], indirect=True)
def test_who_does_not_handle_the_publicity_may_not_resolve(subject, org_user, other_city_bureau):
    objection = lodge_objection(subject, LODGED)
    for stranger in (org_user, other_city_bureau):
        with pytest.raises(Forbidden):
            resolve_objection(objection, upheld=True, reason="x", actor=stranger)
    assert Objection.objects.get(pk=objection.pk).state == "open"


@pytest.mark.parametrize("subject", ["batch"], indirect=True)
def test_an_objection_has_exactly_one_subject(subject, organization):
    case = case_in(organization, "in_publicity")
    for keys in ({}, {"filing": case, "batch": subject}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Objection.objects.create(content="有异议。", contact="x", **keys)
    assert not Objection.objects.exists()


@pytest.mark.parametrize("subject", ["filing", "batch"], indirect=True)
def test_get_objection_for_user_follows_who_sees_the_subject(
    subject, org_user, other_org_user, city_bureau, city_center, other_city_bureau,
    province_center, client_for,
):  # fmt: skip
    objection = lodge_objection(subject, LODGED)
    kind = kind_of(subject)
    # Who reads the subject reads its objections (the organization its own, though it may not
    # resolve them; the city's officers; the province); another organization, another city
    # and nobody get 404, as for an absent one.
    sees = {
        "organization": (org_user, True),
        "bureau": (city_bureau, True),
        "center": (city_center, True),
        "province center": (province_center, True),
        "other organization": (other_org_user, False),
        "other city's bureau": (other_city_bureau, False),
    }
    for name, (user, visible) in sees.items():
        if visible:
            assert get_objection_for_user(user, objection.pk) == objection, name
        else:
            with pytest.raises(NotFound):
                get_objection_for_user(user, objection.pk)
    with pytest.raises(NotFound):
        get_objection_for_user(AnonymousUser(), objection.pk)
    with pytest.raises(NotFound):
        get_objection_for_user(city_bureau, objection.pk + 1000)

    # The endpoint answers a stranger like an absent objection, whatever the kind.
    path = f"/api/v1/objections/{objection.pk}/resolve"
    body = {"upheld": False, "reason": "经核实。"}
    stranger = client_for(other_city_bureau).post(path, body, format="json")
    assert stranger.status_code == 404 and stranger.json()["error"]["code"] == "not_found"
    owner = client_for(org_user).post(path, body, format="json")
    assert owner.status_code == 403
    handled = client_for(resolver(kind, city_bureau, city_center)).post(path, body, format="json")
    assert handled.status_code == 200 and handled.json()["state"] == "dismissed"


# --- the migration ------------------------------------------------------------------------

migration = importlib.import_module("skillcert.registry.migrations.0005_objection_subject_links")


def test_the_migration_maps_the_string_subject_to_the_keys():
    assert migration.subject_links("filing", None, 7) == (7, None)
    assert migration.subject_links("batch", 12, None) == (None, 12)
    for wrong in (("batch", None, None), ("filing", None, None), ("notice", 3, None)):
        with pytest.raises(ValueError):
            migration.subject_links(*wrong)
    # and back
    assert migration.subject_of(7, None) == ("filing", None)
    assert migration.subject_of(None, 12) == ("batch", 12)
