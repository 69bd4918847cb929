"""The demo data tells one consistent story: what ``make run`` prints is what a newcomer finds,
and the records keep to the rules the platform enforces over time (domain.md §8)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.test import Client

from skillcert.accounts.models import User
from skillcert.assessment.access import batches_for
from skillcert.assessment.models import Batch
from skillcert.assessment.models import Inspection as SpotCheck
from skillcert.certificates import national
from skillcert.certificates.models import Certificate
from skillcert.certificates.verification import find_public, public_view
from skillcert.jobs.models import Job
from skillcert.registry.access import filings_for
from skillcert.registry.models import Organization, OrganizationSeal
from skillcert.rules import clock
from skillcert.rules.clock import LOCAL_TZ
from skillcert.supervision.access import inspections_for
from skillcert.supervision.models import AnnualReport, Finding, Inspection, InspectorConflict
from skillcert.supervision.services.inspections import conclude, record_finding

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def files(settings, tmp_path):
    """Each demo writes its files (seals, photos, the national outbox) in a folder of its own."""
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SKILLCERT_KEY_DIR = tmp_path / "keys"
    settings.DATA_DIR.mkdir()


@pytest.fixture
def printed(capsys) -> str:
    """The demo loaded on a set-up instance; what ``skillcert demo`` printed."""
    call_command("setup", "--no-static")
    capsys.readouterr()
    call_command("demo")
    return capsys.readouterr().out


def test_the_demo_s_inspections_fall_inside_their_batches_dates(printed):
    """An on-site check is drawn while its batch can still be inspected, and recorded on a
    day of the assessment (between start_date and end_date)."""
    findings = Finding.objects.filter(inspection__batch__isnull=False).select_related(
        "inspection__batch", "inspection__draw"
    )
    assert findings.exists()
    for finding in findings:
        batch = finding.inspection.batch
        day = finding.recorded_at.astimezone(LOCAL_TZ).date()
        assert batch.start_date <= day <= batch.end_date, (batch.title, day)
    for inspection in Inspection.objects.filter(batch__isnull=False).select_related(
        "batch", "draw"
    ):
        batch, drawn_on = inspection.batch, inspection.draw.business_date
        assert batch.plan_filed_on <= drawn_on <= batch.end_date, (batch.title, drawn_on)
    spot_checks = SpotCheck.objects.select_related("batch")
    assert spot_checks.exists()
    for check in spot_checks:
        assert check.batch.start_date <= check.business_date <= check.batch.end_date


# --- what ``make run`` prints ----------------------------------------------------------------

DAY = r"(\d{4}-\d{2}-\d{2})"


def login_lines(printed: str) -> dict[str, str]:
    """username → the rest of its line (``密码 … 角色：what it finds``)."""
    lines = {}
    for line in printed.splitlines():
        match = re.match(r"^  (\w+)\s+密码 ", line)
        if match:
            lines[match.group(1)] = line[match.end() :]
    return lines


def number(pattern: str, line: str) -> int:
    match = re.search(pattern, line)
    assert match, (pattern, line)
    return int(match.group(1))


def day(pattern: str, line: str) -> dt.date:
    match = re.search(pattern, line)
    assert match, (pattern, line)
    return dt.date.fromisoformat(match.group(1))


def user(username: str) -> User:
    return User.objects.select_related("authority").get(username=username)


def organization(username: str) -> Organization:
    return Organization.objects.get(members__user__username=username)


def check_officers(lines: dict[str, str]) -> None:
    """Each officer's counts are what its own scope holds."""
    dept = user("province_dept")
    waiting = filings_for(dept).filter(authority=dept.authority, state="submitted")
    for label, cases in (
        ("省直渠道申请待受理", waiting.exclude(kind="province_wide")),
        ("市级推荐面向全省待受理", waiting.filter(kind="province_wide")),
    ):
        if cases.exists():
            assert number(rf"{label} (\d+) 件", lines["province_dept"]) == cases.count()
        else:
            assert label not in lines["province_dept"]
    assert number(r"待全国联网上报 (\d+) 项", lines["province_center"]) == (
        national.changes_pending()
    )
    for username in ("hefei_bureau", "wuhu_bureau"):
        bureau, line = user(username), lines[username]
        own = filings_for(bureau).filter(authority=bureau.authority)
        for label, state in (("申请待受理", "submitted"), ("技术评估中", "under_evaluation")):
            count = own.filter(state=state).count()
            assert (number(rf"{label} (\d+) 件", line) if label in line else 0) == count, line
        for name, end in re.findall(rf"备案公示中 1 件（(.+?)，至 {DAY}）", line):
            case = own.get(organization__name=name, state="in_publicity")
            assert case.publicity_end == dt.date.fromisoformat(end) >= clock.today()
        seals = OrganizationSeal.objects.filter(
            state="pending", organization__filing_authority=bureau.authority
        ).count()
        assert (number(r"印章待确认 (\d+) 枚", line) if "印章" in line else 0) == seals
        assert "待办事项见「工作台」" in line
    center = user("hefei_center")
    assert number(r"本市认定批次 (\d+) 个", lines["hefei_center"]) == (batches_for(center).count())


