"""The filing's report to the ministry's appraisal center (三 (三): 出具备案回执，报部鉴定中心评估
确认，评估确认的最终结果应及时向社会发布): each filing and revocation goes out once through the
national outbox's sender, by a job after the filing commits; the provincial center records the
answer; a return puts the report back on the reviewing officers' worklist; a confirmation is
published and shown in the catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM
from skillcert.certificates import tasks
from skillcert.certificates.models import FilingReport
from skillcert.certificates.national import filings
from skillcert.certificates.workflow import FILING_REPORT, FilingReportParty
from skillcert.inbox.models import Message
from skillcert.registry.models import Notice, NoticeKind
from skillcert.registry.services import organizations as registry
from skillcert.rules.workflow import SYSTEM as SYSTEM_PARTY
from skillcert.workflow.worklist import worklist
from tests.registry.factories import filed_case

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/national/filing-reports"


class BrokenSender:
    """A sender for which the ministry's system is always down."""

    calls = 0

    def send(self, path: Path, report: object) -> str:
        BrokenSender.calls += 1
        raise ConnectionError("部鉴定中心系统暂时无法连接")


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path, monkeypatch):
    """The storage (and so the default sender's outbox ``national/outbox/``) of each test."""
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.delenv("SKILLCERT_NATIONAL_SENDER", raising=False)
    monkeypatch.delenv("SKILLCERT_NATIONAL_OUTBOX", raising=False)
    BrokenSender.calls = 0
    return tmp_path


def outbox(data_dir: Path) -> list[str]:
    folder = data_dir / "national" / "outbox"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def filed(
    occupation_catalog,
    organization,
    org_user,
    city_bureau,
    today,
    django_capture_on_commit_callbacks,
):
    """合肥's organization filed by the 合肥 bureau; the commit's callbacks run (the job)."""
    with django_capture_on_commit_callbacks(execute=True):
        case = filed_case(organization, org_user, city_bureau, today)
    return case


@pytest.fixture
def report(filed):
    return FilingReport.objects.get(filing=filed)


def test_a_filed_case_is_reported_once_by_the_job_with_the_default_sender(
    filed, organization, data_dir
):
    organization.refresh_from_db()
    reports = FilingReport.objects.filter(organization=organization)
    assert reports.count() == 1
    report = reports.get()
    assert (report.subject, report.round, report.kind) == (f"filing:{filed.pk}", 1, "initial")
    assert report.state == "sent" and report.attempts == 1 and report.sent_at is not None
    assert report.receipt.startswith("outbox:filing-report-")
    # What the default sender wrote: the JSON file in the outbox of the storage.
    assert outbox(data_dir) == [report.file_name]
    written = json.loads((data_dir / "national" / "outbox" / report.file_name).read_text("utf-8"))
    assert written["kind_label"] == "备案"
    assert written["organization"]["name"] == organization.name
    assert written["organization"]["credit_code"] == organization.credit_code
    assert written["organization"]["filing_number"] == organization.filing_number
    assert written["organization"]["valid_until"] == organization.valid_until.isoformat()
    assert written["filing"]["case_number"] == filed.case_number
    assert [item["code"] for item in written["scope_items"]] == [
        item.occupation_code for item in organization.scope_items.order_by("pk")
    ]
    assert written["reported_by"] == "合肥市人社局"
    recorded = AuditEntry.objects.filter(action="certificates.filing_report_recorded")
    assert [e.object_id for e in recorded] == [str(report.pk)]
    assert AuditEntry.objects.filter(action="certificates.filing_report.send").count() == 1


def test_a_second_run_sends_nothing_and_records_nothing(report, data_dir):
    assert tasks.sweep_filing_reports.call() == 0
    assert tasks.send_filing_report.call(report.pk) is False
    assert filings.record_missing() == 0
    assert FilingReport.objects.count() == 1
    report.refresh_from_db()
    assert report.attempts == 1
    assert outbox(data_dir) == [report.file_name]


def test_the_sweep_reports_what_was_filed_without_a_report(report, data_dir):
    """A filed case without a report (filed before this existed) is picked up once."""
    report.delete()
    assert filings.record_missing() == 1
    assert filings.record_missing() == 0
    assert tasks.sweep_filing_reports.call() == 1
    assert FilingReport.objects.get().state == "sent"


