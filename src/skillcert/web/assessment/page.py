"""The batch page as one typed object (``BatchPage``), for the organization and officers.

``batch_page_for`` is the selector: it gathers what the page shows (the viewer's buttons,
the candidates with their scores and certificate numbers, the typed-results grid of a
small batch, attendance, inspections, objections, annexes, segments and history) from the
domain's queries and the display helpers. The views hand ``page.as_context()`` to the
templates, which read the same keys as before. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from skillcert.assessment import selectors
from skillcert.assessment.access import may_download_annexes, parties_for_batch
from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.assessment.models import (
    Batch,
    BatchItem,
    Candidate,
    Inspection,
    StaffMember,
    StaffRole,
)
from skillcert.assessment.workflow import (
    BUTTON_ACTIONS,
    RECEIPT_ACTIONS,
    BatchParty,
    has_results,
    is_numbered,
    issue_ahead,
)
from skillcert.certificates import selectors as certificate_selectors
from skillcert.certificates.selectors import levels_without_segments
from skillcert.registry.machines import OBJECTION_MACHINE
from skillcert.registry.models import Objection, Organization
from skillcert.registry.services.materials import max_upload_bytes
from skillcert.rules import clock
from skillcert.rules.idtypes import ID_TYPES, mask_id_number
from skillcert.rules.levels import level_name
from skillcert.rules.regions import ANHUI
from skillcert.rules.workflow import Transition
from skillcert.web import display
from skillcert.web.assessment import display as batch_display
from skillcert.web.assessment.forms import AbsenceForm, BatchObjectionForm, InspectionForm
from skillcert.web.display import Deadline
from skillcert.workflow.models import StateChange

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


CANDIDATE_PAGE = 50
# Up to this many candidates, scores and attendance can be typed on the page.
SMALL_BATCH = 100
ROLE_ORDER = {role.value: index for index, role in enumerate(StaffRole)}


def _shallow(obj: DataclassInstance) -> dict[str, Any]:
    """A dataclass's fields as a dict, the values as they are (``asdict`` would copy them)."""
    return {field.name: getattr(obj, field.name) for field in fields(obj)}


# --- the plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRow:
    item: BatchItem
    label: str


@dataclass(frozen=True)
class StaffRow:
    member: StaffMember
    id_type: str
    id_number: str  # masked unless the viewer is the organization


@dataclass(frozen=True)
class PlanFacts:
    """The plan as the batch page and the wizard's last step show it."""

    items: list[ItemRow]
    staff_rows: list[StaffRow]
    marks: list[tuple[str, str]]  # subject → pass mark
    senior: bool  # a technician level (1 or 2) is assessed
    site: str

    def as_context(self) -> dict[str, Any]:
        return _shallow(self)


def plan_facts(batch: Batch, *, owner: bool) -> PlanFacts:
    members = sorted(batch.staff.all(), key=lambda m: (ROLE_ORDER.get(m.role, 9), m.pk))
    items = list(batch.items.all())
    return PlanFacts(
        items=[
            ItemRow(i, batch_display.item_label(i.occupation_name, i.work_type, i.level))
            for i in items
        ],
        staff_rows=[
            StaffRow(
                member=m,
                id_type=ID_TYPES[m.id_type].name if m.id_type in ID_TYPES else "",
                id_number=m.id_number if owner else mask_id_number(m.id_number),
            )
            for m in members
        ],
        marks=[(s, str(batch.pass_marks.get(s, "60"))) for s in batch.subjects],
        senior=any(i.level in (1, 2) for i in items),
        site=batch_display.site_label(batch),
    )


# --- the rows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateRow:
    candidate: Candidate
    scores: list[str]  # in the order of ``batch.subjects``
    number: str | None  # the certificate number, once issued
    city: str


@dataclass(frozen=True)
class ScoreCell:
    name: str  # the input's name: score-<candidate>-<subject index>
    subject: str
    value: str
    errors: list[str]


@dataclass(frozen=True)
class ScoreRow:
    candidate: Candidate
    absent: bool
    errors: list[str]
    cells: list[ScoreCell]


