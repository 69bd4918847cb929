"""Service ratings (好差评, domain.md §9): the applicant rates a finished case once, 1-5 with an
optional comment; the officers of the authority that handled it see the statistics.

What can be rated (decided here, documented in docs/government-service.md):

- ``filing:<id>``: a filing case (首次, 变更, 延续, 异地, 面向全省) in a final state of its
  workflow (filed, not accepted, not selected, withdrawn); handled by the case's authority;
- ``batch:<id>``: a batch in a final state (results filed, or the plan withdrawn); handled by
  the appraisal center of the city where it is held (``site_city``);
- ``segment_request:<id>``: a segment request decided (granted or refused); handled by the
  provincial center (the province).

Whether a case is finished is the engine's answer (``Machine.is_final``), never a state read
here. Only a user of the applicant organization may rate; anyone else is answered 404, like a
case that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Avg, Count, QuerySet

from skillcert.accounts.actors import is_signed_in
from skillcert.accounts.models import Authority, User
from skillcert.accounts.roles import AuthorityKind, Role
from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.assessment.models import Batch
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.certificates.machines import SEGMENT_REQUEST_MACHINE
from skillcert.certificates.models import SegmentRequest
from skillcert.registry.access import organization_of
from skillcert.registry.machines import FILING_MACHINE
from skillcert.registry.models import FilingCase
from skillcert.rules.errors import Conflict, InvalidInput, NotFound
from skillcert.workflow.machine import Machine
from skillcert.workflow.models import ServiceRating

COMMENT_MAX = 500
SCORES = (1, 2, 3, 4, 5)
SCORE_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}

# Officers who read the statistics: the city's own (bureau, center), the province's all.
CITY_READERS = frozenset({Role.CITY_BUREAU, Role.CITY_CENTER})
PROVINCE_READERS = frozenset({Role.PROVINCE_DEPT, Role.PROVINCE_CENTER})


def _province() -> Authority:
    authority = Authority.objects.filter(kind=AuthorityKind.PROVINCE).first()
    if authority is None:  # pragma: no cover - set-up loads the authorities
        raise NotFound("未找到办理部门")
    return authority


@dataclass(frozen=True)
class Kind:
    """One kind of case that can be rated."""

    name: str  # the subject's prefix
    noun: str
    model: type[models.Model]
    machine: Machine[Any]
    authority: Callable[[Any], Authority]


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("filing", "备案申请", FilingCase, FILING_MACHINE, lambda case: case.authority),
        Kind("batch", "认定批次", Batch, BATCH_MACHINE, lambda batch: batch.site_city),
        Kind(
            "segment_request",
            "号段申请",
            SegmentRequest,
            SEGMENT_REQUEST_MACHINE,
            lambda request: _province(),
        ),
    )
}
_KIND_OF_MODEL = {kind.model: kind for kind in KINDS.values()}
_SUBJECT = re.compile(r"(?P<kind>[a-z_]+):(?P<pk>[1-9][0-9]{0,17})")


def subject_of(obj: models.Model) -> str:
    return f"{_KIND_OF_MODEL[type(obj)].name}:{obj.pk}"


def parse_subject(text: Any) -> tuple[Kind, int]:
    """``filing:12`` → (the kind, 12); 400 for anything else."""
    match = _SUBJECT.fullmatch(str(text or "").strip())
    if match is None or match["kind"] not in KINDS:
        raise InvalidInput.for_field(
            "object", "请指明评价的办件，如 filing:12、batch:3 或 segment_request:5"
        )
    return KINDS[match["kind"]], int(match["pk"])


def subject_label(subject: str) -> str:
    """``filing:12`` → ``备案申请 12``: how the statistics page names a rated case."""
    kind, _, pk = subject.partition(":")
    found = KINDS.get(kind)
    return f"{found.noun} {pk}" if found else subject


def subject_noun(subject: str) -> str:
    """``filing:12`` → ``备案申请``."""
    found = KINDS.get(subject.partition(":")[0])
    return found.noun if found else subject


def case_numbers(subjects: list[str]) -> dict[str, str]:
    """The case number (办件编号) of each rated case, one query per kind: a batch by its result
    filing's number, else its plan's."""
    wanted: dict[str, list[int]] = {}
    for subject in subjects:
        kind, _, number = subject.partition(":")
        if kind in KINDS and number.isdigit():
            wanted.setdefault(kind, []).append(int(number))
    found: dict[str, str] = {}
    cases = FilingCase.objects.filter(pk__in=wanted.get("filing", []))
    for case_pk, case_number in cases.values_list("pk", "case_number"):
        found[f"filing:{case_pk}"] = case_number or ""
    batches = Batch.objects.filter(pk__in=wanted.get("batch", []))
    for batch_pk, plan, results in batches.values_list(
        "pk", "plan_case_number", "results_case_number"
    ):
        found[f"batch:{batch_pk}"] = results or plan
    requests = SegmentRequest.objects.filter(pk__in=wanted.get("segment_request", []))
    for request_pk, request_number in requests.values_list("pk", "case_number"):
        found[f"segment_request:{request_pk}"] = request_number
    return found


def case_labels(subjects: list[str]) -> dict[str, str]:
    """``filing:12`` → ``备案申请 BA-3401-2026-000012`` (by its number while it has none)."""
    numbers = case_numbers(subjects)
    return {
        subject: f"{subject_noun(subject)} {numbers[subject]}"
        if numbers.get(subject)
        else subject_label(subject)
        for subject in subjects
    }


def is_applicant(obj: models.Model, user: Actor | None) -> bool:
    own = organization_of(user)
    return own is not None and getattr(obj, "organization_id", None) == own.pk


def rating_of(obj: models.Model) -> ServiceRating | None:
    return ServiceRating.objects.filter(subject=subject_of(obj)).first()


def offer(obj: models.Model, user: Actor | None) -> dict[str, Any] | None:
    """What a case page shows its applicant: the rating given, or whether it may be given
    now (the case finished, not yet rated); None for anyone else or a case still running."""
    if type(obj) not in _KIND_OF_MODEL or not is_applicant(obj, user):
        return None
    rating = rating_of(obj)
    final = _KIND_OF_MODEL[type(obj)].machine.is_final(obj)
    if rating is None and not final:
        return None
    return {"subject": subject_of(obj), "rating": rating, "may_rate": rating is None and final}


def _score(value: Any) -> int:
    if isinstance(value, bool):
        value = None
    try:
        score = int(value) if isinstance(value, int | str) else None
    except ValueError:
        score = None
    if score not in SCORES:
        raise InvalidInput.for_field("score", "请选择 1 至 5 分")
    return score


def _comment(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput.for_field("comment", "评价内容应为文字")
    comment = value.replace("\r\n", "\n").strip()
    if len(comment) > COMMENT_MAX:
        raise InvalidInput.for_field("comment", f"评价内容不能超过 {COMMENT_MAX} 个字")
    return comment


def rate(subject: Any, score: Any, comment: Any, *, actor: Actor) -> ServiceRating:
    """Rate a finished case once: 400 bad subject, score or comment, or the case not finished;
    404 not the caller's case (or absent); 409 rated already."""
    kind, pk = parse_subject(subject)
    own = organization_of(actor)
    if (
        own is None
        or not isinstance(actor, User)
        or not kind.model._default_manager.filter(pk=pk, organization=own).exists()
    ):
        raise NotFound("未找到该办件")
    value = _score(score)
    text = _comment(comment)
    with transaction.atomic():
        obj = kind.machine.lock(pk)  # time-driven steps applied: the state is today's
        if not kind.machine.is_final(obj):
            raise InvalidInput("办件办结后才能评价", code="not_final")
        name = subject_of(obj)
        if ServiceRating.objects.filter(subject=name).exists():
            raise Conflict("该办件已经评价过，每个办件只能评价一次", code="already_rated")
        try:
            with transaction.atomic():
                rating = ServiceRating.objects.create(
                    subject=name,
                    authority=kind.authority(obj),
                    rated_by=actor,
                    score=value,
                    comment=text,
                )
        except IntegrityError:  # pragma: no cover - the row lock above serializes raters
            raise Conflict("该办件已经评价过，每个办件只能评价一次", code="already_rated") from None
        audit.record(
            actor=actor,
            action="workflow.rating_given",
            obj=rating,
            after={"subject": name, "score": value, "comment": text},
        )
    return rating


