"""Segment requests tell the other side (domain.md §9, issue 14): a request reaches the
provincial center's officers, a grant or refusal the requesting organization's users, each in
the transaction of the step."""

from __future__ import annotations

import pytest

from skillcert.certificates.services.segment_requests import (
    grant_segment_request,
    refuse_segment_request,
    request_segments,
)
from skillcert.inbox.models import Message
from tests.assessment.test_batch_permissions import file_on_record

pytestmark = pytest.mark.django_db


def ask(org_user, count: int = 100):
    organization = file_on_record(org_user.membership.organization)
    return request_segments(
        organization,
        {"year": 2026, "level": 4, "count": count, "reason": "年底认定"},
        actor=org_user,
    )


def test_a_request_reaches_the_provincial_center_and_a_grant_the_organization(
    org_user, province_center, province_dept, city_center, today
):
    today("2026-10-12")
    request = ask(org_user)
    told = Message.objects.filter(event="segment_request.requested")
    assert [m.recipient for m in told] == [province_center]
    assert request.case_number in told.get().title and "年底认定" in told.get().body
    grant_segment_request(request, {"first": 1, "last": 100}, actor=province_center)
    granted = Message.objects.get(event="segment_request.granted")
    assert granted.recipient == org_user and "000001-000100" in granted.body
    assert granted.link == "/org/segments"


def test_a_refusal_tells_the_organization_its_reason(org_user, province_center, today):
    today("2026-10-12")
    request = ask(org_user)
    refuse_segment_request(request, reason="本年度流水号已足够。", actor=province_center)
    refused = Message.objects.get(event="segment_request.refused")
    assert refused.recipient == org_user and "本年度流水号已足够。" in refused.body
    assert not Message.objects.filter(event="segment_request.granted").exists()
