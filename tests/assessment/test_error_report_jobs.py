"""Error reports of large refused uploads are made by a background job (issue 12).

Above ``reports.REPORT_JOB_ROWS`` rows (patched down here instead of writing 2,000 rows) the
request reserves the token, stores the renderer's input as tagged JSON and queues a job; the
URL is the one the synchronous path gives, and the job's report is the synchronous one, part
for part. While the job waits the URL answers 409 ``report_pending`` (API) or a page saying
so; a failed job answers 404 ``report_failed``; another organization gets 404 as ever.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import os
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from skillcert.assessment import excel
from skillcert.assessment.excel import reports
from skillcert.assessment.models import Batch
from skillcert.audit.models import AuditEntry
from skillcert.jobs.models import Job, JobPhase
from skillcert.jobs.worker import Worker
from skillcert.rules.assessment import RowError
from skillcert.rules.errors import InvalidInput
from tests.assessment import test_excel
from tests.assessment.test_excel import _scores, refused, row, workbook_bytes
from tests.support.pages import client_of, html

pytestmark = pytest.mark.django_db

# The batch of test_excel: a draft of the filed 合肥 organization with one candidate, and the
# same batch with three candidates whose plan is filed, ready for scores.
batch = test_excel.batch
filed_organization = test_excel.filed_organization
scored_batch = test_excel.scored_batch

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
URL = re.compile(r"^/api/v1/batches/(\d+)/(candidates|results)-report/([A-Za-z0-9_-]{43})\.xlsx$")


@pytest.fixture(autouse=True)
def own_storage(settings, tmp_path):
    """A storage of this test's own: the files of earlier tests (same batch ids) are not here."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }


@pytest.fixture
def large(monkeypatch):
    """Uploads of more than three rows are "large": their reports are made by a job."""
    monkeypatch.setattr(reports, "REPORT_JOB_ROWS", 3)


@pytest.fixture
def queue(settings):
    """The queue as in production: a job waits until a worker runs it."""
    settings.TASKS = DB_QUEUE


def run_worker() -> None:
    Worker(burst=True, beat_thread=False, scheduler=False).run()


def mixed_rows() -> list[dict[str, object]]:
    """Bad rows holding every kind of value the reader gives: text, formula-looking text,
    numbers (a numeric ID), booleans, dates, datetimes, times and durations."""
    return [
        row(1),
        row(2, 考生所在地市="上海"),
        row(3, 证件号码=123456789012345678, 工种=dt.date(2026, 3, 4)),
        row(4, 所在单位='=HYPERLINK("http://x.invalid","x")', 申报等级=2.5),
        row(5, 所在单位=dt.datetime(2026, 3, 4, 5, 6, 7), 考生来源=None),
        row(6, 工种=dt.time(8, 30), 所在单位=True),
        row(7, 工种=dt.timedelta(hours=36), 申报等级=7),
    ]


def token_of(error: InvalidInput) -> str:
    match = URL.fullmatch(error.extra["report"])
    assert match is not None, error.extra["report"]
    return match.group(3)


def stored_report(batch: Batch, error: InvalidInput) -> bytes:
    name = excel.report_name(batch, token_of(error))
    assert name is not None
    with default_storage.open(name, "rb") as stream:
        return stream.read()


def folder_files(batch: Batch) -> list[str]:
    try:
        return sorted(default_storage.listdir(f"reports/batch-{batch.pk}")[1])
    except FileNotFoundError:
        return []


def cells(content: bytes) -> dict[str, list[tuple]]:
    """Every cell of every sheet as openpyxl reads it: value, type, fill, font, format, note."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {
        sheet.title: [
            (
                cell.coordinate,
                cell.value,
                cell.data_type,
                cell.fill.fgColor.rgb,
                cell.font.color.rgb if cell.font.color is not None else None,
                cell.number_format,
                cell.comment.text if cell.comment else None,
            )
            for line in sheet.iter_rows()
            for cell in line
        ]
        + [(key, dim.width, dim.number_format) for key, dim in sheet.column_dimensions.items()]
        + [("freeze", sheet.freeze_panes)]
        for sheet in book.worksheets
    }


def parts(content: bytes) -> dict[str, bytes]:
    """The workbook's parts, but for its creation time."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"
        }


def assert_same_report(sync: bytes, queued: bytes) -> None:
    assert cells(queued) == cells(sync)
    assert parts(queued) == parts(sync)


# --- the job renders what the request renders ----------------------------------------------