@dataclass(frozen=True)
class ReceiptRow:
    """A plan or result filing with the appraisal center, and the viewer's answers to it."""

    label: str  # 计划报备 or 结果报备
    case_number: str
    receipt: selectors.Receipt
    receive: str  # the action the viewer may take now ("" when not)
    give_back: str


def receipt_rows(batch: Batch, allowed: list[str]) -> list[ReceiptRow]:
    pairs = (
        ("计划报备", batch.plan_case_number, selectors.plan_receipt(batch), RECEIPT_ACTIONS[:2]),
        (
            "结果报备",
            batch.results_case_number,
            selectors.results_receipt(batch),
            RECEIPT_ACTIONS[2:],
        ),
    )
    return [
        ReceiptRow(
            label,
            number,
            receipt,
            receive if receive in allowed else "",
            give_back if give_back in allowed else "",
        )
        for label, number, receipt, (receive, give_back) in pairs
        if receipt is not None
    ]


@dataclass(frozen=True)
class ObjectionRow:
    objection: Objection
    form: BatchObjectionForm
    resolvable: bool


def score_rows(
    batch: Batch,
    candidates: list[Candidate],
    data: Mapping[str, Any] | None,
    errors: Mapping[int, Mapping[str, list[str]]],
) -> list[ScoreRow]:
    """The typed-results grid: what was posted (after a refusal) or the stored scores."""
    rows = []
    for c in candidates:
        cell_errors = errors.get(c.pk, {})
        cells = []
        for index, subject in enumerate(batch.subjects):
            name = f"score-{c.pk}-{index}"
            value = data.get(name) if data is not None else (c.scores or {}).get(subject, "")
            text = "" if value is None else str(value)
            cells.append(ScoreCell(name, subject, text, list(cell_errors.get(subject, []))))
        rows.append(
            ScoreRow(c, c.attended is False, list(cell_errors.get("", [])), cells),
        )
    return rows


# --- the page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchPage:
    """Everything the batch page shows; ``as_context`` gives the templates' keys."""

    batch: Batch
    organization: Organization
    owner: bool  # the viewer is the batch's organization
    parties: frozenset[BatchParty]
    deadline: Deadline | None
    buttons: list[Transition]
    allowed: list[str]
    receipts: list[ReceiptRow]
    tally: dict[str, int]
    page: Page
    candidates: list[CandidateRow]
    subjects: list[str]
    show_scores: bool
    show_numbers: bool
    started: bool
    defer_running: bool
    small: bool
    small_limit: int
    score_rows: list[ScoreRow]
    may_attendance: bool
    absent_rows: list[Candidate]
    absence_form: AbsenceForm
    may_inspect: bool
    inspection_form: InspectionForm
    inspections: QuerySet[Inspection]
    objections: list[ObjectionRow]
    show_contact: bool
    annex4: bool
    annex5: bool
    certificate_card: dict[str, Any] | None
    segments: list[dict[str, Any]]
    without_photos: list[str]
    next_year: int
    next_year_missing: list[str]
    segments_short: bool
    segment_year: int
    history: QuerySet[StateChange]
    next: dict[str, Any] | None
    final: bool
    max_upload_mb: int
    query: str
    plan: PlanFacts

    def as_context(self, **extra: Any) -> dict[str, Any]:
        """The template context: every field (the plan's spread out), then ``extra``."""
        context = _shallow(self)
        context.update(context.pop("plan").as_context())
        context.update(extra)
        return context


