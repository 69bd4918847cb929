"""Segment requests (号段申请): an organization asks the provincial center for serials of a
year and level; the center grants them (allocating a segment) or refuses with a reason."""

from __future__ import annotations

from typing import Any, cast

from django.db import transaction
from django.urls import reverse

from skillcert.accounts.actors import acting_user
from skillcert.accounts.models import Authority
from skillcert.accounts.roles import Role
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.certificates.inputs import SegmentRequestCreate, SegmentRequestGrant
from skillcert.certificates.machines import SEGMENT_REQUEST_MACHINE
from skillcert.certificates.models import SegmentRequest
from skillcert.certificates.selectors import certified_levels
from skillcert.certificates.services.segments import allocate_segment, integer_field
from skillcert.inbox.service import notify, officers, organization_users
from skillcert.registry.access import organization_of
from skillcert.registry.machines import ORGANIZATION_MACHINE
from skillcert.registry.models import LISTED_STATUSES, Organization
from skillcert.rules import clock
from skillcert.rules.codes import CERTIFICATE_SERIAL_MAX
from skillcert.rules.errors import Conflict, Forbidden, InvalidInput
from skillcert.rules.inputs import Body
from skillcert.rules.levels import level_name, parse_level
from skillcert.workflow.numbers import next_case_number

PROVINCE_AUTHORITY = "00"  # the provincial center handles every request


def request_segments(organization: Organization, data: object, *, actor: Actor) -> SegmentRequest:
    """The organization asks for ``count`` serials of ``year`` and ``level``.

    Enforces: only the organization itself; it may certify (filed, not pilot failed); the year
    is this year or later; 1 ≤ count ≤ 999,999; the level is one it is filed for.
    """
    body = Body(SegmentRequestCreate, data)
    if not body.is_object:
        raise InvalidInput("请求内容应为 JSON 对象")
    errors: dict[str, list[str]] = {}
    year = integer_field(body, "year", errors)
    count = integer_field(body, "count", errors)
    level = None
    try:
        level = int(parse_level(cast("int | str", body.get("level", ""))))
    except InvalidInput as exc:
        errors.setdefault("level", []).append(exc.message)
    today = clock.today()
    if year is not None and not today.year <= year <= today.year + 1:
        errors.setdefault("year", []).append(
            f"只能申请 {today.year} 年或 {today.year + 1} 年的号段"
        )
    if count is not None and not 1 <= count <= CERTIFICATE_SERIAL_MAX:
        errors.setdefault("count", []).append(f"申请数量应在 1-{CERTIFICATE_SERIAL_MAX} 之间")
    reason = body.get("reason", "")
    if not isinstance(reason, str) or len(reason) > 1000:
        errors.setdefault("reason", []).append("申请说明应为不超过 1000 个字符的文字")
    with transaction.atomic():
        organization = ORGANIZATION_MACHINE.lock(organization.pk)  # expiry applied first
        own = organization_of(actor)
        if own is None or own.pk != organization.pk:
            raise Forbidden("号段由评价组织自行申请", code="forbidden")
        if level is not None and level not in certified_levels(organization):
            errors.setdefault("level", []).append(
                f"本组织未备案{level_name(level)}，不能申请该等级的号段"
            )
        if errors:
            raise InvalidInput("号段申请有误", fields=errors)
        # A field that did not parse (None) added an error.
        assert year is not None and level is not None and count is not None
        assert isinstance(reason, str)  # a reason that is not text added an error
        if organization.status not in LISTED_STATUSES or not organization.filing_number:
            raise Conflict(
                f"评价组织当前状态为「{organization.get_status_display()}」，不能申请号段",
                code="cannot_certify",
            )
        request = SegmentRequest.objects.create(
            case_number=next_case_number("HD", PROVINCE_AUTHORITY, today.year),
            organization=organization,
            year=year,
            level=level,
            count=count,
            reason=reason.strip(),
            requested_on=today,
            requested_by=acting_user(actor),
        )
        audit.record(
            actor=actor,
            action="certificates.segment_request.created",
            obj=request,
            after={
                "case_number": request.case_number,
                "organization": organization.pk,
                "year": year,
                "level": level,
                "count": count,
            },
        )
        province = Authority.objects.filter(code=PROVINCE_AUTHORITY).first()
        notify(
            officers([Role.PROVINCE_CENTER], province.pk if province else None),
            event="segment_request.requested",
            title=f"号段申请待分配：{organization.name}（{request.case_number}）",
            body=f"{organization.name}申请 {year} 年{level_name(level)}证书流水号 {count} 个。"
            + (f"\n申请说明：{request.reason}" if request.reason else ""),
            link=reverse("web:review_segments"),
            subject=f"segment_request:{request.pk}",
        )
    return request


def _tell_organization(request: SegmentRequest, *, event: str, title: str, body: str) -> None:
    notify(
        organization_users(request.organization_id),
        event=event,
        title=title,
        body=body,
        link=reverse("web:org_segments"),
        subject=f"segment_request:{request.pk}",
    )


def grant_segment_request(request: SegmentRequest, data: object, *, actor: Actor) -> SegmentRequest:
    """The provincial center grants serials ``first``-``last``: a segment is allocated to the
    organization for the request's year and level (409 when it overlaps another)."""
    SEGMENT_REQUEST_MACHINE.check_party(request, "grant", actor)
    body = Body(SegmentRequestGrant, data)
    if not body.is_object:
        raise InvalidInput("请求内容应为 JSON 对象")
    with transaction.atomic():
        request = SEGMENT_REQUEST_MACHINE.lock(request.pk)
        transition = SEGMENT_REQUEST_MACHINE.check(request, "grant", actor)
        segment = allocate_segment(
            {
                "organization": request.organization_id,
                "year": request.year,
                "level": request.level,
                "first": body.get("first"),
                "last": body.get("last"),
            },
            actor=actor,
        )
        request.segment = segment
        request.decided_on = clock.today()
        SEGMENT_REQUEST_MACHINE.move(
            request,
            transition,
            actor=actor,
            note=f"分配流水号 {segment.first:06d}-{segment.last:06d}",
            extra_fields=["segment", "decided_on"],
        )
        _tell_organization(
            request,
            event="segment_request.granted",
            title=f"号段已分配（{request.case_number}）",
            body=f"省职业技能鉴定中心已为 {request.year} 年{level_name(request.level)}分配证书"
            f"流水号 {segment.first:06d}-{segment.last:06d}。",
        )
    return request


def refuse_segment_request(request: SegmentRequest, *, reason: Any, actor: Actor) -> SegmentRequest:
    """The provincial center refuses, with the reason the organization reads."""
    SEGMENT_REQUEST_MACHINE.check_party(request, "refuse", actor)
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidInput.for_field("reason", "请填写不予分配的理由")
    if len(text) > 1000:
        raise InvalidInput.for_field("reason", "理由不能超过 1000 个字符")
    with transaction.atomic():
        request = SEGMENT_REQUEST_MACHINE.lock(request.pk)
        transition = SEGMENT_REQUEST_MACHINE.check(request, "refuse", actor)
        request.decision_reason = text
        request.decided_on = clock.today()
        SEGMENT_REQUEST_MACHINE.move(
            request,
            transition,
            actor=actor,
            note=text,
            extra_fields=["decision_reason", "decided_on"],
        )
        _tell_organization(
            request,
            event="segment_request.refused",
            title=f"号段申请未予分配（{request.case_number}）",
            body=f"{request.year} 年{level_name(request.level)}号段申请未予分配。理由：{text}",
        )
    return request
