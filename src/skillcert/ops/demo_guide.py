"""What ``skillcert demo`` prints: each demo login with what that account finds now, and
certificates to try the public verification with.

Every fact is read from the records when the lines are printed, never written down in
advance, so the lines stay true whatever the newcomer has done since; what changes with time
is given with its date, and each line says where in the pages to look.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from skillcert.accounts.models import User
from skillcert.assessment.access import batches_for
from skillcert.assessment.models import Batch
from skillcert.assessment.workflow import BatchState
from skillcert.certificates import national, printing
from skillcert.certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateStatus,
    SegmentRequest,
    SegmentRequestState,
)
from skillcert.jobs.models import Job, JobPhase
from skillcert.ops.demo import DEMO_PASSWORD, OFFICERS, ORGANIZATIONS
from skillcert.registry.models import (
    FilingCase,
    Organization,
    OrganizationSeal,
    OrganizationStatus,
    SealState,
)
from skillcert.registry.workflow import FilingKind, FilingState
from skillcert.rules import clock
from skillcert.supervision.models import AnnualReport, InspectionState, InspectorConflict

WORK = "待办事项见「工作台」"
MY_CASES = "进度见「我的申请」"


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(username, password, role, what the account finds) for every demo login present."""
    today = clock.today()
    users = {
        u.username: u for u in User.objects.select_related("authority", "membership__organization")
    }
    rows: list[tuple[str, str, str, str]] = []
    for login in OFFICERS:
        user = users.get(login.username)
        if user is not None:
            found = _OFFICER_NOTES.get(user.role, lambda _u, _d: "")(user, today)
            note = f"{login.note}；{found}" if found else login.note
            rows.append((login.username, DEMO_PASSWORD, user.role_label, note))
    for item in ORGANIZATIONS:
        user = users.get(item.username)
        if user is not None and hasattr(user, "membership"):
            note = organization_note(user.membership.organization, today)
            rows.append((item.username, DEMO_PASSWORD, "评价组织", f"{item.name}：{note}"))
    return rows


def certificates_to_verify() -> list[tuple[str, str, str]]:
    """(number, holder's name, what the public verification answers) to try at /verify:
    a valid certificate of the demo and, when there is one, a revoked one."""
    chosen = []
    valid = (
        Certificate.objects.filter(status=CertificateStatus.VALID, reissue_count=0)
        .exclude(pk__in=CertificateEvent.objects.values("certificate"))
        .order_by("issued_on", "number")
        .first()
    )
    revoked = Certificate.objects.filter(status=CertificateStatus.REVOKED).order_by("number")
    for certificate in (valid, revoked.first()):
        if certificate is not None:
            label = CertificateStatus(certificate.status).label
            chosen.append((certificate.number, certificate.name, label))
    return chosen


# --- officers --------------------------------------------------------------------------------


def _reviewer(user: User, today: dt.date) -> str:
    """A bureau or the province department: the cases and seals waiting for it."""
    cases = FilingCase.objects.filter(authority=user.authority).select_related("organization")
    submitted = cases.filter(state=FilingState.SUBMITTED)
    recommended = submitted.filter(kind=FilingKind.PROVINCE_WIDE).count()
    label = "省直渠道申请" if user.authority and user.authority.is_province else "申请"
    counts = [
        (f"{label}待受理", submitted.count() - recommended),
        ("市级推荐面向全省待受理", recommended),
        ("技术评估中", cases.filter(state=FilingState.UNDER_EVALUATION).count()),
        (
            "公示期满待备案",
            cases.filter(state=FilingState.IN_PUBLICITY, publicity_end__lt=today).count(),
        ),
    ]
    parts = [f"{what} {n} 件" for what, n in counts if n]
    running = cases.filter(state=FilingState.IN_PUBLICITY, publicity_end__gte=today)
    for case in running.order_by("publicity_end"):
        parts.append(f"备案公示中 1 件（{case.organization.name}，至 {case.publicity_end}）")
    seals = OrganizationSeal.objects.filter(
        state=SealState.PENDING, organization__filing_authority=user.authority
    ).count()
    if seals:
        parts.append(f"印章待确认 {seals} 枚")
    return "、".join(parts or ["暂无待办"]) + f"（{WORK}）"


def _center(user: User, today: dt.date) -> str:
    if user.authority and user.authority.is_province:
        pending = national.changes_pending()
        requests = SegmentRequest.objects.filter(state=SegmentRequestState.PENDING).count()
        asked = f"号段申请待分配 {requests} 件（见「证书号段」）、" if requests else ""
        return f"{asked}证书状态变更待全国联网上报 {pending} 项（见「证书」›「全国联网上报」）"
    waiting = [
        batch
        for batch in batches_for(user).filter(state="plan_filed", plan_received_on__isnull=True)
        if batch.plan_receipt_due is not None and batch.plan_receipt_due >= today
    ]
    receipt = f"、计划待签收 {len(waiting)} 件（3 个工作日内签收或退回）" if waiting else ""
    return f"本市认定批次 {batches_for(user).count()} 个（见「认定批次」）{receipt}"


def _inspector(user: User, today: dt.date) -> str:
    tasks = user.assigned_inspections.filter(state=InspectionState.ASSIGNED).count()
    ended = user.assigned_inspections.filter(state=InspectionState.ENDED).count()
    ended_note = f"；已终止 {ended} 项（认定计划撤回）" if ended else ""
    if tasks:
        return f"检查任务 {tasks} 项待完成（见「检查任务」）{ended_note}"
    if ended:
        return f"暂无检查任务{ended_note}"
    conflicts = InspectorConflict.objects.filter(inspector=user).select_related("organization")
    avoided = "、".join(c.organization.name for c in conflicts)
    return "暂无检查任务" + (f"（已申报回避：{avoided}）" if avoided else "")