def check_inspectors(lines: dict[str, str]) -> None:
    """The tasks printed are the inspections the inspector finds under 检查任务."""
    for inspector in User.objects.filter(role="inspector"):
        line = lines[inspector.username]
        open_tasks = inspections_for(inspector).filter(state="assigned")
        if open_tasks.exists():
            assert number(r"检查任务 (\d+) 项待完成", line) == open_tasks.count()
            client = Client()
            client.force_login(inspector)
            page = client.get("/inspector/inspections").content.decode()
            for task in open_tasks.select_related("batch", "organization"):
                assert (task.batch.title if task.batch else task.organization.name) in page
        else:
            assert "暂无检查任务" in line
            for conflict in InspectorConflict.objects.filter(inspector=inspector):
                assert conflict.organization.name in line


def check_organizations(lines: dict[str, str]) -> None:
    today = clock.today()
    hefei = organization("org_hefei")
    line = lines["org_hefei"]
    assert day(rf"试点期至 {DAY}", line) == hefei.pilot_until
    assert number(r"认定批次 (\d+) 个", line) == batches_for(user("org_hefei")).count()
    for title, end in re.findall(rf"「([^」]+)」结果公示至 {DAY}", line):
        batch = hefei.batches.get(title=title)
        assert batch.publicity_end == dt.date.fromisoformat(end) >= today
    certificates = Certificate.objects.filter(organization=hefei)
    for label, count in (
        ("补发", certificates.filter(reissue_count__gt=0).count()),
        ("更正", certificates.filter(status="superseded").count()),
        ("撤销", certificates.filter(status="revoked").count()),
    ):
        assert (number(rf"{label} (\d+) 张", line) if label in line else 0) == count
    # The demo's batch print: the line names the batch and the job's real phase.
    job = Job.objects.get(kind="print")
    printed_batch = Batch.objects.get(pk=int(job.subject.split(":")[1]))
    assert printed_batch.organization == hefei
    wording = {"done": "已由后台生成 PDF", "queued": "已排队", "failed": "打印未完成"}
    assert f"「{printed_batch.title}」证书{wording[job.phase]}" in line

    for username in ("org_wuhu", "org_binhu", "org_telecom", "org_chaohu", "org_baohe"):
        line = lines[username]
        case = organization(username).filing_cases.select_related("authority").get()
        if "备案公示至" in line:
            assert case.state == "in_publicity"
            assert day(rf"备案公示至 {DAY}", line) == case.publicity_end >= today
        elif "期满" in line:
            assert case.state == "in_publicity"
            assert day(rf"备案公示已于 {DAY} 期满", line) == case.publicity_end < today
        elif "已提交" in line:
            assert case.state == "submitted"
            assert day(rf"备案申请 {DAY} 已提交", line) == case.submitted_on
            assert day(rf"受理期限 {DAY}", line) == case.acceptance_due
            assert f"已提交{case.authority.name}" in line
        elif "草稿" in line:
            assert case.state == "draft"
            assert number(r"已上传材料 (\d+) 份", line) == case.materials.count()
        else:
            assert f"：{case.get_state_display()}（进度见「我的申请」）" in line, line

    jiujiang, line = organization("org_jiujiang"), lines["org_jiujiang"]
    for title, due in re.findall(rf"「([^」]+)」证书已编号，结果报备期限 {DAY}", line):
        batch = jiujiang.batches.get(title=title)
        assert (batch.state, batch.results_due) == (
            "certificates_issued",
            dt.date.fromisoformat(due),
        )
    assert ("印章待芜湖市人社局确认" in line) == jiujiang.seals.filter(state="pending").exists()
    year = number(r"已报送 (\d+) 年度报告", line)
    assert AnnualReport.objects.filter(organization=jiujiang, year=year).exists()
    assert ("已推荐面向全省" in line) == jiujiang.filing_cases.filter(
        kind="province_wide", state="submitted"
    ).exists()

    revoked = organization("org_revoked")
    assert revoked.status == "revoked"
    assert day(rf"已撤销备案（{DAY}）", lines["org_revoked"]) == revoked.exited_on