def test_the_reader_gives_every_kind_of_value_the_test_uses():
    values = [
        v
        for _, line in excel.read_candidate_sheet(workbook_bytes(mixed_rows()))
        for v in line.values()
    ]
    kinds = {type(value) for value in values}
    assert {str, float, bool, dt.date, dt.datetime, dt.time, dt.timedelta} <= kinds


def test_a_large_refused_roster_has_the_same_url_and_report_made_by_a_job(
    batch, org_user, monkeypatch
):
    data = workbook_bytes(mixed_rows())
    sync = refused(batch, data, org_user)
    assert not Job.objects.exists()
    monkeypatch.setattr(reports, "REPORT_JOB_ROWS", 3)
    queued = refused(batch, data, org_user)

    assert queued.extra["rows"] == sync.extra["rows"]
    assert URL.fullmatch(sync.extra["report"]).groups()[:2] == (str(batch.pk), "candidates")
    assert URL.fullmatch(queued.extra["report"]).groups()[:2] == (str(batch.pk), "candidates")
    token = token_of(queued)
    job = Job.objects.get()
    assert (job.kind, job.subject, job.phase) == (
        "error_report",
        f"report:{batch.pk}:{token}",
        JobPhase.DONE,
    )
    assert job.owner == org_user and job.total == 7 and job.done == 7
    assert job.output == f"reports/batch-{batch.pk}/{token}.xlsx"
    assert_same_report(stored_report(batch, sync), stored_report(batch, queued))
    # The input is removed once the report is made: two reports, nothing else.
    assert folder_files(batch) == sorted([f"{token_of(sync)}.xlsx", f"{token}.xlsx"])


def test_a_large_refused_score_sheet_gets_the_same_report_from_a_job(
    scored_batch, org_user, monkeypatch
):
    book = openpyxl.load_workbook(io.BytesIO(excel.results_template(scored_batch)))
    sheet = book.active
    values = [(120, 70), (dt.date(2026, 1, 1), "八十"), (70, 80.125)]
    for line, (theory, skill) in zip(sheet.iter_rows(min_row=2), values, strict=True):
        line[2].value, line[3].value = theory, skill
    sheet.append(["陌生人", "340104199001014441", True, dt.time(9, 0)])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()

    before = _scores(scored_batch)

    def results_refused() -> InvalidInput:
        with pytest.raises(InvalidInput) as caught:
            excel.import_results(scored_batch, data, actor=org_user)
        assert _scores(scored_batch) == before
        return caught.value

    sync = results_refused()
    monkeypatch.setattr(reports, "REPORT_JOB_ROWS", 3)
    queued = results_refused()
    assert URL.fullmatch(queued.extra["report"]).group(2) == "results"
    assert Job.objects.get().phase == JobPhase.DONE
    assert_same_report(stored_report(scored_batch, sync), stored_report(scored_batch, queued))
    assert openpyxl.load_workbook(io.BytesIO(stored_report(scored_batch, queued))).sheetnames == [
        "成绩",
        "错误汇总",
    ]


def test_small_uploads_keep_the_synchronous_path(batch, org_user, monkeypatch):
    monkeypatch.setattr(reports, "REPORT_JOB_ROWS", 7)  # exactly at the limit: in the request
    error = refused(batch, workbook_bytes(mixed_rows()), org_user)
    assert excel.report_name(batch, token_of(error)) is not None
    assert not Job.objects.exists()
    assert folder_files(batch) == [f"{token_of(error)}.xlsx"]


# --- waiting for the job ---------------------------------------------------------------------


