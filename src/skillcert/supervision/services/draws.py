"""Random inspection draws (双随机): pools snapshotted, seed recorded, result recomputable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, cast

from django.db import transaction
from django.db.models import Q, QuerySet

from skillcert.accounts.actors import acting_user
from skillcert.accounts.models import Authority, User
from skillcert.accounts.roles import Role
from skillcert.assessment.models import Batch, BatchItem
from skillcert.assessment.selectors import with_filed_plan
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.registry.models import FILED_STATUSES, Organization, ScopeItem
from skillcert.rules import clock
from skillcert.rules.draws import DrawResult, derived_seed, digest, draw
from skillcert.rules.errors import InvalidInput
from skillcert.rules.inputs import Body
from skillcert.rules.levels import parse_level
from skillcert.supervision.access import officer_authority
from skillcert.supervision.inputs import DrawRequest
from skillcert.supervision.models import (
    Inspection,
    InspectionDraw,
    InspectionState,
    InspectorConflict,
    TargetKind,
)

MAX_DRAW = 200


def _filters(data: Mapping[str, object]) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    fields: dict[str, list[str]] = {}
    for key in ("from", "to"):
        if data.get(key):
            try:
                filters[key] = dt.date.fromisoformat(str(data[key])).isoformat()
            except ValueError:
                fields[key] = ["日期格式应为 YYYY-MM-DD"]
    if filters.get("from") and filters.get("to") and filters["from"] > filters["to"]:
        fields["to"] = ["结束日期不能早于开始日期"]
    if data.get("occupation"):
        filters["occupation"] = str(data["occupation"]).strip()[:100]
    if data.get("level") not in (None, ""):
        try:
            filters["level"] = int(parse_level(cast("int | str", data["level"])))
        except InvalidInput as exc:
            fields["level"] = [exc.message]
    if fields:
        raise InvalidInput("筛选条件有误", fields=fields)
    return filters


def _positive(data: Mapping[str, object], key: str, label: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DRAW:
        raise InvalidInput.for_field(key, f"{label}应为 1-{MAX_DRAW} 的整数")
    return value


def target_pool(
    authority: Authority, kind: str, filters: dict[str, Any], *, on: dt.date | None = None
) -> list[dict[str, str]]:
    """The targets under the authority on the draw's date (today unless ``on``): filed
    organizations, or batches held in its city that can still be inspected on site
    (``drawable_batches``)."""
    if kind == TargetKind.ORGANIZATIONS:
        organizations = Organization.objects.filter(status__in=FILED_STATUSES)
        if not authority.is_province:
            organizations = organizations.filter(filing_authority=authority)
        items = _matching(
            ScopeItem.objects.all(),
            filters,
            code="occupation_code",
            name="occupation_name",
            level_key=True,
        )
        if items is not None:
            organizations = organizations.filter(pk__in=items.values("organization"))
        return [
            {"id": f"org:{o.pk}", "label": f"{o.name}（{o.filing_number}）"}
            for o in organizations.distinct().order_by("pk")
        ]
    batches = drawable_batches(on or clock.today()).select_related("organization")
    if not authority.is_province:
        batches = batches.filter(site_city=authority)
    if filters.get("from"):
        batches = batches.filter(start_date__gte=filters["from"])
    if filters.get("to"):
        batches = batches.filter(start_date__lte=filters["to"])
    items = _matching(
        BatchItem.objects.all(),
        filters,
        code="occupation_code",
        name="occupation_name",
        level_key=False,
    )
    if items is not None:
        batches = batches.filter(pk__in=items.values("batch"))
    return [
        {"id": f"batch:{b.pk}", "label": f"{b.organization.name}：{b.title}（{b.start_date}）"}
        for b in batches.distinct().order_by("pk")
    ]


def drawable_batches(day: dt.date) -> QuerySet[Batch]:
    """Batches a draw on ``day`` may take (domain.md §8, on-site spot checks of 认定实施): the
    plan is filed, the assessment has not ended before ``day``, and no inspection of the
    batch is still open (assigned and not concluded)."""
    open_inspections = Inspection.objects.filter(
        state=InspectionState.ASSIGNED, batch__isnull=False
    ).values("batch")
    return with_filed_plan(Batch.objects.filter(end_date__gte=day)).exclude(pk__in=open_inspections)


def _matching(items: Any, filters: dict[str, Any], *, code: str, name: str, level_key: bool) -> Any:
    """The items matching the occupation and the level together (one item must match both);
    None when neither filter is set."""
    if not filters.get("occupation") and not filters.get("level"):
        return None
    if filters.get("occupation"):
        text = filters["occupation"]
        items = items.filter(Q(**{code: text}) | Q(**{f"{name}__contains": text}))
    if filters.get("level"):
        level = filters["level"]
        items = (
            items.filter(levels_key__contains=f",{level},")
            if level_key
            else items.filter(level=level)
        )
    return items


def inspector_pool(authority: Authority) -> list[dict[str, str]]:
    inspectors = User.objects.filter(role=Role.INSPECTOR, authority=authority, is_active=True)
    return [
        {"id": f"user:{u.pk}", "label": u.display_name or u.username}
        for u in inspectors.order_by("pk")
    ]


def _organization_of_target(target: str) -> int:
    kind, pk = target.split(":")
    if kind == "org":
        return int(pk)
    return Batch.objects.values_list("organization_id", flat=True).get(pk=int(pk))


def conflict_pairs(
    targets: list[dict[str, str]], inspectors: list[dict[str, str]]
) -> list[list[str]]:
    inspector_ids = {int(i["id"].split(":")[1]) for i in inspectors}
    declared = set(
        InspectorConflict.objects.filter(inspector_id__in=inspector_ids).values_list(
            "inspector_id", "organization_id"
        )
    )
    pairs = []
    for target in targets:
        organization = _organization_of_target(target["id"])
        for inspector in inspectors:
            if (int(inspector["id"].split(":")[1]), organization) in declared:
                pairs.append([inspector["id"], target["id"]])
    return sorted(pairs)


def make_draw(data: object, *, actor: Actor) -> InspectionDraw:
    """Draw ``count`` targets and ``inspectors`` inspectors for each, from the officer's
    authority's pools; inspectors with a declared conflict with a target are never drawn
    for it. The seed is the one given, or derived from the date, the authority and the pools.
    """
    authority = officer_authority(actor)
    body = Body(DrawRequest, data)
    if not body.is_object:
        raise InvalidInput("请求内容应为 JSON 对象")
    kind = body.get("targets")
    if not isinstance(kind, str) or kind not in TargetKind.values:
        raise InvalidInput.for_field("targets", "抽查对象应为 organizations 或 batches")
    count = _positive(body, "count", "抽取对象数")
    per_target = _positive(body, "inspectors", "每个对象的督查员数")
    filters = _filters(body)
    given_seed = body.get("seed")
    seed_given = given_seed not in (None, "")
    if seed_given and (not isinstance(given_seed, str) or len(given_seed) > 64):
        raise InvalidInput.for_field("seed", "随机种子应为不超过 64 个字符的文本")
    with transaction.atomic():
        today = clock.today()
        targets = target_pool(authority, kind, filters, on=today)
        inspectors = inspector_pool(authority)
        conflicts = conflict_pairs(targets, inspectors)
        targets_digest, inspectors_digest = digest(targets), digest(inspectors)
        seed = (
            given_seed
            if isinstance(given_seed, str) and seed_given
            else derived_seed(today.isoformat(), authority.code, targets_digest, inspectors_digest)
        )
        result = draw(
            seed,
            [t["id"] for t in targets],
            [i["id"] for i in inspectors],
            count=count,
            per_target=per_target,
            conflicts=[(inspector, target) for inspector, target in conflicts],
            labels={t["id"]: t["label"] for t in targets},
        )
        record = InspectionDraw.objects.create(
            authority=authority,
            drawn_by=acting_user(actor),
            business_date=today,
            target_kind=kind,
            filters=filters,
            count=count,
            per_target=per_target,
            seed=seed,
            seed_given=seed_given,
            targets_pool=targets,
            inspectors_pool=inspectors,
            conflicts=conflicts,
            targets_digest=targets_digest,
            inspectors_digest=inspectors_digest,
            result=result_data(result),
        )
        _create_inspections(record, result)
        audit.record(
            actor=actor,
            action="supervision.draw_made",
            obj=record,
            after={
                "seed": seed,
                "result": record.result,
                "targets_digest": targets_digest,
                "inspectors_digest": inspectors_digest,
            },
        )
    return record


def result_data(result: DrawResult) -> dict[str, Any]:
    return {
        "targets": list(result.targets),
        "assignments": [
            {"target": a.target, "inspectors": list(a.inspectors)} for a in result.assignments
        ],
    }


def _create_inspections(record: InspectionDraw, result: DrawResult) -> None:
    for assignment in result.assignments:
        kind, pk = assignment.target.split(":")
        batch = Batch.objects.get(pk=int(pk)) if kind == "batch" else None
        inspection = Inspection.objects.create(
            draw=record,
            authority=record.authority,
            organization_id=batch.organization_id if batch else int(pk),
            batch=batch,
        )
        inspection.inspectors.set([int(i.split(":")[1]) for i in assignment.inspectors])


def recompute(record: InspectionDraw | dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    """Recompute a draw from its public record (pools, conflicts, seed); True when it matches.

    Works on a stored draw or on the public JSON anyone downloaded.
    """
    data = record if isinstance(record, dict) else public_record(record)
    targets, inspectors = data["targets_pool"], data["inspectors_pool"]
    if digest(targets) != data["targets_digest"] or digest(inspectors) != data["inspectors_digest"]:
        return False, {"error": "对象库或督查员库与公布的摘要不一致"}
    if not data["seed_given"]:
        # A derived seed must be the one the public facts give; nobody may pick another.
        expected = derived_seed(
            data["date"], data["authority_code"], data["targets_digest"], data["inspectors_digest"]
        )
        if expected != data["seed"]:
            return False, {"error": "随机种子与由日期、部门和两个库推导出的种子不一致"}
    result = draw(
        data["seed"],
        [t["id"] for t in targets],
        [i["id"] for i in inspectors],
        count=data["count"],
        per_target=data["per_target"],
        conflicts=[tuple(pair) for pair in data["conflicts"]],
    )
    recomputed = result_data(result)
    return recomputed == data["result"], recomputed


def public_record(record: InspectionDraw) -> dict[str, Any]:
    """Everything anyone needs to check the draw (published on the public page)."""
    return {
        "id": record.pk,
        "authority": record.authority.name,
        "authority_code": record.authority.code,
        "date": record.business_date.isoformat(),
        "targets": record.target_kind,
        "filters": record.filters,
        "count": record.count,
        "per_target": record.per_target,
        "seed": record.seed,
        "seed_given": record.seed_given,
        "targets_pool": record.targets_pool,
        "inspectors_pool": record.inspectors_pool,
        "conflicts": record.conflicts,
        "targets_digest": record.targets_digest,
        "inspectors_digest": record.inspectors_digest,
        "result": record.result,
    }


def declare_conflict(organization: Organization, reason: Any, *, actor: Actor) -> InspectorConflict:
    """An inspector declares a conflict of interest with an organization (回避)."""
    if getattr(actor, "role", None) != Role.INSPECTOR:
        from skillcert.rules.errors import Forbidden

        raise Forbidden("只有督查员可以申报回避", code="forbidden")
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidInput.for_field("reason", "请填写回避原因")
    with transaction.atomic():
        conflict, created = InspectorConflict.objects.get_or_create(
            inspector=acting_user(actor), organization=organization, defaults={"reason": text[:200]}
        )
        if created:
            audit.record(
                actor=actor,
                action="supervision.conflict_declared",
                obj=conflict,
                after={"organization": organization.pk, "reason": text[:200]},
            )
    return conflict