def batch_page_for(
    request: HttpRequest,
    batch: Batch,
    *,
    score_data: Mapping[str, Any] | None = None,
    score_errors: Mapping[int, Mapping[str, list[str]]] | None = None,
    objection_forms: Mapping[int, BatchObjectionForm] | None = None,
    absence_form: AbsenceForm | None = None,
    inspection_form: InspectionForm | None = None,
) -> BatchPage:
    """The batch page for the request's user; the forms given are a refused request's."""
    user = request.user
    parties = parties_for_batch(user, batch)
    owner = BatchParty.ORGANIZATION in parties
    available = BATCH_MACHINE.available(batch, user)
    allowed = [t.action for t in available]
    tally = batch_display.candidate_tally(batch)
    page = Paginator(batch.candidates.all(), CANDIDATE_PAGE).get_page(request.GET.get("page"))
    numbers = certificate_selectors.certificate_numbers(c.pk for c in page)
    city_names = {city.code: city.name for city in ANHUI.cities}
    may_attendance = "attendance" in allowed
    small = tally["total"] <= SMALL_BATCH
    annexes = may_download_annexes(user, batch)
    today = clock.today()
    segments = (
        batch_display.segment_needs(batch, today.year) if owner and issue_ahead(batch) else []
    )
    forms = objection_forms or {}
    absent_numbers = (
        "\n".join(selectors.absent_id_numbers(batch)) if may_attendance and not small else ""
    )
    return BatchPage(
        batch=batch,
        organization=batch.organization,
        owner=owner,
        parties=parties,
        deadline=batch_display.batch_deadline(batch),
        buttons=[t for t in available if t.action in BUTTON_ACTIONS],
        allowed=allowed,
        receipts=receipt_rows(batch, allowed),
        tally=tally,
        page=page,
        candidates=[
            CandidateRow(
                candidate=c,
                scores=[(c.scores or {}).get(s, "") for s in batch.subjects],
                number=numbers.get(c.pk),
                city=city_names.get(c.city, c.city),
            )
            for c in page
        ],
        subjects=list(batch.subjects),
        show_scores=has_results(batch)
        or bool(tally["passed"] or tally["failed"] or tally["absent"]),
        show_numbers=is_numbered(batch),
        started=today >= batch.start_date,
        defer_running=today < batch.start_date and (may_attendance or "results" in allowed),
        small=small,
        small_limit=SMALL_BATCH,
        score_rows=score_rows(batch, list(batch.candidates.all()), score_data, score_errors or {})
        if "results" in allowed and small
        else [],
        may_attendance=may_attendance,
        absent_rows=list(batch.candidates.only("pk", "name", "id_number", "attended"))
        if may_attendance and small
        else [],
        absence_form=absence_form or AbsenceForm(initial={"absent_numbers": absent_numbers}),
        may_inspect="inspections" in allowed,
        inspection_form=inspection_form or InspectionForm(),
        inspections=batch.inspections.select_related("inspector"),
        objections=[
            ObjectionRow(
                objection=o,
                form=forms.get(o.pk) or BatchObjectionForm(),
                resolvable=OBJECTION_MACHINE.may(o, user, "resolve"),
            )
            for o in Objection.objects.filter(batch=batch)
        ],
        show_contact=batch_display.reviewer_parties(parties),
        annex4=annexes and has_results(batch),
        annex5=annexes and is_numbered(batch),
        certificate_card=batch_display.batch_certificates(batch, owner=owner, may_print=annexes),
        segments=segments,
        without_photos=selectors.passers_without_photos(batch) if "issue" in allowed else [],
        next_year=today.year + 1,
        next_year_missing=[
            level_name(level)
            for level in levels_without_segments(batch.organization, today.year + 1)
        ]
        if owner and today.month == 12
        else [],
        segments_short=any(row["short"] for row in segments),
        segment_year=today.year,
        history=BATCH_MACHINE.history(batch),
        next=BATCH_MACHINE.next(batch),
        final=BATCH_MACHINE.is_final(batch),
        max_upload_mb=max_upload_bytes() // (1024 * 1024),
        query=display.query_without_page(request),
        plan=plan_facts(batch, owner=owner),
    )


def batch_context(request: HttpRequest, batch: Batch, **extra: Any) -> dict[str, Any]:
    """The batch page's template context: ``batch_page_for`` (given the refused request's
    forms and scores among ``extra``) and the rest of ``extra`` (the error and its action)."""
    page = batch_page_for(
        request,
        batch,
        score_data=extra.pop("score_data", None),
        score_errors=extra.pop("score_errors", None),
        objection_forms=extra.pop("objection_forms", None),
        absence_form=extra.pop("absence_form", None),
        inspection_form=extra.pop("inspection_form", None),
    )
    return page.as_context(**extra)