def test_a_queued_report_answers_pending_until_a_worker_makes_it(
    batch, org_user, other_org_user, client_for, large, queue, monkeypatch
):
    data = workbook_bytes(mixed_rows())
    audit_before = AuditEntry.objects.count()
    batch_before = Batch.objects.filter(pk=batch.pk).values().get()
    error = refused(batch, data, org_user)
    token = token_of(error)
    # Nothing changed but the stored input and the queued job.
    assert AuditEntry.objects.count() == audit_before
    assert Batch.objects.filter(pk=batch.pk).values().get() == batch_before
    assert folder_files(batch) == [f"{token}.input.json.gz"]
    job = Job.objects.get()
    assert job.phase == JobPhase.QUEUED and job.subject == f"report:{batch.pk}:{token}"
    assert excel.report_status(batch, token).state == "pending"

    url = error.extra["report"]
    pending = client_for(org_user).get(url)
    assert pending.status_code == 409
    assert pending.json() == {
        "error": {
            "code": "report_pending",
            "message": "错误标注文件正在生成，请稍后再下载",
            "fields": {},
        }
    }
    assert client_for(other_org_user).get(url).status_code == 404

    page_url = f"/org/batches/{batch.pk}/reports/candidates/{token}.xlsx"
    page = client_of(org_user).get(page_url)
    assert page.status_code == 409
    assert "错误标注文件正在生成，请稍后再下载" in html(page)
    assert f'href="{page_url}" data-report' in html(page)  # try again, same address
    assert "后台任务处理程序未运行" in html(page)  # no worker beats: the page says so
    assert client_of(other_org_user).get(page_url).status_code == 404

    run_worker()
    job.refresh_from_db()
    assert job.phase == JobPhase.DONE
    got = client_for(org_user).get(url)
    assert got.status_code == 200
    queued = b"".join(got.streaming_content)
    monkeypatch.setattr(reports, "REPORT_JOB_ROWS", 2000)
    sync = refused(batch, data, org_user)
    assert_same_report(stored_report(batch, sync), queued)
    assert client_of(org_user).get(page_url).status_code == 200
    assert client_for(other_org_user).get(url).status_code == 404
    assert f"{token}.input.json.gz" not in folder_files(batch)


def test_the_upload_page_says_the_marked_up_file_is_being_prepared(batch, org_user, large, queue):
    client = client_of(org_user)
    upload = SimpleUploadedFile("名单.xlsx", workbook_bytes(mixed_rows()))
    response = client.post(f"/org/batches/{batch.pk}/candidates", {"file": upload})
    assert response.status_code == 400
    page = html(response)
    link = re.search(r'href="([^"]+)" data-report', page).group(1)
    assert link.startswith(f"/org/batches/{batch.pk}/reports/candidates/")
    assert "data-report-pending" in page and "正在后台生成" in page
    assert client.get(link).status_code == 409
    run_worker()
    assert client.get(link).status_code == 200
    assert list(batch.candidates.values_list("name", flat=True)) == ["原有考生"]


def test_a_report_made_at_once_is_not_said_to_be_prepared(batch, org_user, large):
    client = client_of(org_user)
    upload = SimpleUploadedFile("名单.xlsx", workbook_bytes(mixed_rows()))
    response = client.post(f"/org/batches/{batch.pk}/candidates", {"file": upload})
    page = html(response)
    assert "data-report-pending" not in page and "正在后台生成" not in page
    link = re.search(r'href="([^"]+)" data-report', page).group(1)
    assert client.get(link).status_code == 200


def test_a_failed_job_asks_to_upload_again(batch, org_user, client_for, large, queue):
    error = refused(batch, workbook_bytes(mixed_rows()), org_user)
    token = token_of(error)
    default_storage.delete(f"reports/batch-{batch.pk}/{token}.input.json.gz")
    run_worker()
    job = Job.objects.get()
    assert job.phase == JobPhase.FAILED and job.error == reports.INPUT_GONE
    answer = client_for(org_user).get(error.extra["report"])
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "report_failed"
    assert "请重新上传" in answer.json()["error"]["message"]
    page = client_of(org_user).get(f"/org/batches/{batch.pk}/reports/candidates/{token}.xlsx")
    assert page.status_code == 404 and "错误标注文件生成失败" in html(page)
    assert "请重新上传" in html(page)


