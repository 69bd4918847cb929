"""Retention periods of personal data (domain.md §11, PIPL 第十九条): what is deleted, when.

Three kinds of personal data outlive their purpose; each has its period in days, a setting,
counted on the platform clock (``rules.clock.today``) from the day the data stopped being
needed:

- ``SKILLCERT_RETENTION_DAYS_FAILED_ROSTERS``: the roster rows of candidates who did not pass
  (names, ID numbers, scores; their photos with them), counted from the batch's result filing
  (结果报备). Candidates who passed stay: their certificates point at them.
- ``SKILLCERT_RETENTION_DAYS_FILING_MATERIALS``: the uploaded materials (files and their rows)
  of filing cases that ended without a filing (不予受理, 未予遴选), counted from that decision,
  and of every case of an organization that left the catalogue (退出), from its exit date.
  Materials of an organization still filed stay: they are its filing record.
- ``SKILLCERT_RETENTION_DAYS_PHOTOS``: candidates' photos once their certificate is issued,
  counted from the issue (or the last reissue, 补发). A later reissue needs a new upload.

Certificates, their holders' data, batches, filing cases and the audit record are never
touched. ``apply_retention`` runs daily (``supervision.tasks.apply_retention``): each
object's deletion is one transaction with its audit entry (counts only, never the deleted
data), files are removed through ``documents.files`` inside that transaction after the rows
(a failed commit leaves rows whose files are gone, which the next run deletes), and one
``retention.run`` entry per run gives the totals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from skillcert.assessment.models import Batch, Candidate
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.certificates.models import CandidatePhoto, Certificate
from skillcert.documents import files
from skillcert.registry.models import FilingCase, FilingMaterial
from skillcert.registry.workflow import FILING, FilingState
from skillcert.rules import clock
from skillcert.workflow.models import StateChange

# The cases that ended without a filing (the refusals of the filing workflow).
ENDED_UNFILED = (FilingState.NOT_ACCEPTED, FilingState.NOT_SELECTED)


@dataclass(frozen=True)
class RetentionPeriods:
    """Days each kind of personal data is kept (see the module's docstring)."""

    failed_rosters: int
    filing_materials: int
    photos: int

    @classmethod
    def from_settings(cls) -> RetentionPeriods:
        return cls(
            failed_rosters=settings.SKILLCERT_RETENTION_DAYS_FAILED_ROSTERS,
            filing_materials=settings.SKILLCERT_RETENTION_DAYS_FILING_MATERIALS,
            photos=settings.SKILLCERT_RETENTION_DAYS_PHOTOS,
        )


@dataclass(frozen=True)
class RetentionResult:
    """What one run deleted."""

    candidates_deleted: int = 0
    batches_trimmed: int = 0
    materials_deleted: int = 0
    cases_cleared: int = 0
    photos_deleted: int = 0


def apply_retention(*, actor: Actor, periods: RetentionPeriods | None = None) -> RetentionResult:
    """Delete every kind of personal data past its period; one audit entry per object changed
    and one for the run (even when nothing was due: the run itself is on record)."""
    periods = periods or RetentionPeriods.from_settings()
    today = clock.today()
    candidates, batches = _delete_failed_rosters(
        today - dt.timedelta(periods.failed_rosters), actor
    )
    materials, cases = _delete_filing_materials(
        today - dt.timedelta(periods.filing_materials), actor
    )
    photos = _delete_photos(today - dt.timedelta(periods.photos), actor)
    result = RetentionResult(candidates, batches, materials, cases, photos)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="retention.run",
            object_type="retention",
            object_id=today.isoformat(),
            before=asdict(periods),
            after=asdict(result),
        )
    return result


# --- rosters of candidates who did not pass --------------------------------------------------


def _failed_candidates(cutoff: dt.date) -> Q:
    """Candidates who did not pass (failed or absent) in batches whose results were filed on
    or before ``cutoff``, and who hold no certificate (a guard: the chain needs those)."""
    return Q(batch__results_filed_on__lte=cutoff) & ~Q(passed=True) & Q(certificates__isnull=True)


