"""The ``SEGMENT_REQUEST`` table walked whole through the services (号段申请).

Every (state, action) is tried by every persona: the provincial center grants (a segment is
allocated) or refuses a pending request, with a history row and an audit entry; the
requesting organization and every other officer get 403, a decided request 409, and nothing
changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from skillcert.audit.models import AuditEntry
from skillcert.audit.service import actor_ref
from skillcert.certificates.machines import SEGMENT_REQUEST_MACHINE
from skillcert.certificates.models import Segment, SegmentRequest, SegmentRequestState
from skillcert.certificates.services.segment_requests import (
    grant_segment_request,
    refuse_segment_request,
)
from skillcert.certificates.workflow import SEGMENT_REQUEST, SegmentParty
from skillcert.rules.errors import Conflict, DomainError, Forbidden
from skillcert.workflow.models import StateChange
from tests.assessment.test_batch_permissions import file_on_record

pytestmark = pytest.mark.django_db

# The personas and the parties each is for a request of the 合肥 organization.
PARTIES = {
    "organization": {SegmentParty.REQUESTER},
    "other organization": set(),
    "bureau": set(),
    "center": set(),
    "province dept": set(),
    "province center": {SegmentParty.CENTER},
    "admin": set(),
}


@pytest.fixture
def people(
    org_user, other_org_user, city_bureau, city_center, province_dept, province_center, admin_user
) -> dict[str, Any]:
    return {
        "organization": org_user,
        "other organization": other_org_user,
        "bureau": city_bureau,
        "center": city_center,
        "province dept": province_dept,
        "province center": province_center,
        "admin": admin_user,
    }


def test_the_segment_request_table():
    S, P = SegmentRequestState, SegmentParty
    assert [
        (t.action, set(t.sources), t.targets, set(t.parties), t.guards, t.offered)
        for t in SEGMENT_REQUEST.transitions
    ] == [
        ("grant", {S.PENDING}, {S.GRANTED}, {P.CENTER}, (), True),
        ("refuse", {S.PENDING}, {S.REFUSED}, {P.CENTER}, (), True),
    ]
    assert SEGMENT_REQUEST.final == {S.GRANTED, S.REFUSED}
    assert SEGMENT_REQUEST.timed == ()


def request_in(organization: Any, state: str, serial: int) -> SegmentRequest:
    return SegmentRequest.objects.create(
        case_number=f"HD-3400-2026-{serial:06d}",
        organization=organization,
        year=2026,
        level=3,
        count=100,
        reason="2026 年第四季度认定。",
        state=state,
        requested_on=dt.date(2026, 11, 2),
    )


def take(action: str, request: SegmentRequest, actor: Any) -> Any:
    if action == "grant":
        return grant_segment_request(request, {"first": 1, "last": 100}, actor=actor)
    return refuse_segment_request(request, reason="本年度号段充足。", actor=actor)


def fingerprint() -> tuple[Any, ...]:
    return (
        AuditEntry.objects.exclude(action="accounts.token_issued").count(),
        StateChange.objects.count(),
        list(SegmentRequest.objects.order_by("pk").values_list("pk", "state", "segment_id")),
        list(Segment.objects.order_by("pk").values_list("pk", "first", "last")),
    )


@pytest.mark.parametrize("action", [t.action for t in SEGMENT_REQUEST.transitions])
def test_every_state_and_action_of_the_segment_request_table(people, today, action):
    today("2026-11-02")
    organization = file_on_record(people["organization"].membership.organization)
    transition = SEGMENT_REQUEST.transition(action)
    wrong = []
    for serial, state in enumerate(SegmentRequestState.values, start=1):
        request = request_in(organization, state, serial)
        for name, user in people.items():
            parties = PARTIES[name]
            assert SEGMENT_REQUEST_MACHINE.parties(user, request) == parties, name
            with transaction.atomic():
                before, mark = fingerprint(), StateChange.objects.count()
                error = None
                try:
                    take(action, request, user)
                except DomainError as raised:
                    error = raised
                after = SegmentRequest.objects.get(pk=request.pk).state
                rows = list(
                    StateChange.objects.order_by("pk")[mark:].values_list(
                        "workflow", "action", "from_state", "to_state", "actor"
                    )
                )
                added = fingerprint()[0] - before[0]
                unchanged = fingerprint() == before
                transaction.set_rollback(True)
            if not parties & transition.parties:
                ok = isinstance(error, Forbidden) and error.status == 403 and unchanged
            elif state not in transition.sources:
                ok = isinstance(error, Conflict) and error.code == "invalid_state" and unchanged
            else:
                who = actor_ref(user).name
                ok = error is None and after == transition.target and added > 0
                ok = ok and rows == [("segment_request", action, state, transition.target, who)]
            if not ok:
                wrong.append(f"{state} × {name}: {error!r} → {after}")
    assert not wrong, "\n".join(wrong)


def test_a_pending_request_waits_for_the_provincial_center(people, today):
    today("2026-11-02")
    organization = file_on_record(people["organization"].membership.organization)
    request = request_in(organization, SegmentRequestState.PENDING, 1)
    assert SEGMENT_REQUEST_MACHINE.next(request) == {
        "party": "province_center",
        "action": "grant",
        "label": "分配号段",
        "due": None,
        "deadline": False,
    }
    center = SEGMENT_REQUEST_MACHINE.actions(request, people["province center"])
    assert [a["action"] for a in center] == ["grant", "refuse"]
    assert SEGMENT_REQUEST_MACHINE.actions(request, people["organization"]) == []
    granted = request_in(organization, SegmentRequestState.GRANTED, 2)
    assert SEGMENT_REQUEST_MACHINE.next(granted) is None