def test_a_crashing_renderer_fails_the_job_not_the_request(
    batch, org_user, client_for, large, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(reports, "candidate_error_report", broken)
    error = refused(batch, workbook_bytes(mixed_rows()), org_user)  # immediate: runs inside
    assert Job.objects.get().phase == JobPhase.FAILED
    answer = client_for(org_user).get(error.extra["report"])
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "report_failed"


def test_unknown_and_foreign_tokens_stay_404(batch, org_user, client_for, large, queue):
    error = refused(batch, workbook_bytes(mixed_rows()), org_user)
    token = token_of(error)
    other = Batch.objects.get(pk=batch.pk)
    other.pk = batch.pk + 1000
    assert excel.report_status(other, token).state == "missing"
    for bad in ("x" * 43, "../" + token, ""):
        assert excel.report_status(batch, bad).state == "missing"
    answer = client_for(org_user).get(
        f"/api/v1/batches/{batch.pk}/candidates-report/{'x' * 43}.xlsx"
    )
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"


# --- the stored input --------------------------------------------------------------------------


def test_the_input_is_tagged_json_and_gives_back_every_value():
    aware = dt.datetime(2026, 3, 4, 5, 6, 7, 890, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    values: dict[str, object] = {
        "text": "=1+1",
        "empty": "",
        "none": None,
        "yes": True,
        "no": False,
        "int": 123456789012345678901,
        "float": 0.1 + 0.2,
        "whole": 5.0,
        "nan": float("nan"),
        "inf": float("-inf"),
        "decimal": Decimal("1.20"),
        "date": dt.date(2026, 3, 4),
        "datetime": dt.datetime(2026, 3, 4, 5, 6, 7, 250000),
        "aware": aware,
        "time": dt.time(8, 30, 1),
        "duration": dt.timedelta(days=1, seconds=5, microseconds=7),
    }
    rows = [(2, values), (9, {"text": "乙"})]  # a row without some columns stays without them
    errors = [RowError(2, "text", "错误"), RowError(9, "none", "为空")]
    data = reports.encode_input(
        ["text", "", "none"], rows, errors, header_row=1, sheet_name="表", text_columns=("text",)
    )
    document = json.loads(gzip.decompress(data))
    assert document["format"] == "skillcert-error-report-input" and document["version"] == 1
    stored = document["rows"][0][1]
    assert stored["text"] == "=1+1" and stored["yes"] is True and stored["none"] is None
    assert stored["date"] == {"date": "2026-03-04"} and stored["whole"] == {"float": "5.0"}
    assert b"pickle" not in data and not data.startswith(b"\x80")

    header, back, back_errors, arguments = reports.decode_input(data)
    assert header == ["text", "", "none"] and back_errors == errors
    assert arguments == {"header_row": 1, "sheet_name": "表", "text_columns": ["text"]}
    assert [number for number, _ in back] == [2, 9] and back[1][1] == {"text": "乙"}
    got = back[0][1]
    for name, value in values.items():
        if name == "nan":
            assert got[name] != got[name]
            continue
        assert got[name] == value and type(got[name]) is type(value), name
    assert got["aware"].utcoffset() == dt.timedelta(hours=8)


def test_an_input_not_written_by_encode_input_is_refused():
    for document in (
        {"format": "other", "version": 1},
        {"format": "skillcert-error-report-input", "version": 2},
    ):
        with pytest.raises(ValueError):
            reports.decode_input(gzip.compress(json.dumps(document).encode()))
    bad = {
        "format": "skillcert-error-report-input",
        "version": 1,
        "header": [],
        "header_row": 1,
        "sheet_name": "x",
        "text_columns": [],
        "rows": [[2, {"a": {"pickle": "x"}}]],
        "errors": [],
    }
    with pytest.raises(ValueError):
        reports.decode_input(gzip.compress(json.dumps(bad).encode()))
    bad["rows"] = [[2, {"a": 5}]]  # an untagged number
    with pytest.raises(ValueError):
        reports.decode_input(gzip.compress(json.dumps(bad).encode()))


def test_old_inputs_and_jobs_are_pruned_with_the_reports(batch, org_user, large, queue):
    old = refused(batch, workbook_bytes(mixed_rows()), org_user)
    old_token = token_of(old)
    run_worker()
    stale = refused(batch, workbook_bytes(mixed_rows()), org_user)  # stays queued
    stale_input = f"reports/batch-{batch.pk}/{token_of(stale)}.input.json.gz"
    assert default_storage.exists(stale_input)
    long_ago = (timezone.now() - reports.REPORT_MAX_AGE - dt.timedelta(hours=1)).timestamp()
    for name in folder_files(batch):
        os.utime(default_storage.path(f"reports/batch-{batch.pk}/{name}"), (long_ago, long_ago))
    Job.objects.update(updated=timezone.now() - reports.REPORT_MAX_AGE - dt.timedelta(hours=1))
    Job.objects.filter(subject__endswith=token_of(stale)).update(
        created=timezone.now() - reports.REPORT_MAX_AGE - dt.timedelta(hours=1)
    )

    fresh = excel.save_report(batch, b"a new report")
    assert folder_files(batch) == [f"{fresh}.xlsx"]
    # The finished job went with its report; the stale queued one is no longer "pending".
    assert not Job.objects.filter(subject__endswith=old_token).exists()
    assert excel.report_status(batch, old_token).state == "missing"
    assert excel.report_status(batch, token_of(stale)).state == "missing"
    run_worker()  # the stale job finds no input: it fails, and says why
    failed = Job.objects.get(subject__endswith=token_of(stale))
    assert failed.phase == JobPhase.FAILED and failed.error == reports.INPUT_GONE