def _delete_failed_rosters(cutoff: dt.date, actor: Actor) -> tuple[int, int]:
    batch_ids = (
        Candidate.objects.filter(_failed_candidates(cutoff))
        .order_by("batch_id")
        .values_list("batch_id", flat=True)
        .distinct()
    )
    deleted = batches = 0
    for batch_id in list(batch_ids):
        with transaction.atomic():
            batch = Batch.objects.select_for_update().get(pk=batch_id)
            doomed = Candidate.objects.filter(_failed_candidates(cutoff), batch=batch)
            ids = list(doomed.values_list("pk", flat=True))
            if not ids:
                continue
            photo_names = list(
                CandidatePhoto.objects.filter(candidate_id__in=ids).values_list(
                    "stored_name", flat=True
                )
            )
            Candidate.objects.filter(pk__in=ids).delete()  # their photos' rows cascade
            audit.record(
                actor=actor,
                action="retention.roster_deleted",
                obj=batch,
                before={"candidates": len(ids), "photos": len(photo_names)},
                after={"results_filed_on": batch.results_filed_on, "cutoff": cutoff},
            )
            for name in photo_names:
                files.delete(name)
            deleted += len(ids)
            batches += 1
    return deleted, batches


# --- uploaded materials of ended filing cases ------------------------------------------------


def _ended_cases(cutoff: dt.date) -> list[int]:
    """Cases with materials that ended without a filing on or before ``cutoff``, or whose
    organization left the catalogue on or before it."""
    refused_by = StateChange.objects.filter(
        workflow=FILING.name, to_state__in=ENDED_UNFILED, business_date__lte=cutoff
    ).values("object_id")
    ended = FilingCase.objects.filter(
        Q(state__in=ENDED_UNFILED, pk__in=refused_by)
        | Q(organization__exited_on__isnull=False, organization__exited_on__lte=cutoff)
    )
    return list(
        ended.filter(materials__isnull=False).order_by("pk").values_list("pk", flat=True).distinct()
    )


def _delete_filing_materials(cutoff: dt.date, actor: Actor) -> tuple[int, int]:
    deleted = cases = 0
    for case_id in _ended_cases(cutoff):
        with transaction.atomic():
            case = FilingCase.objects.select_for_update().get(pk=case_id)
            materials = list(FilingMaterial.objects.filter(case=case))
            if not materials:
                continue
            FilingMaterial.objects.filter(pk__in=[m.pk for m in materials]).delete()
            audit.record(
                actor=actor,
                action="retention.materials_deleted",
                obj=case,
                before={"materials": len(materials), "bytes": sum(m.size for m in materials)},
                after={"state": case.state, "cutoff": cutoff},
            )
            for material in materials:
                files.delete(material.stored_name)
            deleted += len(materials)
            cases += 1
    return deleted, cases


# --- candidates' photos after their certificates are issued ------------------------------------


def _photos_due(cutoff: dt.date) -> Q:
    """Photos of candidates holding a certificate, none issued or reissued after ``cutoff``."""
    recent = Certificate.objects.filter(
        Q(issued_on__gt=cutoff) | Q(last_reissued_on__gt=cutoff)
    ).values("candidate_id")
    return Q(candidate__certificates__isnull=False) & ~Q(candidate_id__in=recent)


def _delete_photos(cutoff: dt.date, actor: Actor) -> int:
    batch_ids = (
        CandidatePhoto.objects.filter(_photos_due(cutoff))
        .order_by("candidate__batch_id")
        .values_list("candidate__batch_id", flat=True)
        .distinct()
    )
    deleted = 0
    for batch_id in list(batch_ids):
        with transaction.atomic():
            batch = Batch.objects.select_for_update().get(pk=batch_id)
            photos = list(
                CandidatePhoto.objects.filter(_photos_due(cutoff), candidate__batch=batch)
                .distinct()
                .values_list("pk", "stored_name")
            )
            if not photos:
                continue
            CandidatePhoto.objects.filter(pk__in=[pk for pk, _ in photos]).delete()
            audit.record(
                actor=actor,
                action="retention.photos_deleted",
                obj=batch,
                before={"photos": len(photos)},
                after={"cutoff": cutoff},
            )
            for _, name in photos:
                files.delete(name)
            deleted += len(photos)
    return deleted