def test_the_report_is_not_sent_inside_the_filing_request(
    occupation_catalog, organization, org_user, city_bureau, today
):
    """Without the commit (the callbacks not run) the report waits, recorded: the officer's
    request never calls the sender."""
    case = filed_case(organization, org_user, city_bureau, today)
    assert FilingReport.objects.get(filing=case).state == "pending"


def test_failed_sends_are_retried_a_bounded_number_of_times(
    occupation_catalog, organization, org_user, city_bureau, today, settings
):
    settings.SKILLCERT_NATIONAL_SENDER = f"{__name__}.BrokenSender"
    case = filed_case(organization, org_user, city_bureau, today)
    for _ in range(filings.RETRY_SENDS + 3):
        tasks.sweep_filing_reports.call()
    report = FilingReport.objects.get(filing=case)
    assert report.state == "failed"
    assert report.attempts == filings.RETRY_SENDS == BrokenSender.calls
    assert "ConnectionError" in report.last_error


def test_a_revocation_is_reported(
    report, organization, province_dept, city_bureau, data_dir, django_capture_on_commit_callbacks
):
    organization.refresh_from_db()
    number = organization.filing_number
    with django_capture_on_commit_callbacks(execute=True):
        registry.revoke_organization(
            organization, reason="提供虚假材料。", category="false_materials", actor=city_bureau
        )
    revocation = FilingReport.objects.get(kind="revocation")
    assert revocation.subject == f"revocation:{organization.pk}:{number}"
    assert revocation.state == "sent"
    written = json.loads(
        (data_dir / "national" / "outbox" / revocation.file_name).read_text("utf-8")
    )
    assert written["kind_label"] == "撤销"
    assert written["revocation"]["reason"] == "提供虚假材料"
    assert filings.record_missing() == 0  # once


# --- the answer ------------------------------------------------------------------------------


def test_who_may_read_the_reports(
    report,
    client_for,
    province_center,
    province_dept,
    city_bureau,
    city_center,
    other_city_bureau,
    org_user,
    public_client,
):
    for officer in (province_center, province_dept, city_bureau, city_center):
        listed = client_for(officer).get(REPORTS)
        assert listed.status_code == 200, officer.role
        assert [r["id"] for r in listed.json()["results"]] == [report.pk]
    other = client_for(other_city_bureau)
    assert other.get(REPORTS).json()["results"] == []
    assert other.get(f"{REPORTS}/{report.pk}").status_code == 404
    assert other.post(f"{REPORTS}/{report.pk}/confirm").status_code == 404
    assert client_for(org_user).get(REPORTS).status_code == 403
    assert public_client.get(REPORTS).status_code == 401
    assert public_client.post(f"{REPORTS}/{report.pk}/confirm").status_code == 401


def test_only_the_provincial_center_records_the_answer(
    report, client_for, province_dept, city_bureau, province_center
):
    for officer in (province_dept, city_bureau):
        client = client_for(officer)
        assert client.post(f"{REPORTS}/{report.pk}/confirm").status_code == 403
        assert client.post(f"{REPORTS}/{report.pk}/return", {"reason": "x"}).status_code == 403
    center = client_for(province_center)
    data = center.get(f"{REPORTS}/{report.pk}").json()
    assert {a["action"] for a in data["actions"]} == {"confirm", "return"}
    assert data["next"]["party"] == "province_center"
    assert center.post(f"{REPORTS}/{report.pk}/resend", {"note": "x"}).status_code == 403
    report.refresh_from_db()
    assert report.state == "sent"


def test_a_return_needs_a_reason_and_a_sent_report(report, client_for, province_center):
    center = client_for(province_center)
    for body in ({}, {"reason": "  "}):
        answer = center.post(f"{REPORTS}/{report.pk}/return", body, format="json")
        assert answer.status_code == 400
        assert "reason" in answer.json()["error"]["fields"]
    bad_date = center.post(
        f"{REPORTS}/{report.pk}/confirm", {"answered_on": "2026-13-40"}, format="json"
    )
    assert bad_date.status_code == 400
    report.refresh_from_db()
    assert report.state == "sent" and report.reason == ""
    FilingReport.objects.filter(pk=report.pk).update(state="pending")
    assert center.post(f"{REPORTS}/{report.pk}/confirm").status_code == 409
    assert center.post(f"{REPORTS}/{report.pk}/return", {"reason": "x"}).status_code == 409


