"""Certificate numbers for a batch (``issue``): all who passed, all or nothing, inside segments."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction

from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.assessment.models import Batch, Candidate
from skillcert.assessment.services.results import (
    mark_certificates_issued,
)
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.certificates.models import (
    Certificate,
    CertificateCounter,
    Segment,
    SegmentRequest,
    SegmentRequestState,
)
from skillcert.certificates.selectors import serials_left
from skillcert.certificates.signals import announce
from skillcert.registry.machines import ORGANIZATION_MACHINE
from skillcert.registry.models import LISTED_STATUSES, Organization
from skillcert.rules import clock
from skillcert.rules.codes import compose_certificate_number
from skillcert.rules.errors import Conflict, Exhausted
from skillcert.rules.levels import level_name


def serials_from_segments(
    segments: list[tuple[int, int]], last_used: int, count: int
) -> list[int] | None:
    """The next ``count`` serials after ``last_used`` inside the segments (in order), or None
    when the segments do not hold that many."""
    serials: list[int] = []
    for first, last in sorted(segments):
        start = max(first, last_used + 1)
        if start > last:
            continue
        take = min(count - len(serials), last - start + 1)
        serials.extend(range(start, start + take))
        if len(serials) == count:
            return serials
    return None


def issue_batch(batch: Batch, *, actor: Actor) -> int:
    """Number a certificate for every candidate who passed; returns how many.

    Enforces: the result publicity is over without an open or upheld objection; the
    organization may still certify; serials come from the organization's segments for the
    year and level, after the last one used, with counters locked so concurrent issuing
    never duplicates; if any level lacks serials nothing is numbered.
    """
    BATCH_MACHINE.check_party(batch, "issue", actor)
    with transaction.atomic():
        batch = BATCH_MACHINE.lock(batch.pk)  # a publicity that is over closes here
        # The state and the guards (publicity over, no open objection), before any number.
        BATCH_MACHINE.check(batch, "issue", actor)
        # Locked with time applied: an organization whose filing expired issues nothing.
        organization = ORGANIZATION_MACHINE.lock(batch.organization_id)
        if organization.status not in LISTED_STATUSES:
            raise Conflict(
                f"评价组织当前状态为「{organization.get_status_display()}」，不能发证",
                code="cannot_certify",
            )
        filing_number = organization.filing_number
        assert filing_number is not None, "a listed organization is filed: it has its number"
        passed = list(
            Candidate.objects.filter(batch=batch, passed=True).order_by("level", "position", "pk")
        )
        today = clock.today()
        by_level: dict[int, list[Candidate]] = defaultdict(list)
        for candidate in passed:
            by_level[candidate.level].append(candidate)
        serials = reserve_serials(
            organization, today.year, {level: len(c) for level, c in by_level.items()}
        )
        certificates = []
        for level, candidates in by_level.items():
            prefix = compose_certificate_number(filing_number, today.year, level, 1)[:16]
            for candidate, serial in zip(candidates, serials[level], strict=True):
                certificates.append(
                    Certificate(
                        number=f"{prefix}{serial:06d}",
                        candidate=candidate,
                        batch=batch,
                        organization=organization,
                        year=today.year,
                        level=level,
                        serial=serial,
                        issued_on=today,
                        name=candidate.name,
                        id_type=candidate.id_type,
                        id_number=candidate.id_number,
                        work_unit=candidate.work_unit,
                        city=candidate.city,
                        occupation_code=candidate.occupation_code,
                        occupation_name=candidate.occupation_name,
                        work_type=candidate.work_type,
                        organization_name=organization.name,
                        filing_number=filing_number,
                    )
                )
        Certificate.objects.bulk_create(certificates, batch_size=2000)
        announce({today})
        audit.record(
            actor=actor,
            action="certificates.batch_issued",
            obj=batch,
            after={
                "certificates": len(certificates),
                "levels": {str(level): len(c) for level, c in by_level.items()},
                "first": certificates[0].number if certificates else None,
                "last": certificates[-1].number if certificates else None,
            },
        )
        mark_certificates_issued(batch, issued=len(certificates), actor=actor)
    return len(certificates)


def _request_to_make(organization: Organization, year: int, level: int, short: int) -> str:
    """The segment request that would let the issue go through (or the one already made)."""
    pending = SegmentRequest.objects.filter(
        organization=organization, year=year, level=level, state=SegmentRequestState.PENDING
    ).first()
    if pending is not None:
        return f"号段申请 {pending.case_number} 正在等待省职业技能鉴定中心分配"
    return (
        f"请在「证书 → 证书号段」申请 {year} 年{level_name(level)}号段，"
        f"至少 {short} 个（由省职业技能鉴定中心分配）"
    )


def reserve_serials(
    organization: Organization, year: int, needed: dict[int, int]
) -> dict[int, list[int]]:
    """Lock each level's counter and take ``needed[level]`` serials from the organization's
    segments; refuse everything (``segments_exhausted``) if one level lacks."""
    reserved: dict[int, list[int]] = {}
    shortages = []
    requests: list[str] = []
    counters = {}
    for level in sorted(needed):
        CertificateCounter.objects.get_or_create(organization=organization, year=year, level=level)
        counter = CertificateCounter.objects.select_for_update().get(
            organization=organization, year=year, level=level
        )
        counters[level] = counter
        segments = list(
            Segment.objects.filter(organization=organization, year=year, level=level).values_list(
                "first", "last"
            )
        )
        count = needed[level]
        serials = serials_from_segments(segments, counter.last_serial, count)
        if serials is None:
            left = serials_left(segments, counter.last_serial)
            shortages.append(f"{year}年{level_name(level)}需要 {count} 个，号段剩余 {left} 个")
            requests.append(_request_to_make(organization, year, level, count - left))
        else:
            reserved[level] = serials
    if shortages:
        raise Exhausted(
            "证书号段不足，未生成任何证书编号："
            + "；".join(shortages)
            + "。"
            + "；".join(requests),
            code="segments_exhausted",
            fields={"segments": requests},
        )
    for level, serials in reserved.items():
        CertificateCounter.objects.filter(pk=counters[level].pk).update(last_serial=serials[-1])
    return reserved