_OFFICER_NOTES: dict[str, Callable[[User, dt.date], str]] = {
    "province_dept": _reviewer,
    "city_bureau": _reviewer,
    "province_center": _center,
    "city_center": _center,
    "inspector": _inspector,
}


# --- organizations ---------------------------------------------------------------------------


def organization_note(organization: Organization, today: dt.date) -> str:
    """Where the organization stands, from its records: the filing, its batches and
    certificates, its seal and annual report."""
    parts = [_standing(organization, today)]
    parts += _batch_facts(organization, today)
    parts += _certificate_facts(organization)
    parts += _print_facts(organization)
    seal = organization.seals.order_by("-pk").first()
    if seal is not None and seal.state == SealState.PENDING:
        authority = organization.filing_authority
        parts.append(f"印章待{authority.name if authority else ''}人社局确认")
    report = AnnualReport.objects.filter(organization=organization).order_by("-year").first()
    if report is not None:
        parts.append(f"已报送 {report.year} 年度报告")
    return "；".join(parts)


def _print_facts(organization: Organization) -> list[str]:
    """The latest batch print job: done (download it) or still with the worker."""
    batches = {
        printing.subject(batch): batch
        for batch in Batch.objects.filter(organization=organization).only("pk", "title")
    }
    job = (
        Job.objects.filter(kind=printing.KIND, subject__in=list(batches))
        .order_by("-created")
        .first()
    )
    if job is None:
        return []
    title = batches[job.subject].title
    if job.phase == JobPhase.DONE:
        return [f"「{title}」证书已由后台生成 PDF，批次页可下载"]
    if job.phase == JobPhase.FAILED:
        return [f"「{title}」证书打印未完成：{job.error}"]
    return [f"「{title}」证书打印已排队，由后台任务处理程序生成（批次页显示进度）"]


def _standing(organization: Organization, today: dt.date) -> str:
    status = organization.status
    if status == OrganizationStatus.REVOKED:
        return f"已撤销备案（{organization.exited_on}），退出公告见「公示公告」"
    open_case = (
        organization.filing_cases.exclude(state__in=[FilingState.FILED, FilingState.NOT_ACCEPTED])
        .exclude(state__in=[FilingState.NOT_SELECTED, FilingState.WITHDRAWN])
        .select_related("authority")
        .order_by("-pk")
        .first()
    )
    if status in (OrganizationStatus.IN_PILOT, OrganizationStatus.ACTIVE):
        standing = f"已备案（备案号 {organization.filing_number}）"
        if status == OrganizationStatus.IN_PILOT and organization.pilot_until:
            standing += f"，试点期至 {organization.pilot_until}"
        if open_case is not None and open_case.kind == FilingKind.PROVINCE_WIDE:
            standing += "；已推荐面向全省，待省人社厅受理"
        return standing
    if open_case is None:
        withdrawn = organization.filing_cases.filter(state=FilingState.WITHDRAWN).first()
        if withdrawn is not None:
            return (
                f"备案申请（办件 {withdrawn.case_number}）已于 {withdrawn.withdrawn_on} 撤回，"
                f"可重新申请（{MY_CASES}）"
            )
        return organization.get_status_display()
    return _case_stage(open_case, today)


def _case_stage(case: FilingCase, today: dt.date) -> str:
    where = f"{case.authority.name}{'人社厅' if case.authority.is_province else '人社局'}"
    if case.state == FilingState.DRAFT:
        return f"备案申请草稿，已上传材料 {case.materials.count()} 份（{MY_CASES}）"
    if case.state == FilingState.SUBMITTED:
        return (
            f"备案申请 {case.submitted_on} 已提交{where}，待受理（受理期限 {case.acceptance_due}，"
            f"{MY_CASES}）"
        )
    if case.state == FilingState.CORRECTION_REQUESTED:
        items = len(case.correction_items or [])
        return (
            f"办件 {case.case_number}：{where}已一次性告知补正 {items} 项，待补正后重新提交"
            f"（{MY_CASES}）"
        )
    if case.state == FilingState.IN_PUBLICITY and case.publicity_end:
        if case.publicity_end >= today:
            return f"备案公示至 {case.publicity_end}，公示期内可在「公示公告」提出异议"
        return f"备案公示已于 {case.publicity_end} 期满，待{where}备案（{MY_CASES}）"
    return f"{where}办理中：{case.get_state_display()}（{MY_CASES}）"


def _batch_facts(organization: Organization, today: dt.date) -> list[str]:
    batches = list(organization.batches.order_by("start_date"))
    if not batches:
        return []
    facts = [f"认定批次 {len(batches)} 个（见「认定批次」）"]
    for batch in batches:
        if batch.publicity_end and batch.publicity_start and batch.publicity_end >= today:
            facts.append(f"「{batch.title}」结果公示至 {batch.publicity_end}")
        if batch.state == BatchState.WITHDRAWN and batch.withdrawn_on:
            facts.append(f"「{batch.title}」认定计划已于 {batch.withdrawn_on} 撤回")
        if batch.state == BatchState.CERTIFICATES_ISSUED and batch.results_due:
            facts.append(f"「{batch.title}」证书已编号，结果报备期限 {batch.results_due}")
    return facts


def _certificate_facts(organization: Organization) -> list[str]:
    certificates = Certificate.objects.filter(organization=organization)
    counts = {
        "补发": certificates.filter(reissue_count__gt=0).count(),
        "更正": certificates.filter(status=CertificateStatus.SUPERSEDED).count(),
        "撤销": certificates.filter(status=CertificateStatus.REVOKED).count(),
    }
    done = [f"{label} {count} 张" for label, count in counts.items() if count]
    return [f"证书{'、'.join(done)}（见「证书」）"] if done else []
