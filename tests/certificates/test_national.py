"""National query system: 附件5 exports per batch and per period, the outbox, who may report.

The routes are added here in a test-only URLconf (``urlpatterns`` below, ahead of the
product's), so the tests run whether or not ``skillcert.api.urls`` lists them yet.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.urls import include, path
from openpyxl import load_workbook

from skillcert.accounts.services import add_user
from skillcert.api.certificates import national as national_api
from skillcert.api.routing import route
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM
from skillcert.certificates import national
from skillcert.certificates.annex5 import HEADER
from skillcert.certificates.models import (
    Certificate,
    NationalChangeItem,
    NationalExport,
    NationalExportItem,
)
from skillcert.certificates.services import lifecycle
from skillcert.certificates.services.issuing import issue_batch
from tests.assessment.factories import batch_in, filed_organization, issued
from tests.conftest import PASSWORD

urlpatterns = [
    route(
        r"api/v1/national/exports",
        national_api.NationalExportListView.as_view(),
        "national-exports",
    ),
    route(
        r"api/v1/national/exports/(?P<pk>\d+)",
        national_api.NationalExportDetailView.as_view(),
        "national-export",
    ),
    route(
        r"api/v1/national/exports/(?P<pk>\d+)\.xlsx",
        national_api.NationalExportFileView.as_view(),
        "national-export-xlsx",
    ),
    route(
        r"api/v1/national/exports/(?P<pk>\d+)/send",
        national_api.NationalExportSendView.as_view(),
        "national-export-send",
    ),
    path("", include("skillcert.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

EXPORTS = "/api/v1/national/exports"
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-20"}


class FlakySender:
    """A sender that fails while ``failing`` is set (the national system being down)."""

    failing = True
    calls: list[str] = []

    def send(self, path: Path, export: NationalExport) -> str:
        FlakySender.calls.append(path.name)
        if FlakySender.failing:
            raise ConnectionError("全国系统暂时无法连接")
        return f"flaky:{export.pk}"


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path, monkeypatch):
    """Files of each test in a folder of its own; the default sender and outbox."""
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path  # the file storage: exports under national/
    monkeypatch.delenv("SKILLCERT_NATIONAL_SENDER", raising=False)
    monkeypatch.delenv("SKILLCERT_NATIONAL_OUTBOX", raising=False)
    FlakySender.failing = True
    FlakySender.calls = []
    return tmp_path


@pytest.fixture
def organization(occupation_catalog, org_user, city_bureau, today):
    return filed_organization(org_user, city_bureau, today)


@pytest.fixture
def batch(organization, org_user, province_center, today):
    """Five certificates numbered on 2026-11-11 (合肥), looked at on 2026-11-20."""
    batch = issued(organization, org_user, province_center, today)
    today("2026-11-20")
    return batch


@pytest.fixture
def second_batch(batch, organization, org_user, today):
    """Another five certificates of the same organization, also numbered on 2026-11-11."""
    other = batch_in("publicity_closed", organization, org_user, today)
    issue_batch(other, actor=org_user)
    today("2026-11-20")
    return other


@pytest.fixture
def other_city_center(authorities):
    return add_user(
        "wh_center", password=PASSWORD, role="city_center", authority="02", actor=SYSTEM
    )


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.xlsx")) if folder.exists() else []


def exported(export: NationalExport) -> set[str]:
    return set(
        Certificate.objects.filter(national_item__export=export).values_list("number", flat=True)
    )


def read_xlsx(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def state():
    return (
        NationalExport.objects.count(),
        NationalExportItem.objects.count(),
        AuditEntry.objects.count(),
    )


# Per batch and per period -------------------------------------------------------------------


def test_batch_export_holds_its_valid_certificates_once(batch, province_center, data_dir):
    export = national.prepare_export(batch=batch, actor=province_center)
    numbers = set(Certificate.objects.filter(batch=batch).values_list("number", flat=True))
    assert (export.kind, export.key, export.state) == ("batch", f"batch:{batch.pk}", "pending")
    assert export.certificate_count == 5 and exported(export) == numbers
    assert export.created_by == province_center and export.created_by_name == "prov_center"
    assert files(data_dir / "national") == [export.file_name]
    assert export.file_name == f"annex5-{export.pk:06d}-batch-{batch.pk}.xlsx"
    rows = read_xlsx((data_dir / "national" / export.file_name).read_bytes())
    assert rows[0] == list(HEADER) and len(rows[0]) == 12
    assert sorted(row[7] for row in rows[1:]) == sorted(numbers)
    entry = AuditEntry.objects.get(action="certificates.national_export_prepared")
    assert entry.object_id == str(export.pk)

    again = national.prepare(batch=batch.pk, actor=province_center)
    assert not again.created and again.export.pk == export.pk
    assert files(data_dir / "national") == [export.file_name]  # one file
    assert NationalExport.objects.count() == 1
    assert AuditEntry.objects.filter(action="certificates.national_export_prepared").count() == 1


def test_an_export_larger_than_a_chunk_holds_every_certificate(
    batch, second_batch, org_user, province_dept, data_dir, monkeypatch
):
    """Ids are fetched and items written a chunk at a time (a year's export holds a million):
    10 certificates in chunks of 3, a last chunk of 1; the changes export likewise."""
    monkeypatch.setattr("skillcert.certificates.national.exports.ITEM_CHUNK", 3)
    export = national.prepare_export(
        period=national.parse_period("2026-11-01", "2026-11-20"), actor=province_dept
    )
    numbers = set(Certificate.objects.values_list("number", flat=True))
    assert export.certificate_count == 10 and exported(export) == numbers
    rows = read_xlsx((data_dir / "national" / export.file_name).read_bytes())
    assert sorted(row[7] for row in rows[1:]) == sorted(numbers)

    for certificate in Certificate.objects.order_by("number")[:4]:
        lifecycle.revoke_certificate(certificate, reason="考生资格不符", actor=org_user)
    changes = national.prepare_export(changes=True, actor=province_dept)
    assert changes.certificate_count == 4 == NationalChangeItem.objects.count()
    assert len(change_rows(changes, data_dir)) == 5


def test_revoked_certificates_are_not_exported(batch, org_user, province_center):
    revoked = Certificate.objects.filter(batch=batch).order_by("number").first()
    lifecycle.revoke_certificate(revoked, reason="考生资格不符", actor=org_user)
    export = national.prepare_export(batch=batch, actor=province_center)
    assert export.certificate_count == 4 and revoked.number not in exported(export)


def test_period_after_batch_lists_each_certificate_once(batch, second_batch, province_dept):
    first = national.prepare_export(batch=batch, actor=province_dept)
    period = national.prepare_export(
        period=national.parse_period("2026-11-01", "2026-11-20"), actor=province_dept
    )
    assert period.key == "period:2026-11-01:2026-11-20" and period.kind == "period"
    assert exported(period) == set(
        Certificate.objects.filter(batch=second_batch).values_list("number", flat=True)
    )
    assert not exported(first) & exported(period)
    assert NationalExportItem.objects.count() == Certificate.objects.count() == 10
    # Every certificate is reported now: another period or the second batch has nothing left.
    with pytest.raises(national.Conflict) as refused:
        national.prepare_export(
            period=national.parse_period("2026-11-11", "2026-11-11"), actor=province_dept
        )
    assert refused.value.code == "nothing_to_report"
    with pytest.raises(national.Conflict):
        national.prepare_export(batch=second_batch, actor=province_dept)
    # The same period again is the same entry.
    again = national.prepare(
        period=national.parse_period("2026-11-01", "2026-11-20"), actor=province_dept
    )
    assert not again.created and again.export.pk == period.pk


def test_a_certificate_belongs_to_one_export_only(batch, province_center):
    export = national.prepare_export(batch=batch, actor=province_center)
    other = NationalExport.objects.create(
        kind="period",
        key="period:2026-11-11:2026-11-11",
        period_from="2026-11-11",
        period_to="2026-11-11",
        file_name="x.xlsx",
        sha256="0" * 64,
        certificate_count=1,
        created_by_name="test",
    )
    item = export.items.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        NationalExportItem.objects.create(export=other, certificate_id=item.certificate_id)


def test_a_race_for_the_same_certificates_is_a_clean_conflict(
    batch, province_center, monkeypatch, data_dir
):
    first = national.prepare_export(batch=batch, actor=province_center)
    # As if another export had taken these certificates between the selection and the insert.
    monkeypatch.setattr(national.exports, "_reportable", lambda: Certificate.objects.all())
    before = state()
    with pytest.raises(national.Conflict) as refused:
        national.prepare_export(
            period=national.parse_period("2026-11-01", "2026-11-20"), actor=province_center
        )
    assert refused.value.code == "concurrent_export"
    assert state() == before and files(data_dir / "national") == [first.file_name]


def test_a_failure_after_the_file_was_written_removes_it(
    batch, province_center, monkeypatch, data_dir
):
    def broken(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(national.audit, "record", broken)
    with pytest.raises(RuntimeError):
        national.prepare_export(batch=batch, actor=province_center)
    assert NationalExport.objects.count() == 0 and files(data_dir / "national") == []


# The API --------------------------------------------------------------------------------------


def test_api_export_send_and_download(batch, second_batch, client_for, province_center, data_dir):
    client = client_for(province_center)
    created = client.post(EXPORTS, {"batch": batch.pk}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["certificate_count"] == 5 and body["state"] == "pending"
    assert body["file"] == f"/api/v1/national/exports/{body['id']}.xlsx"
    again = client.post(EXPORTS, {"batch": batch.pk}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]

    period = client.post(EXPORTS, NOVEMBER, format="json")
    assert period.status_code == 201 and period.json()["certificate_count"] == 5

    download = client.get(f"{EXPORTS}/{body['id']}.xlsx")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_xlsx(b"".join(download.streaming_content))
    assert rows[0] == list(HEADER) and len(rows) == 6 and all(len(r) == 12 for r in rows)

    sent = client.post(f"{EXPORTS}/{body['id']}/send")
    assert sent.status_code == 200, sent.json()
    assert sent.json()["sent_now"] is True
    export = sent.json()["export"]
    assert export["state"] == "sent" and export["sent_at"] and export["attempts"] == 1
    assert export["sender"] == national.DEFAULT_SENDER
    assert export["receipt"].startswith("outbox:")
    outbox = data_dir / "national" / "outbox"
    assert files(outbox) == [body["file_name"]]
    twice = client.post(f"{EXPORTS}/{body['id']}/send")
    assert twice.status_code == 200 and twice.json()["sent_now"] is False
    assert "未重复发送" in twice.json()["message"]
    assert twice.json()["export"]["attempts"] == 1
    assert files(outbox) == [body["file_name"]]  # never a second copy
    assert AuditEntry.objects.filter(action="certificates.national_export_sent").count() == 1

    listed = client.get(EXPORTS).json()
    assert listed["count"] == 2 and {r["kind"] for r in listed["results"]} == {"batch", "period"}
    assert [r["id"] for r in client.get(EXPORTS, {"state": "sent"}).json()["results"]] == [
        body["id"]
    ]
    assert client.get(f"{EXPORTS}/{body['id']}").json()["state"] == "sent"


def test_failing_sender_marks_failed_and_retry_works(batch, client_for, province_center, settings):
    settings.SKILLCERT_NATIONAL_SENDER = f"{__name__}.FlakySender"
    client = client_for(province_center)
    pk = client.post(EXPORTS, {"batch": batch.pk}, format="json").json()["id"]
    failed = client.post(f"{EXPORTS}/{pk}/send")
    assert failed.status_code == 502
    error = failed.json()["error"]
    assert error["code"] == "send_failed" and "全国系统暂时无法连接" in error["message"]
    export = NationalExport.objects.get(pk=pk)
    assert (export.state, export.attempts, export.sent_at) == ("failed", 1, None)
    assert "ConnectionError" in export.last_error
    assert AuditEntry.objects.filter(action="certificates.national_export_send_failed").exists()

    FlakySender.failing = False
    retried = client.post(f"{EXPORTS}/{pk}/send")
    assert retried.status_code == 200 and retried.json()["sent_now"] is True
    export.refresh_from_db()
    assert (export.state, export.attempts, export.receipt, export.last_error) == (
        "sent",
        2,
        f"flaky:{pk}",
        "",
    )
    assert client.post(f"{EXPORTS}/{pk}/send").json()["sent_now"] is False
    assert len(FlakySender.calls) == 2  # the third request did not call the sender


def test_a_tampered_or_missing_file_is_not_sent(batch, province_center, data_dir):
    export = national.prepare_export(batch=batch, actor=province_center)
    (data_dir / "national" / export.file_name).write_bytes(b"not the export")
    with pytest.raises(national.SendFailed):
        national.send(export, actor=province_center)
    (data_dir / "national" / export.file_name).unlink()
    with pytest.raises(national.SendFailed):
        national.send(export, actor=province_center)
    export.refresh_from_db()
    assert (export.state, export.attempts) == ("failed", 2)
    assert files(data_dir / "national" / "outbox") == []


def test_folder_sender_is_idempotent_and_never_overwrites(batch, province_center, data_dir):
    export = national.prepare_export(batch=batch, actor=province_center)
    source = Path(default_storage.path(national.export_name(export)))
    sender = national.FolderSender(data_dir / "box")
    first = sender.send(source, export)
    assert sender.send(source, export) == first
    assert files(data_dir / "box") == [export.file_name]
    assert [p.name for p in (data_dir / "box").iterdir()] == [export.file_name]  # no temp left
    (data_dir / "box" / export.file_name).write_bytes(b"something else")
    with pytest.raises(FileExistsError):
        sender.send(source, export)
    assert (data_dir / "box" / export.file_name).read_bytes() == b"something else"


def test_outbox_from_the_environment(batch, province_center, monkeypatch, tmp_path):
    monkeypatch.setenv("SKILLCERT_NATIONAL_OUTBOX", str(tmp_path / "elsewhere"))
    export = national.send(
        national.prepare_export(batch=batch, actor=province_center), actor=province_center
    )
    assert export.state == "sent" and files(tmp_path / "elsewhere") == [export.file_name]


@pytest.mark.parametrize(
    ("persona", "listing", "by_batch", "by_period"),
    [
        ("province_center", 200, 201, 201),
        ("province_dept", 200, 201, 201),
        ("city_center", 200, 201, 403),
        ("other_city_center", 200, 404, 403),
        ("city_bureau", 403, 403, 403),
        ("other_city_bureau", 403, 403, 403),
        ("inspector", 403, 403, 403),
        ("admin_user", 403, 403, 403),
        ("org_user", 403, 403, 403),
        ("other_org_user", 403, 403, 403),
    ],
)
def test_who_may_report(
    request, batch, second_batch, client_for, persona, listing, by_batch, by_period
):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(EXPORTS).status_code == listing
    before = state()
    response = client.post(EXPORTS, {"batch": batch.pk}, format="json")
    assert response.status_code == by_batch, response.json()
    if by_batch != 201:
        assert state() == before
    before = state()
    assert client.post(EXPORTS, NOVEMBER, format="json").status_code == by_period
    if by_period != 201:
        assert state() == before


def test_city_center_sees_its_city_batches_only(
    batch, client_for, city_center, other_city_center, province_center
):
    period = national.prepare_export(
        period=national.parse_period("2026-11-01", "2026-11-20"), actor=province_center
    )
    own = client_for(city_center)
    assert own.get(EXPORTS).json()["count"] == 0  # a province-wide period is not its
    assert own.get(f"{EXPORTS}/{period.pk}").status_code == 404
    assert own.get(f"{EXPORTS}/{period.pk}.xlsx").status_code == 404
    assert own.post(f"{EXPORTS}/{period.pk}/send").status_code == 404
    assert NationalExport.objects.get(pk=period.pk).state == "pending"
    # Nothing left for the batch (the period took it): 409, and nothing made.
    assert own.post(EXPORTS, {"batch": batch.pk}, format="json").status_code == 409
    other = client_for(other_city_center)
    assert other.get(EXPORTS).json()["count"] == 0


def test_city_center_reports_its_batch(batch, client_for, city_center, other_city_center):
    own = client_for(city_center)
    created = own.post(EXPORTS, {"batch": batch.pk}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert [r["id"] for r in own.get(EXPORTS).json()["results"]] == [pk]
    assert own.post(f"{EXPORTS}/{pk}/send").json()["export"]["state"] == "sent"
    other = client_for(other_city_center)
    assert other.get(f"{EXPORTS}/{pk}").status_code == 404
    assert other.get(f"{EXPORTS}/{pk}.xlsx").status_code == 404


def test_public_needs_to_log_in(batch, public_client):
    assert public_client.get(EXPORTS).status_code == 401
    assert public_client.post(EXPORTS, {"batch": batch.pk}, format="json").status_code == 401
    assert public_client.post(f"{EXPORTS}/1/send").status_code == 401
    assert public_client.get(f"{EXPORTS}/1.xlsx").status_code == 401
    assert NationalExport.objects.count() == 0


def test_organizations_cannot_read_an_export(batch, client_for, org_user, province_center):
    export = national.prepare_export(batch=batch, actor=province_center)
    client = client_for(org_user)
    assert client.get(f"{EXPORTS}/{export.pk}").status_code == 403
    assert client.get(f"{EXPORTS}/{export.pk}.xlsx").status_code == 403
    assert client.post(f"{EXPORTS}/{export.pk}/send").status_code == 403
    assert NationalExport.objects.get(pk=export.pk).state == "pending"


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({"batch": 999999}, 404, None),
        ({"batch": "abc"}, 400, "batch"),
        ({"batch": 0}, 400, "batch"),
        ({"batch": True}, 400, "batch"),
        ({}, 400, "batch"),
        ({"batch": 1, "from": "2026-11-01", "to": "2026-11-20"}, 400, "batch"),
        ({"from": "2026-11-20", "to": "2026-11-01"}, 400, "to"),
        ({"from": "2026-11-01"}, 400, "to"),
        ({"from": "2026-13-01", "to": "2026-11-20"}, 400, "from"),
        ({"from": "20261101", "to": "2026-11-20"}, 400, "from"),
        ({"from": "2026-11-01", "to": "2026-11-31"}, 400, "to"),
        ({"from": "2026-11-01", "to": "2026-12-31"}, 400, "to"),  # after today
        ({"from": "2026-01-01", "to": "2026-01-31"}, 409, None),  # nothing issued then
    ],
)
def test_bad_input_creates_nothing(batch, client_for, province_center, data_dir, data, code, field):
    client = client_for(province_center)
    before = state()
    response = client.post(EXPORTS, data, format="json")
    assert response.status_code == code, response.json()
    error = response.json()["error"]
    assert error["message"] and error["code"]
    if field:
        assert field in error["fields"]
    assert state() == before and files(data_dir / "national") == []


def test_unknown_export(batch, client_for, province_center):
    client = client_for(province_center)
    assert client.get(f"{EXPORTS}/999").status_code == 404
    assert client.post(f"{EXPORTS}/999/send").status_code == 404
    assert client.get(f"{EXPORTS}/999.xlsx").status_code == 404


# The command ------------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("national", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_command_export_send_and_list(batch, second_batch, data_dir):
    made = run("export", "--batch", str(batch.pk))
    assert "已生成上报文件" in made and "证书 5 本" in made and "待发送" in made
    assert "未重复生成" in run("export", "--batch", str(batch.pk))
    both = run("export", "--from", "2026-11-01", "--to", "2026-11-20", "--send")
    assert "证书 5 本" in both and "已发送" in both
    sent = run("send", "--all-pending")
    assert "已发送" in sent and NationalExport.objects.filter(state="sent").count() == 2
    assert "没有待发送的上报" in run("send", "--all-pending")
    assert "未重复发送" in run("send", str(NationalExport.objects.first().pk))
    listing = run("list")
    assert listing.count("已发送") >= 2 and "cli:" in listing
    assert len(files(data_dir / "national" / "outbox")) == 2
    assert (
        AuditEntry.objects.filter(
            action="certificates.national_export_prepared", actor__startswith="cli:"
        ).count()
        == 2
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("export", "--batch", "999999"), "未找到该认定批次"),
        (("export", "--batch", "x"), "批次编号应为正整数"),
        (("export",), "三选一"),
        (("export", "--batch", "1", "--from", "2026-11-01"), "三选一"),
        (("export", "--from", "2026-11-01", "--to", "2026-11-3"), "YYYY-MM-DD"),
        (("export", "--from", "2026-11-20", "--to", "2026-11-01"), "不能早于起始日期"),
        (("export", "--from", "2026-11-01"), "请填写日期"),
        (("export", "--from", "2026-01-01", "--to", "2026-01-31"), "没有可上报的证书"),
        (("send",), "二选一"),
        (("send", "abc"), "应为正整数"),
        (("send", "999"), "未找到该上报记录"),
    ],
)
def test_command_bad_input(batch, data_dir, args, message):
    before = state()
    with pytest.raises(CommandError) as error:
        run(*args)
    assert message in str(error.value)
    assert state() == before and files(data_dir / "national") == []


def test_command_failed_send_exits_non_zero_and_retries(batch, settings):
    settings.SKILLCERT_NATIONAL_SENDER = f"{__name__}.FlakySender"
    run("export", "--batch", str(batch.pk))
    with pytest.raises(CommandError, match="发送失败"):
        run("send", "--all-pending")
    assert NationalExport.objects.get().state == "failed"
    FlakySender.failing = False
    assert "已发送" in run("send", "--all-pending")
    assert NationalExport.objects.get().attempts == 2


# Status changes of reported certificates ------------------------------------------------------


def change_rows(export: NationalExport, data_dir: Path) -> list[list]:
    return read_xlsx((data_dir / "national" / export.file_name).read_bytes())


def test_revocations_and_corrections_after_reporting_are_reported_once(
    batch, org_user, province_center, data_dir
):
    reported = national.prepare_export(batch=batch, actor=province_center)
    first, second, third = Certificate.objects.filter(batch=batch).order_by("number")[:3]
    lifecycle.revoke_certificate(first, reason="考生资格不符", actor=org_user)
    newer = lifecycle.correct_certificate(
        second, {"name": "王更正", "reason": "姓名录入错误"}, actor=org_user
    )
    lifecycle.reissue_certificate(
        third, reason="证书遗失", actor=org_user
    )  # same number: no change
    assert national.changes_pending() == 2

    changes = national.prepare_export(changes=True, actor=province_center)
    assert (changes.kind, changes.certificate_count) == ("changes", 2)
    assert changes.file_name == f"changes-{changes.pk:06d}.xlsx" and changes.key.startswith(
        "changes:"
    )
    rows = change_rows(changes, data_dir)
    assert rows[0][0] == "证书编号" and len(rows[0]) == 11
    by_number = {row[0]: row for row in rows[1:]}
    assert set(by_number) == {first.number, second.number}
    assert by_number[first.number][7:10] == ["撤销", "2026-11-20", "考生资格不符"]
    assert by_number[second.number][7] == "更正" and by_number[second.number][10] == newer.number
    assert all(isinstance(value, str) for row in rows[1:] for value in row if value is not None)
    assert national.changes_pending() == 0

    # Asking again: nothing new to report, nothing written.
    before = state()
    with pytest.raises(national.Conflict) as refused:
        national.prepare(changes=True, actor=province_center)
    assert refused.value.code == "nothing_to_report" and state() == before
    # The replacement is a new valid certificate: it goes out with a period export, once.
    period = national.prepare_export(
        period=(reported.created_at.date().replace(day=1), newer.issued_on),
        actor=province_center,
    )
    assert exported(period) == {newer.number}


def test_changes_of_certificates_never_reported_are_not_sent_as_changes(
    batch, org_user, province_center
):
    revoked = Certificate.objects.filter(batch=batch).order_by("number").first()
    lifecycle.revoke_certificate(revoked, reason="考生资格不符", actor=org_user)
    assert national.changes_pending() == 0
    with pytest.raises(national.Conflict):
        national.prepare(changes=True, actor=province_center)


def test_only_the_province_reports_changes(
    batch, org_user, province_center, province_dept, city_center, client_for, data_dir
):
    national.prepare_export(batch=batch, actor=province_center)
    revoked = Certificate.objects.filter(batch=batch).order_by("number").first()
    lifecycle.revoke_certificate(revoked, reason="考生资格不符", actor=org_user)
    city, organization, province = (
        client_for(user) for user in (city_center, org_user, province_dept)
    )
    before = state()
    response = city.post(EXPORTS, {"changes": True}, format="json")
    assert response.status_code == 403 and state() == before
    response = organization.post(EXPORTS, {"changes": True}, format="json")
    assert response.status_code == 403 and state() == before
    for bad in ({"changes": "yes"}, {"changes": True, "batch": batch.pk}):
        response = province.post(EXPORTS, bad, format="json")
        assert response.status_code == 400 and state() == before
    response = province.post(EXPORTS, {"changes": True}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "changes" and body["certificate_count"] == 1
    # A city center does not see the province's change reports.
    listing = city.get(EXPORTS).json()
    assert body["id"] not in {item["id"] for item in listing["results"]}
    sent = province.post(f"{EXPORTS}/{body['id']}/send")
    assert sent.status_code == 200 and sent.json()["sent_now"]
    again = province.post(f"{EXPORTS}/{body['id']}/send")
    assert again.status_code == 200 and not again.json()["sent_now"]


def test_command_reports_changes(batch, org_user, province_center, data_dir, capsys):
    national.prepare_export(batch=batch, actor=province_center)
    revoked = Certificate.objects.filter(batch=batch).order_by("number").first()
    lifecycle.revoke_certificate(revoked, reason="考生资格不符", actor=org_user)
    call_command("national", "export", "--changes", "--send")
    out = capsys.readouterr().out
    assert "证书状态变更" in out and "已发送" in out
    with pytest.raises(CommandError, match="没有可上报的状态变更"):
        call_command("national", "export", "--changes")
    with pytest.raises(CommandError, match="三选一"):
        call_command("national", "export", "--changes", "--batch", str(batch.pk))
