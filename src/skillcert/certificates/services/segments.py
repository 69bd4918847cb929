"""Serial segments (号段) the provincial center allocates (附件5 note 4)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from django.db import transaction

from skillcert.accounts.actors import acting_user
from skillcert.accounts.roles import Role
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.certificates.inputs import SegmentAllocation
from skillcert.certificates.models import Segment
from skillcert.registry.machines import ORGANIZATION_MACHINE
from skillcert.registry.models import FILED_STATUSES, Organization
from skillcert.rules.codes import CERTIFICATE_SERIAL_MAX
from skillcert.rules.errors import Conflict, Forbidden, InvalidInput, NotFound
from skillcert.rules.inputs import Body
from skillcert.rules.levels import parse_level


def integer_field(data: Mapping[str, object], key: str, errors: dict[str, list[str]]) -> int | None:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | str):
        errors.setdefault(key, []).append("应为整数")
        return None
    try:
        return int(value)
    except ValueError:
        errors.setdefault(key, []).append("应为整数")
        return None


def allocate_segment(data: object, *, actor: Actor) -> Segment:
    """Allocate serials ``first``-``last`` of a year and level to an organization.

    Only the provincial center allocates; serials run 1-999999; segments of the same
    organization, year and level never overlap; the organization must be filed.
    """
    if getattr(actor, "role", None) != Role.PROVINCE_CENTER:
        raise Forbidden("证书号段由省鉴定中心分配", code="forbidden")
    if not isinstance(data, dict):
        raise InvalidInput("请求内容应为 JSON 对象")
    body = Body(SegmentAllocation, data)
    errors: dict[str, list[str]] = {}
    organization_id = integer_field(body, "organization", errors)
    year = integer_field(body, "year", errors)
    first = integer_field(body, "first", errors)
    last = integer_field(body, "last", errors)
    level = None
    try:
        level = int(parse_level(cast("int | str", body.get("level", ""))))
    except InvalidInput as exc:
        errors.setdefault("level", []).append(exc.message)
    if year is not None and not 2000 <= year <= 2099:
        errors.setdefault("year", []).append("年份应在 2000-2099 之间")
    for key, value in (("first", first), ("last", last)):
        if value is not None and not 1 <= value <= CERTIFICATE_SERIAL_MAX:
            errors.setdefault(key, []).append(f"流水号应在 1-{CERTIFICATE_SERIAL_MAX} 之间")
    if first is not None and last is not None and first > last:
        errors.setdefault("last", []).append("结束流水号不能小于起始流水号")
    if errors:
        raise InvalidInput("号段信息有误", fields=errors)
    # A field that did not parse (None) added an error.
    assert organization_id is not None and year is not None and level is not None
    assert first is not None and last is not None
    with transaction.atomic():
        if not Organization.objects.filter(pk=organization_id).exists():
            raise NotFound("未找到该评价组织", code="not_found")
        organization = ORGANIZATION_MACHINE.lock(organization_id)  # expiry applied first
        if organization.status not in FILED_STATUSES or not organization.filing_number:
            raise Conflict("该评价组织尚未备案或已退出，不能分配证书号段", code="invalid_state")
        overlapping = Segment.objects.filter(
            organization=organization, year=year, level=level, first__lte=last, last__gte=first
        ).first()
        if overlapping is not None:
            raise Conflict(
                f"与已分配的号段 {overlapping.first}-{overlapping.last} 重叠",
                code="segment_overlap",
            )
        segment = Segment.objects.create(
            organization=organization,
            year=year,
            level=level,
            first=first,
            last=last,
            allocated_by=acting_user(actor),
        )
        audit.record(
            actor=actor,
            action="certificates.segment_allocated",
            obj=segment,
            after={
                "organization": organization.pk,
                "year": year,
                "level": level,
                "first": first,
                "last": last,
            },
        )
    return segment
