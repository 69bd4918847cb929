"""Retention periods of personal data (domain.md §11, issue 13 item 6): the daily job deletes
rosters of candidates who did not pass, materials of ended filing cases and photos after the
certificate, each past its period on the platform clock, with audit entries; certificates and
their holders' data stay."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from skillcert.assessment.models import Candidate
from skillcert.assessment.services.results import file_results
from skillcert.audit.chain import verify_chain
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM
from skillcert.certificates.models import CandidatePhoto, Certificate
from skillcert.certificates.services.issuing import issue_batch
from skillcert.documents import files
from skillcert.jobs.schedule import PERIODIC
from skillcert.registry.models import FilingMaterial
from skillcert.registry.services.review import not_accept_filing
from skillcert.supervision.retention import RetentionPeriods, apply_retention
from tests.assessment.factories import batch_in, filed_organization, segments_for
from tests.registry.factories import submitted_case

pytestmark = pytest.mark.django_db

PERIODS = RetentionPeriods(failed_rosters=1095, filing_materials=730, photos=365)
FILED_ON = dt.date(2026, 11, 12)  # the result filing of the batch below


def photo_of(candidate: Candidate) -> CandidatePhoto:
    name = files.save(f"photos/{candidate.batch_id}/{uuid.uuid4().hex}.jpg", b"\xff\xd8jpeg")
    return CandidatePhoto.objects.create(
        candidate=candidate, stored_name=name, sha256="0" * 64, width=413, height=579
    )


@pytest.fixture
def finished_batch(occupation_catalog, org_user, city_bureau, province_center, today):
    """Issued on 2026-11-11 (five certificates, one candidate failed), results filed on
    2026-11-12, every candidate with a photo."""
    organization = filed_organization(org_user, city_bureau, today)
    batch = batch_in("publicity_closed", organization, org_user, today)
    for candidate in batch.candidates.all():
        photo_of(candidate)
    segments_for(organization, province_center)
    issue_batch(batch, actor=org_user)
    today(FILED_ON.isoformat())
    file_results(batch, actor=org_user)
    batch.refresh_from_db()
    assert batch.results_filed_on == FILED_ON
    return batch


def entries_since(seq: int, action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(seq__gt=seq, action=action))


def last_seq() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_nothing_is_deleted_before_its_period_but_the_run_is_recorded(finished_batch, today):
    candidates = finished_batch.candidates.count()
    photos = CandidatePhoto.objects.count()
    today((dt.date(2026, 11, 11) + dt.timedelta(days=364)).isoformat())  # the photos' last day
    seq = last_seq()
    result = apply_retention(actor=SYSTEM, periods=PERIODS)
    assert result.candidates_deleted == result.photos_deleted == result.materials_deleted == 0
    assert finished_batch.candidates.count() == candidates
    assert CandidatePhoto.objects.count() == photos
    (run,) = entries_since(seq, "retention.run")
    assert json.loads(run.before)["photos"] == 365
    assert len(AuditEntry.objects.filter(seq__gt=seq)) == 1


def test_photos_go_a_year_after_the_certificate_and_their_files_with_them(finished_batch, today):
    certified = list(CandidatePhoto.objects.filter(candidate__certificates__isnull=False))
    failed_photo = CandidatePhoto.objects.get(candidate__passed=False)
    assert len(certified) == 5
    today((dt.date(2026, 11, 11) + dt.timedelta(days=365)).isoformat())
    seq = last_seq()
    result = apply_retention(actor=SYSTEM, periods=PERIODS)
    assert result.photos_deleted == 5
    assert not CandidatePhoto.objects.filter(pk__in=[p.pk for p in certified]).exists()
    for photo in certified:
        assert not files.storage().exists(photo.stored_name)
    # The candidate who did not pass has no certificate: the roster's period governs it.
    assert CandidatePhoto.objects.filter(pk=failed_photo.pk).exists()
    assert files.storage().exists(failed_photo.stored_name)
    (entry,) = entries_since(seq, "retention.photos_deleted")
    assert entry.object_id == str(finished_batch.pk) and '"photos":5' in entry.before
    # Certificates and their holders' data stay.
    assert Certificate.objects.filter(batch=finished_batch).count() == 5
    assert finished_batch.candidates.filter(passed=True).count() == 5
    assert verify_chain().ok


def test_a_recent_reissue_keeps_the_photo(finished_batch, today):
    certificate = Certificate.objects.filter(batch=finished_batch).first()
    Certificate.objects.filter(pk=certificate.pk).update(last_reissued_on=dt.date(2027, 6, 1))
    today((dt.date(2026, 11, 11) + dt.timedelta(days=365)).isoformat())
    assert apply_retention(actor=SYSTEM, periods=PERIODS).photos_deleted == 4
    assert CandidatePhoto.objects.filter(candidate_id=certificate.candidate_id).exists()


def test_the_rosters_of_those_who_did_not_pass_go_after_their_period(finished_batch, today):
    failed = finished_batch.candidates.get(passed=False)
    failed_photo = failed.photo.stored_name
    today((FILED_ON + dt.timedelta(days=1094)).isoformat())
    assert apply_retention(actor=SYSTEM, periods=PERIODS).candidates_deleted == 0
    assert Candidate.objects.filter(pk=failed.pk).exists()

    today((FILED_ON + dt.timedelta(days=1095)).isoformat())
    seq = last_seq()
    result = apply_retention(actor=SYSTEM, periods=PERIODS)
    assert (result.candidates_deleted, result.batches_trimmed) == (1, 1)
    assert not Candidate.objects.filter(pk=failed.pk).exists()
    assert not files.storage().exists(failed_photo)
    (entry,) = entries_since(seq, "retention.roster_deleted")
    assert entry.object_id == str(finished_batch.pk)
    assert json.loads(entry.before) == {"candidates": 1, "photos": 1}
    assert failed.name not in entry.before + entry.after and failed.id_number not in entry.after
    (run,) = entries_since(seq, "retention.run")
    assert json.loads(run.after)["candidates_deleted"] == 1
    # Those who passed, and their certificates, stay; a second run changes nothing.
    assert finished_batch.candidates.filter(passed=True).count() == 5
    assert Certificate.objects.filter(batch=finished_batch).count() == 5
    again = apply_retention(actor=SYSTEM, periods=PERIODS)
    assert again.candidates_deleted == again.photos_deleted == 0
    assert verify_chain().ok


def test_a_batch_whose_results_are_not_filed_keeps_its_roster(
    occupation_catalog, org_user, city_bureau, today
):
    organization = filed_organization(org_user, city_bureau, today)
    batch = batch_in("publicity_closed", organization, org_user, today)
    today("2031-01-01")
    assert apply_retention(actor=SYSTEM, periods=PERIODS).candidates_deleted == 0
    assert batch.candidates.filter(passed=False).count() == 1


def test_materials_of_a_case_not_accepted_go_after_their_period(
    occupation_catalog,
    organization,
    org_user,
    other_organization,
    other_org_user,
    city_bureau,
    today,
):
    today("2026-09-01")
    refused = submitted_case(organization, org_user)
    kept = submitted_case(other_organization, other_org_user)  # still open
    not_accept_filing(refused, reason="申报材料不符合要求", actor=city_bureau)
    names = list(FilingMaterial.objects.filter(case=refused).values_list("stored_name", flat=True))
    assert names and all(files.storage().exists(name) for name in names)

    today((dt.date(2026, 9, 1) + dt.timedelta(days=729)).isoformat())
    assert apply_retention(actor=SYSTEM, periods=PERIODS).materials_deleted == 0

    today((dt.date(2026, 9, 1) + dt.timedelta(days=730)).isoformat())
    seq = last_seq()
    result = apply_retention(actor=SYSTEM, periods=PERIODS)
    assert (result.materials_deleted, result.cases_cleared) == (len(names), 1)
    assert not FilingMaterial.objects.filter(case=refused).exists()
    assert not any(files.storage().exists(name) for name in names)
    assert FilingMaterial.objects.filter(case=kept).exists()
    refused.refresh_from_db()
    assert refused.state == "not_accepted"  # the case and its history stay
    (entry,) = entries_since(seq, "retention.materials_deleted")
    assert entry.object_id == str(refused.pk)
    assert json.loads(entry.before)["materials"] == len(names)


def test_materials_of_a_filed_organization_stay(occupation_catalog, org_user, city_bureau, today):
    organization = filed_organization(org_user, city_bureau, today)
    count = FilingMaterial.objects.filter(case__organization=organization).count()
    assert count
    today("2031-01-01")
    apply_retention(actor=SYSTEM, periods=PERIODS)
    assert FilingMaterial.objects.filter(case__organization=organization).count() == count


def test_the_periods_are_settings_and_the_job_runs_daily(settings):
    import skillcert.supervision.tasks  # noqa: F401  (the worker imports it: registers the job)

    settings.SKILLCERT_RETENTION_DAYS_FAILED_ROSTERS = 10
    settings.SKILLCERT_RETENTION_DAYS_FILING_MATERIALS = 20
    settings.SKILLCERT_RETENTION_DAYS_PHOTOS = 30
    assert RetentionPeriods.from_settings() == RetentionPeriods(10, 20, 30)
    assert PERIODIC["skillcert.supervision.tasks.apply_retention"].every == dt.timedelta(days=1)