def test_confirm_publishes_tells_the_organization_and_shows_in_the_catalog(
    report, organization, client_for, province_center, org_user, public_client, client
):
    catalog = public_client.get("/api/v1/public/organizations").json()["results"]
    assert [(o["id"], o["ministry_confirmed"]) for o in catalog] == [(organization.pk, False)]
    assert (
        '部鉴定中心评估确认：<span class="badge">待确认</span>'
        in client.get("/catalog").content.decode()
    )

    center = client_for(province_center)
    answer = center.post(f"{REPORTS}/{report.pk}/confirm", {}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["state"] == "confirmed"
    assert answer.json()["actions"] == [] and answer.json()["next"] is None
    again = center.post(f"{REPORTS}/{report.pk}/confirm")
    assert again.status_code == 409  # already answered
    assert center.post(f"{REPORTS}/{report.pk}/return", {"reason": "x"}).status_code == 409

    catalog = public_client.get("/api/v1/public/organizations").json()["results"]
    assert catalog[0]["ministry_confirmed"] is True
    assert (
        '部鉴定中心评估确认：<span class="badge ok">已确认</span>'
        in client.get("/catalog").content.decode()
    )
    notice = Notice.objects.get(kind=NoticeKind.FILING_CONFIRMED)
    assert notice.organization_id == organization.pk
    assert organization.name in notice.title and organization.credit_code in notice.body
    public = public_client.get("/api/v1/public/notices").json()["results"]
    assert notice.pk in [n["id"] for n in public]
    message = Message.objects.get(recipient=org_user, event="filing_report.confirmed")
    assert "评估确认" in message.title


def test_a_return_reopens_the_report_for_the_officer_who_corrects_and_resends(
    report,
    filed,
    client_for,
    province_center,
    city_bureau,
    other_city_bureau,
    data_dir,
    django_capture_on_commit_callbacks,
):
    center = client_for(province_center)
    answer = center.post(
        f"{REPORTS}/{report.pk}/return", {"reason": "职业编码与大典不符"}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["state"] == "returned"
    # The filed case stays filed; the officers who filed find the report on their worklist.
    filed.refresh_from_db()
    assert filed.state == "filed"
    items = [i for i in worklist(city_bureau) if i["type"] == "filing_report"]
    assert [(i["id"], i["action"]) for i in items] == [(report.pk, "resend")]
    assert items[0]["title"].startswith("部鉴定中心退回：职业编码与大典不符")
    assert not [i for i in worklist(other_city_bureau) if i["type"] == "filing_report"]
    message = Message.objects.get(recipient=city_bureau, event="filing_report.returned")
    assert "职业编码与大典不符" in message.body

    bureau = client_for(city_bureau)
    assert bureau.post(f"{REPORTS}/{report.pk}/resend", {}, format="json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        resent = bureau.post(
            f"{REPORTS}/{report.pk}/resend", {"note": "已按大典更正职业编码"}, format="json"
        )
    assert resent.status_code == 201, resent.content
    new = resent.json()
    # Answered before the commit: the job sends it once the request's transaction committed.
    assert (new["round"], new["replaces"], new["state"]) == (2, report.pk, "pending")
    assert FilingReport.objects.get(pk=new["id"]).state == "sent"
    assert new["payload"]["correction_note"] == "已按大典更正职业编码"
    report.refresh_from_db()
    assert report.state == "resent"
    assert not [i for i in worklist(city_bureau) if i["type"] == "filing_report"]
    assert bureau.post(f"{REPORTS}/{report.pk}/resend", {"note": "x"}).status_code == 409
    assert len(outbox(data_dir)) == 2
    # The new report waits for the center's answer again.
    assert [i["id"] for i in worklist(province_center) if i["type"] == "filing_report"] == [
        new["id"]
    ]


# --- the workflow, as a table ---------------------------------------------------------------

C, R = FilingReportParty.CENTER, FilingReportParty.REVIEWER
TABLE = {
    # action: (from states, to state(s), parties)
    "send": ({"pending", "failed"}, {"sent", "failed"}, {C, SYSTEM_PARTY}),
    "confirm": ({"sent"}, {"confirmed"}, {C}),
    "return": ({"sent"}, {"returned"}, {C}),
    "resend": ({"returned"}, {"resent"}, {R}),
}


@pytest.mark.parametrize("action", sorted(TABLE))
def test_the_workflow_table(action):
    sources, targets, parties = TABLE[action]
    transition = FILING_REPORT.transition(action)
    assert transition.sources == sources
    assert transition.targets == targets
    assert transition.parties == parties


def test_the_workflow_states_and_waits():
    assert FILING_REPORT.final == {"confirmed", "resent"}
    assert {s: (w.party, w.action) for s, w in FILING_REPORT.waits.items()} == {
        "failed": (C, "send"),
        "sent": (C, "confirm"),
        "returned": (R, "resend"),
    }
    assert {t.action for t in FILING_REPORT.transitions} == set(TABLE)


@pytest.mark.parametrize(
    ("state", "parties", "offered"),
    [
        ("pending", {C}, {"send"}),
        ("failed", {C}, {"send"}),
        ("sent", {C}, {"confirm", "return"}),
        ("sent", {R}, set()),
        ("returned", {R}, {"resend"}),
        ("returned", {C}, set()),
        ("confirmed", {C, R}, set()),
        ("resent", {C, R}, set()),
    ],
)
def test_what_each_party_may_do(state, parties, offered):
    assert {t.action for t in FILING_REPORT.available(state, parties)} == offered


def test_the_system_sends(report):
    FilingReport.objects.filter(pk=report.pk).update(state="failed")
    report.refresh_from_db()
    assert filings.deliver(report, actor=SYSTEM).state == "sent"


# --- the page ----------------------------------------------------------------------------------

PAGE = "/review/national/filing-reports"


def test_the_page_offers_the_workflows_buttons(
    report, client, province_center, city_bureau, org_user, django_capture_on_commit_callbacks
):
    client.force_login(province_center)
    page = client.get(PAGE).content.decode()
    assert "备案报部" in page and f'id="report-{report.pk}"' in page
    assert 'data-action="confirm"' in page and 'data-action="return"' in page
    assert 'data-action="resend"' not in page
    # A return without a reason changes nothing and says why.
    refused = client.post(f"{PAGE}/{report.pk}/return", {"reason": ""})
    assert refused.status_code == 400
    assert "请填写部鉴定中心的退回理由" in refused.content.decode()
    report.refresh_from_db()
    assert report.state == "sent"
    assert client.post(f"{PAGE}/{report.pk}/return", {"reason": "材料不全"}).status_code == 302

    client.force_login(city_bureau)
    page = client.get(PAGE).content.decode()
    assert "部鉴定中心退回：材料不全" in page
    assert 'data-action="resend"' in page and 'data-action="confirm"' not in page
    home = client.get("/dashboard").content.decode()
    assert "部鉴定中心退回：材料不全" in home
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"{PAGE}/{report.pk}/resend", {"note": "已补齐"})
    assert done.status_code == 302
    assert FilingReport.objects.filter(replaces=report).get().state == "sent"

    client.force_login(org_user)
    assert client.get(PAGE).status_code == 403


def test_the_page_says_whether_a_send_failed(
    occupation_catalog,
    organization,
    org_user,
    city_bureau,
    province_center,
    today,
    settings,
    client,
):
    settings.SKILLCERT_NATIONAL_SENDER = f"{__name__}.BrokenSender"
    case = filed_case(organization, org_user, city_bureau, today)  # no job ran: pending
    report = FilingReport.objects.get(filing=case)
    assert report.state == "pending"
    client.force_login(province_center)
    failed = client.post(f"{PAGE}/{report.pk}/send", follow=True).content.decode()
    assert "发送失败（第 1 次）：ConnectionError: 部鉴定中心系统暂时无法连接" in failed
    settings.SKILLCERT_NATIONAL_SENDER = ""
    sent = client.post(f"{PAGE}/{report.pk}/send", follow=True).content.decode()
    assert "：已发送。" in sent and "发送失败（第 2 次）" not in sent
    report.refresh_from_db()
    assert (report.state, report.attempts, report.last_error) == ("sent", 2, "")
