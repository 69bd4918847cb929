"""The ``OBJECTION`` table walked whole, for the two things one may object to: a filing's
publicity (三 (二)) and a batch's result publicity (五 (三)).

Every (objection state, outcome) is tried through the services by every persona: who resolves
(the filing's reviewer; the batch's site-city center and bureau, or the province) moves an
open objection to the outcome, with a history row and an audit entry, and the subject follows
(an upheld objection ends the case as not selected, or sends the batch's results back);
everyone else gets 403, a resolved objection 409 ``already_resolved``, and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from skillcert.accounts.roles import Role
from skillcert.assessment.models import Batch
from skillcert.assessment.services.objections import resolve_objection
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import actor_ref
from skillcert.registry.machines import OBJECTION_MACHINE
from skillcert.registry.models import FilingCase, Notice, Objection
from skillcert.registry.workflow import OBJECTION, ObjectionParty, ObjectionState
from skillcert.rules.errors import Conflict, DomainError, Forbidden
from skillcert.workflow.models import StateChange
from tests.assessment.factories import batch_in
from tests.assessment.test_batch_permissions import file_on_record, objection_on
from tests.registry.test_organization_life import case_in

pytestmark = pytest.mark.django_db

# The personas, and whether each resolves an objection to a 合肥 filing (filed with the 合肥
# bureau) and to a batch assessed in 合肥 (its center and bureau, and the province).
RESOLVES = {
    # persona: (filing, batch)
    "organization": (False, False),
    "other organization": (False, False),
    "bureau": (True, True),
    "center": (False, True),
    "other city's bureau": (False, False),
    "province dept": (False, True),
    "province center": (False, True),
    "inspector": (False, False),
    "admin": (False, False),
}


@pytest.fixture
def people(
    occupation_catalog, org_user, other_org_user, city_bureau, city_center, other_city_bureau,
    province_dept, province_center, inspector, admin_user,
) -> dict[str, Any]:  # fmt: skip
    return {
        "organization": org_user,
        "other organization": other_org_user,
        "bureau": city_bureau,
        "center": city_center,
        "other city's bureau": other_city_bureau,
        "province dept": province_dept,
        "province center": province_center,
        "inspector": inspector,
        "admin": admin_user,
    }


def test_the_objection_table_is_resolved_once_with_one_of_two_results():
    S = ObjectionState
    assert [
        (t.action, set(t.sources), t.targets, set(t.parties), t.guards, t.offered)
        for t in OBJECTION.transitions
    ] == [("resolve", {S.OPEN}, {S.UPHELD, S.DISMISSED}, {ObjectionParty.RESOLVER}, (), True)]
    assert OBJECTION.final == {S.UPHELD, S.DISMISSED}
    assert OBJECTION.timed == ()
    assert set(OBJECTION.waits) == {S.OPEN}


def fingerprint() -> tuple[Any, ...]:
    return (
        AuditEntry.objects.exclude(action="accounts.token_issued").count(),
        StateChange.objects.count(),
        list(Objection.objects.order_by("pk").values_list("pk", "state", "resolution")),
        list(FilingCase.objects.order_by("pk").values_list("pk", "state", "decision_reason")),
        list(Batch.objects.order_by("pk").values_list("pk", "state", "publicity_end")),
        list(Notice.objects.order_by("pk").values_list("pk", "ends_on")),
    )


def subject_filing(people: dict[str, Any], today: Any) -> tuple[Any, Callable[..., Any]]:
    """A 合肥 case in its publicity (09-24 … 10-08), tried on 10-05."""
    today("2026-10-05")
    case = case_in(people["organization"].membership.organization, "in_publicity")
    return case, resolve_objection


def subject_batch(people: dict[str, Any], today: Any) -> tuple[Any, Callable[..., Any]]:
    """A batch assessed in 合肥 in its result publicity (11-04 … 11-10), tried on 11-05."""
    organization = file_on_record(people["organization"].membership.organization)
    batch = batch_in("in_publicity", organization, people["organization"], today)
    today("2026-11-05")
    return batch, resolve_objection


def new_objection(subject: Any, state: str) -> Objection:
    if isinstance(subject, FilingCase):
        return Objection.objects.create(
            filing=subject, content="有异议。", contact="13800000000", state=state
        )
    return objection_on(subject, state)


def subject_state(subject: Any) -> str:
    return type(subject).objects.get(pk=subject.pk).state


# Where an upheld objection sends the subject; a dismissed one leaves it in its publicity.
UPHELD_SENDS = {
    "filing": ("uphold-objection", "not_selected"),
    "batch": ("uphold-objection", "results_entered"),
}


@pytest.mark.parametrize("kind", ["filing", "batch"])
def test_every_state_and_outcome_of_the_objection_table(people, today, kind):
    subject, resolve = (subject_filing if kind == "filing" else subject_batch)(people, today)
    transition = OBJECTION.transition("resolve")
    start = subject_state(subject)
    wrong = []
    for state in ObjectionState.values:
        objection = new_objection(subject, state)
        for outcome in sorted(transition.outcomes):
            for name, user in people.items():
                resolves = RESOLVES[name][kind == "batch"]
                assert OBJECTION_MACHINE.may(objection, user, "resolve") is (
                    resolves and state == ObjectionState.OPEN
                ), (state, name)
                with transaction.atomic():
                    before, mark = fingerprint(), StateChange.objects.count()
                    audits = before[0]
                    error = None
                    try:
                        resolve(
                            objection,
                            upheld=outcome == ObjectionState.UPHELD,
                            reason="经核实处理。",
                            actor=user,
                        )
                    except DomainError as raised:
                        error = raised
                    after = Objection.objects.get(pk=objection.pk).state
                    rows = list(
                        StateChange.objects.order_by("pk")[mark:].values_list(
                            "workflow", "action", "from_state", "to_state", "actor"
                        )
                    )
                    moved_to = subject_state(subject)
                    added = fingerprint()[0] - audits
                    unchanged = fingerprint() == before
                    transaction.set_rollback(True)
                problem = None
                if not resolves:
                    if not (isinstance(error, Forbidden) and error.status == 403 and unchanged):
                        problem = f"expected 403, got {error!r}"
                elif state != ObjectionState.OPEN:
                    ok = isinstance(error, Conflict) and error.code == "already_resolved"
                    if not (ok and unchanged):
                        problem = f"expected 409 already_resolved, got {error!r}"
                else:
                    who = actor_ref(user).name
                    expected_rows = [("objection", "resolve", "open", outcome, who)]
                    expected_subject = start
                    if outcome == ObjectionState.UPHELD:
                        action, expected_subject = UPHELD_SENDS[kind]
                        expected_rows.append((kind, action, start, expected_subject, who))
                    if error is not None or after != outcome or not added:
                        problem = f"got {error!r} → {after}"
                    elif rows != expected_rows or moved_to != expected_subject:
                        problem = f"history {rows}, subject {moved_to}"
                if problem:
                    wrong.append(f"{state} → {outcome} × {name}: {problem}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("kind", ["filing", "batch"])
def test_an_open_objection_waits_for_who_resolves_it(people, today, kind):
    subject, _resolve = (subject_filing if kind == "filing" else subject_batch)(people, today)
    objection = new_objection(subject, ObjectionState.OPEN)
    role = Role.CITY_BUREAU if kind == "filing" else Role.CITY_CENTER
    assert OBJECTION_MACHINE.next(objection) == {
        "party": role,
        "action": "resolve",
        "label": "处理异议",
        "due": None,
        "deadline": False,
    }
    resolved = new_objection(subject, ObjectionState.DISMISSED)
    assert OBJECTION_MACHINE.next(resolved) is None
