"""The demo's assessment batches, one at each stage."""

from __future__ import annotations

import datetime as dt

from skillcert.accounts.models import User
from skillcert.assessment.models import Batch
from skillcert.assessment.services.implementation import record_inspection
from skillcert.assessment.services.plans import create_batch, submit_plan
from skillcert.assessment.services.results import enter_results, file_results, publicize_results
from skillcert.certificates.models import Segment
from skillcert.certificates.services.issuing import issue_batch
from skillcert.certificates.services.segment_requests import request_segments
from skillcert.certificates.services.segments import allocate_segment
from skillcert.ops.demo.clock import on
from skillcert.ops.demo.filings import _organization
from skillcert.ops.samples import (
    sample_batch,
    sample_candidates,
)


def _batch(user: User, plan_day: dt.date, start: dt.date, candidates: int, first: int) -> Batch:
    with on(plan_day):
        organization = _organization(user)
        assert organization.filing_authority is not None  # the demo's organizations are filed
        body = sample_batch(
            start.isoformat(), candidates=candidates, site_city=organization.filing_authority.code
        )
        body["candidates"] = sample_candidates(candidates, body["items"], start=first)
        return create_batch(organization, body, actor=user)


def _results(batch: Batch, user: User, day: dt.date) -> None:
    entries = []
    for index, candidate in enumerate(batch.candidates.order_by("position")):
        practical = 52 if index % 7 == 3 else 68 + index % 25
        entries.append(
            {
                "id_number": candidate.id_number,
                "scores": {"理论知识": 70 + index % 20, "操作技能": practical},
            }
        )
    with on(day):
        enter_results(batch, {"results": entries}, actor=user)


def _batch_through(
    user: User,
    plan_day: dt.date,
    candidates: int,
    first: int,
    *,
    until: str,
    center: User | None = None,
) -> Batch:
    """A batch planned on ``plan_day`` (start 30 days later) and walked up to ``until``."""
    start = plan_day + dt.timedelta(days=30)
    batch = _batch(user, plan_day, start, candidates, first)
    if until == "draft":
        return batch
    with on(plan_day):
        submit_plan(batch, actor=user)
    if until == "plan_filed":
        return batch
    if center is not None:
        with on(start):
            record_inspection(
                batch,
                {
                    "stage": "操作技能考核",
                    "findings": "考评人员到位，考场视频监控正常，未发现违规。",
                },
                actor=center,
            )
    _results(batch, user, start + dt.timedelta(days=1))
    with on(start + dt.timedelta(days=2)):
        publicize_results(batch, actor=user)
    if until == "in_publicity":
        return batch
    issue_day = start + dt.timedelta(days=10)
    with on(issue_day):
        issue_batch(batch, actor=user)
    if until == "certificates_issued":
        return batch
    with on(issue_day + dt.timedelta(days=2)):
        file_results(batch, actor=user)
    return batch


def _segments(user: User, province_center: User, year: int) -> None:
    organization = _organization(user)
    for level in (3, 4, 5):
        if not Segment.objects.filter(organization=organization, year=year, level=level).exists():
            allocate_segment(
                {
                    "organization": organization.pk,
                    "year": year,
                    "level": level,
                    "first": 1,
                    "last": 5000,
                },
                actor=province_center,
            )


def _build_batches(today: dt.date, officers: dict[str, User], users: dict[str, User]) -> None:
    days = dt.timedelta
    center = officers["province_center"]
    hefei, jiujiang = users["org_hefei"], users["org_jiujiang"]
    for year in {(today - days(100)).year, (today - days(10)).year, today.year}:
        _segments(hefei, center, year)
        _segments(jiujiang, center, year)
    # 合肥: results filed (certificates numbered), in publicity now, plan filed, a draft.
    _batch_through(
        hefei, today - days(130), 30, 0, until="results_filed", center=officers["hefei_center"]
    )
    _batch_through(
        hefei, today - days(34), 20, 100, until="in_publicity", center=officers["inspector_hefei"]
    )
    _batch_through(hefei, today - days(12), 12, 200, until="plan_filed")
    _batch_through(hefei, today - days(1), 8, 300, until="draft")
    # 芜湖: certificates numbered, result filing due soon.
    _batch_through(jiujiang, today - days(50), 15, 400, until="certificates_issued")


def _request_next_year(today: dt.date, users: dict[str, User]) -> None:
    hefei = users["org_hefei"]
    # Next year's serials are asked for, not yet granted: the provincial center's worklist.
    request_segments(
        _organization(hefei),
        {"year": today.year + 1, "level": 4, "count": 3000, "reason": "下一年度四级认定计划"},
        actor=hefei,
    )