def check_certificates(printed: str) -> list[tuple[str, str, str]]:
    """The certificates printed for /verify answer as printed."""
    tried = re.findall(r"证书编号 ([0-9A-Z]{22})  姓名 (\S+)（(\S+)）", printed)
    for number_, name, label in tried:
        record = find_public(number_, name)
        assert public_view(record)["status_label"] == label
        page = Client().get("/verify", {"number": number_, "name": name}).content.decode()
        assert f'data-status="{record.status}"' in page, number_
    return tried


def check_all(printed: str) -> dict[str, str]:
    lines = login_lines(printed)
    assert set(lines) == set(User.objects.values_list("username", flat=True))
    check_officers(lines)
    check_inspectors(lines)
    check_organizations(lines)
    check_certificates(printed)
    return lines


def test_each_printed_login_says_what_the_account_finds(printed):
    lines = check_all(printed)
    # Not vacuous: something to find for the roles that have work.
    assert number(r"检查任务 (\d+) 项待完成", lines["inspector_hefei"]) >= 1
    assert number(r"申请待受理 (\d+) 件", lines["hefei_bureau"]) >= 1
    assert "备案公示中 1 件" in lines["wuhu_bureau"] and "备案公示至" in lines["org_wuhu"]
    assert number(r"待全国联网上报 (\d+) 项", lines["province_center"]) == 2
    tried = check_certificates(printed)
    assert [label for _, _, label in tried] == ["有效", "已撤销"]


def test_the_lines_stay_true_after_the_data_moves_on(printed, today, capsys):
    """A month later, with the inspector's task done, ``skillcert demo`` prints what is
    true then: the ended publicities are no longer announced, the task is gone."""
    inspector = user("inspector_hefei")
    for task in inspections_for(inspector).filter(state="assigned"):
        record_finding(
            task, {"stage": "理论知识考试", "findings": "考场秩序良好。"}, actor=inspector
        )
        conclude(task, {"conclusion": "passed", "note": "符合要求"}, actor=inspector)
    today((clock.today() + dt.timedelta(days=30)).isoformat())
    call_command("demo")
    again = capsys.readouterr().out
    assert "演示数据已存在" in again
    lines = check_all(again)
    assert "暂无检查任务" in lines["inspector_hefei"]
    assert "备案公示至" not in lines["org_wuhu"] and "期满" in lines["org_wuhu"]
    assert "公示期满待备案 1 件" in lines["wuhu_bureau"]