# --- statistics ---------------------------------------------------------------------------


def may_read_statistics(user: Actor | None) -> bool:
    return is_signed_in(user) and (user.role in CITY_READERS | PROVINCE_READERS)


def ratings_for(user: Actor | None) -> QuerySet[ServiceRating]:
    """The ratings an officer may read: their city's, or all for the province."""
    everything = ServiceRating.objects.select_related("authority")
    if not is_signed_in(user):
        return everything.none()
    if user.role in PROVINCE_READERS:
        return everything
    if user.role in CITY_READERS and user.authority_id is not None:
        return everything.filter(authority_id=user.authority_id)
    return everything.none()


def statistics(ratings: QuerySet[ServiceRating]) -> list[dict[str, Any]]:
    """Per authority: count, average, the distribution of scores 1-5 (one query)."""
    rows = (
        ratings.order_by()
        .values("authority_id", "authority__code", "authority__name", "score")
        .annotate(n=Count("pk"))
    )
    table: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = table.setdefault(
            row["authority_id"],
            {
                "authority": row["authority__name"],
                "code": row["authority__code"],
                "count": 0,
                "total": 0,
                "distribution": dict.fromkeys(SCORES, 0),
            },
        )
        entry["count"] += row["n"]
        entry["total"] += row["n"] * row["score"]
        entry["distribution"][row["score"]] = row["n"]
    result = []
    for entry in sorted(table.values(), key=lambda e: e["code"]):
        entry["average"] = round(entry.pop("total") / entry["count"], 2)
        entry["good"] = entry["distribution"][4] + entry["distribution"][5]
        result.append(entry)
    return result


def overall(ratings: QuerySet[ServiceRating]) -> dict[str, Any]:
    answer = ratings.order_by().aggregate(count=Count("pk"), average=Avg("score"))
    average = answer["average"]
    return {"count": answer["count"], "average": round(average, 2) if average else None}
