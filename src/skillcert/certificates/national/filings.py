"""The filing's report to the ministry's appraisal center (三 (三): 出具备案回执，报部鉴定中心评估
确认，评估确认的最终结果应及时向社会发布).

Each filing event goes out once, through the national outbox's pluggable sender: a filing
case filed (首次备案, 变更, 延续, 异地备案, 面向全省) and an organization's filing revoked (撤销;
a merger is not reported here). The registry announces both (``registry.signals``, inside
its transaction); the receivers here record a ``FilingReport`` in that same transaction and
queue its sending for after the commit (``tasks.send_filing_report``): the officer's request
never waits for the sender. A periodic sweep (``tasks.sweep_filing_reports``) records what
was filed without a report (filed before this existed, or a receiver that did not run) and
sends what is still pending or failed, up to ``RETRY_SENDS`` attempts; after that the
provincial center sends it again by hand. ``FilingReport`` is unique on its event and round,
so an event is reported once however often it is swept.

Who (domain.md §1): the **provincial appraisal center** (省鉴定中心) records the ministry's
center's answer — it is that center's counterpart in the province and already reports to the
national systems; the province department reads along. 确认 publishes a notice (备案评估确认
公告) and tells the organization's users. 退回 (with the reason) does not move the filed case
back — its filing, number and receipt stand — but puts the returned report on the worklist of
the officers who filed it (``部鉴定中心退回：…``, the report's workflow waits for them): they
correct what the reason names and send it again with a note, a new report (the next round)
built from the records as they now are; the returned one is closed as ``resent``.

The catalog shows the state of an organization's latest filing report (``confirmed_ids``):
已确认 when the ministry's center confirmed it, else 待确认.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from skillcert.accounts.actors import is_signed_in, user_or_none
from skillcert.accounts.roles import Role
from skillcert.audit import service as audit
from skillcert.audit.service import SYSTEM, Actor
from skillcert.certificates.inputs import (
    FilingReportConfirm,
    FilingReportResend,
    FilingReportReturn,
)
from skillcert.certificates.machines import FILING_REPORT_MACHINE
from skillcert.certificates.models import FilingReport, FilingReportKind, FilingReportState
from skillcert.certificates.national.outbox import load_sender, sender_path
from skillcert.certificates.workflow import FILING_REPORT
from skillcert.inbox.service import notify, officers, organization_users
from skillcert.registry.models import (
    ExitReason,
    FilingCase,
    FilingState,
    Notice,
    NoticeKind,
    Organization,
    OrganizationStatus,
)
from skillcert.rules import clock
from skillcert.rules.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from skillcert.rules.inputs import Body
from skillcert.rules.levels import level_name

RETRY_SENDS = 5  # the sweep sends a failed report again up to this many attempts
READERS = frozenset({Role.PROVINCE_DEPT, Role.PROVINCE_CENTER, Role.CITY_BUREAU, Role.CITY_CENTER})
PROVINCE_READERS = frozenset({Role.PROVINCE_DEPT, Role.PROVINCE_CENTER})
LINK = "/review/national/filing-reports"
CENTER_NAME = "人社部职业技能鉴定中心"


# --- who sees what -----------------------------------------------------------------------


def reports_for(actor: Actor | None) -> QuerySet[FilingReport]:
    """The province's officers see every report; a city's bureau and center their city's."""
    everything = FilingReport.objects.select_related("organization", "authority", "filing")
    if getattr(actor, "role", None) == "system":
        return everything
    if not is_signed_in(actor):
        return everything.none()
    if actor.role in PROVINCE_READERS:
        return everything
    if actor.role in READERS and actor.authority_id is not None:
        return everything.filter(authority_id=actor.authority_id)
    return everything.none()


def check_may_read(actor: Actor | None) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated("请先登录", code="not_authenticated")
    if getattr(actor, "role", None) not in READERS:
        raise Forbidden("只有省、市人社部门和鉴定中心可以查看备案报部情况", code="forbidden")


def get_for_user(actor: Actor | None, pk: int) -> FilingReport:
    check_may_read(actor)
    report = reports_for(actor).filter(pk=pk).first()
    if report is None:
        raise NotFound("未找到该备案报部记录", code="not_found")
    return report


# --- what is reported ----------------------------------------------------------------------


def _scope_items(organization: Organization) -> list[dict[str, Any]]:
    return [
        {
            "occupation": item.occupation_name,
            "code": item.occupation_code,
            "work_type": item.work_type,
            "levels": list(item.levels),
            "level_names": [level_name(level) for level in item.levels],
        }
        for item in organization.scope_items.order_by("pk")
    ]


def _authority_name(report: FilingReport) -> str:
    authority = report.authority
    return f"{authority.name}{'人社厅' if authority.is_province else '人社局'}"


def payload_of(report: FilingReport) -> dict[str, Any]:
    """What the file tells the ministry's center: the organization as filed now."""
    organization = Organization.objects.get(pk=report.organization_id)
    data: dict[str, Any] = {
        "report": report.pk,
        "event": report.subject,
        "round": report.round,
        "kind": report.kind,
        "kind_label": FilingReportKind(report.kind).label,
        "reported_by": _authority_name(report),
        "organization": {
            "name": organization.name,
            "credit_code": organization.credit_code,
            "filing_number": organization.filing_number or "",
            "category": organization.category,
            "scope": organization.scope,
            "filed_on": _iso(organization.filed_on),
            "valid_until": _iso(organization.valid_until),
        },
        "scope_items": _scope_items(organization),
    }
    case = report.filing
    if case is not None:
        data["filing"] = {
            "case_number": case.case_number,
            "kind": case.kind,
            "filed_on": _iso(case.filed_on),
            "authority": case.authority.name,
        }
    if report.kind == FilingReportKind.REVOCATION:
        data["revocation"] = {
            "revoked_on": _iso(organization.exited_on),
            "reason": ExitReason(organization.exit_reason).label
            if organization.exit_reason
            else "",
            "detail": organization.exit_detail,
        }
    if report.replaces_id is not None:
        data["replaces"] = report.replaces_id
        data["correction_note"] = report.note
    return data


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def content_of(report: FilingReport) -> bytes:
    """The file's bytes: the payload as JSON (UTF-8, keys sorted), the same every time."""
    text = json.dumps(report.payload, ensure_ascii=False, sort_keys=True, indent=2)
    return (text + "\n").encode("utf-8")


def _make(
    *,
    subject: str,
    round: int,
    kind: str,
    organization: Organization,
    filing: FilingCase | None,
    replaces: FilingReport | None = None,
    note: str = "",
    actor: Actor = SYSTEM,
) -> FilingReport | None:
    """Record a report and queue its sending after the commit; None when the event's report
    of that round exists already."""
    if FilingReport.objects.filter(subject=subject, round=round).exists():
        return None
    authority_id = filing.authority_id if filing is not None else organization.filing_authority_id
    assert authority_id is not None, "a filed or revoked organization has its authority"
    try:
        with transaction.atomic():
            report = FilingReport.objects.create(
                subject=subject,
                round=round,
                kind=kind,
                organization=organization,
                filing=filing,
                authority_id=authority_id,
                replaces=replaces,
                note=note,
                file_name="",
                sha256="",
            )
            report.file_name = f"filing-report-{report.pk:06d}.json"
            report.payload = payload_of(report)
            report.sha256 = hashlib.sha256(content_of(report)).hexdigest()
            report.save(update_fields=["file_name", "payload", "sha256"])
            audit.record(
                actor=actor,
                action="certificates.filing_report_recorded",
                obj=report,
                after={
                    "subject": subject,
                    "round": round,
                    "kind": kind,
                    "file_name": report.file_name,
                    "sha256": report.sha256,
                },
            )
    except IntegrityError:  # recorded meanwhile by another transaction: once
        return None
    transaction.on_commit(lambda: _enqueue(report.pk))
    return report


def _enqueue(pk: int) -> None:
    from skillcert.certificates.tasks import send_filing_report

    send_filing_report.enqueue(pk)


def record_filed(case: FilingCase) -> FilingReport | None:
    """The report of a filed case (once)."""
    return _make(
        subject=f"filing:{case.pk}",
        round=1,
        kind=case.kind,
        organization=case.organization,
        filing=case,
    )


def revocation_subject(organization: Organization) -> str:
    return f"revocation:{organization.pk}:{organization.filing_number or ''}"


def record_revoked(organization: Organization) -> FilingReport | None:
    """The report of a revoked filing (once per number: a later filing has a new one)."""
    return _make(
        subject=revocation_subject(organization),
        round=1,
        kind=FilingReportKind.REVOCATION,
        organization=organization,
        filing=None,
    )


def on_filing_filed(sender: object, *, case: FilingCase, **kwargs: Any) -> None:
    record_filed(case)


def on_filing_revoked(sender: object, *, organization: Organization, **kwargs: Any) -> None:
    if organization.exit_reason != ExitReason.MERGED:
        record_revoked(organization)


def connect() -> None:
    from skillcert.registry import signals

    signals.filing_filed.connect(on_filing_filed, dispatch_uid="filing_report_filed")
    signals.filing_revoked.connect(on_filing_revoked, dispatch_uid="filing_report_revoked")


def record_missing() -> int:
    """Reports of the filed cases and revocations that have none yet (the sweep)."""
    made = 0
    reported = FilingReport.objects.filter(filing__isnull=False).values("filing_id")
    for case in (
        FilingCase.objects.filter(state=FilingState.FILED)
        .exclude(pk__in=reported)
        .select_related("organization", "authority")
        .order_by("pk")
    ):
        with transaction.atomic():
            made += record_filed(case) is not None
    subjects = set(
        FilingReport.objects.filter(kind=FilingReportKind.REVOCATION).values_list(
            "subject", flat=True
        )
    )
    for organization in (
        Organization.objects.filter(
            status=OrganizationStatus.REVOKED, filing_authority__isnull=False
        )
        .exclude(exit_reason=ExitReason.MERGED)
        .order_by("pk")
    ):
        if revocation_subject(organization) not in subjects:
            with transaction.atomic():
                made += record_revoked(organization) is not None
    return made


# --- sending -------------------------------------------------------------------------------


def deliver(report: FilingReport, *, actor: Actor) -> FilingReport:
    """Send through the configured sender, once: a report no longer waiting to be sent is
    returned as it is; a failure is recorded (``failed``, the error, the attempt counted)."""
    FILING_REPORT_MACHINE.check_party(report, "send", actor)
    dotted = sender_path()
    with transaction.atomic():
        # The row stays locked while the sender runs: two sends of one report never overlap.
        report = FILING_REPORT_MACHINE.lock(report.pk)
        if report.state not in FILING_REPORT.sources_of("send"):
            return report
        transition = FILING_REPORT_MACHINE.check(report, "send", actor)
        attempts = report.attempts
        error = _attempt(report, dotted)
        FILING_REPORT_MACHINE.move(
            report,
            transition,
            actor=actor,
            outcome=FilingReportState.FAILED if error else FilingReportState.SENT,
            note=error,
            before={"attempts": attempts},
            extra_fields=["attempts", "sender", "sent_at", "receipt", "last_error"],
        )
    return report


def _attempt(report: FilingReport, dotted: str) -> str:
    report.attempts += 1
    report.sender = dotted[:200]
    try:
        content = content_of(report)
        if hashlib.sha256(content).hexdigest() != report.sha256:
            raise ValueError(f"报部文件 {report.file_name} 与生成时的校验值不符")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / report.file_name
            path.write_bytes(content)
            receipt = str(load_sender(dotted).send(path, report))
    except Exception as exc:  # any failure of the sender is recorded, not lost
        report.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        return report.last_error
    report.sent_at = clock.now()
    report.receipt = receipt[:200]
    report.last_error = ""
    return ""


def send_pending(actor: Actor) -> int:
    """Send what waits (pending, or failed fewer than ``RETRY_SENDS`` times): the sweep."""
    due = FilingReport.objects.filter(
        Q(state=FilingReportState.PENDING)
        | Q(state=FilingReportState.FAILED, attempts__lt=RETRY_SENDS)
    )
    sent = 0
    for report in list(due.order_by("pk")):
        sent += deliver(report, actor=actor).state == FilingReportState.SENT
    return sent


# --- the ministry's answer and the correction ---------------------------------------------


def _answer_date(body: Body, report: FilingReport) -> dt.date:
    value = body.get("answered_on")
    if value in (None, ""):
        return clock.today()
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput.for_field("answered_on", "答复日期应为 YYYY-MM-DD 格式") from None
    if day > clock.today():
        raise InvalidInput.for_field("answered_on", "答复日期不能晚于今天")
    sent = report.sent_at.date() if report.sent_at else None
    if sent is not None and day < sent:
        raise InvalidInput.for_field("answered_on", "答复日期不能早于报送日期")
    return day


def title_of(report: FilingReport) -> str:
    """How lists and the worklist name a report; a returned one says why."""
    organization = report.organization
    text = f"{organization.name}{FilingReportKind(report.kind).label}报部"
    if report.state == FilingReportState.RETURNED:
        return f"部鉴定中心退回：{report.reason}（{text}）"
    return text


def confirm(report: FilingReport, data: object, *, actor: Actor) -> FilingReport:
    """The ministry's center confirmed: recorded, published as a notice (a filing; a
    revocation is announced by its exit notice already), the organization told."""
    FILING_REPORT_MACHINE.check_party(report, "confirm", actor)
    body = Body(FilingReportConfirm, data)
    with transaction.atomic():
        report = FILING_REPORT_MACHINE.lock(report.pk)
        transition = FILING_REPORT_MACHINE.check(report, "confirm", actor)
        report.answered_on = _answer_date(body, report)
        report.answered_by = user_or_none(actor)
        published = _publish(report, actor) if report.kind != FilingReportKind.REVOCATION else None
        FILING_REPORT_MACHINE.move(
            report,
            transition,
            actor=actor,
            extra_fields=["answered_on", "answered_by"],
            after={"notice": published.pk} if published is not None else None,
        )
        if published is not None:
            organization = report.organization
            notify(
                organization_users(organization.pk),
                event="filing_report.confirmed",
                title=f"备案已经{CENTER_NAME}评估确认",
                body=(
                    f"贵单位（备案号 {organization.filing_number}）的"
                    f"{FilingReportKind(report.kind).label}已经{CENTER_NAME}评估确认，"
                    "确认结果已向社会公布。"
                ),
                link="/catalog",
                subject=f"filing_report:{report.pk}",
            )
    return report


def _publish(report: FilingReport, actor: Actor) -> Notice:
    organization = report.organization
    authority = getattr(actor, "authority", None) or report.authority
    lines = [
        f"经{CENTER_NAME}评估确认，下列评价组织的职业技能等级认定"
        f"{FilingReportKind(report.kind).label}予以确认，现予公布。",
        f"单位名称：{organization.name}",
        f"统一社会信用代码：{organization.credit_code}",
        f"备案号：{organization.filing_number}",
        f"备案有效期至：{_iso(organization.valid_until)}",
        f"确认日期：{_iso(report.answered_on)}",
        "职业（工种）及等级：",
    ]
    for item in report.payload.get("scope_items", []):
        work_type = f"（{item['work_type']}）" if item.get("work_type") else ""
        lines.append(f"  {item['occupation']}{work_type}：{'、'.join(item['level_names'])}")
    return Notice.objects.create(
        kind=NoticeKind.FILING_CONFIRMED,
        title=f"关于{organization.name}职业技能等级认定备案评估确认结果的公告",
        body="\n".join(lines),
        authority=authority,
        organization=organization,
        starts_on=clock.today(),
    )


def reviewer_roles(report: FilingReport) -> list[str]:
    return [Role.PROVINCE_DEPT] if report.authority.is_province else [Role.CITY_BUREAU]


def return_report(report: FilingReport, data: object, *, actor: Actor) -> FilingReport:
    """The ministry's center returned the report: the reason is recorded and the officers
    who filed find it on their worklist (the filed case itself stays filed)."""
    FILING_REPORT_MACHINE.check_party(report, "return", actor)
    body = Body(FilingReportReturn, data)
    reason = body.get("reason")
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidInput.for_field("reason", "请填写部鉴定中心的退回理由")
    with transaction.atomic():
        report = FILING_REPORT_MACHINE.lock(report.pk)
        transition = FILING_REPORT_MACHINE.check(report, "return", actor)
        report.answered_on = _answer_date(body, report)
        report.answered_by = user_or_none(actor)
        report.reason = text[:2000]
        FILING_REPORT_MACHINE.move(
            report,
            transition,
            actor=actor,
            note=report.reason,
            extra_fields=["answered_on", "answered_by", "reason"],
        )
        notify(
            officers(reviewer_roles(report), report.authority_id),
            event="filing_report.returned",
            title=f"部鉴定中心退回：{report.organization.name}{FilingReportKind(report.kind).label}",
            body=f"退回理由：{report.reason}。请更正后重新报部。",
            link=f"{LINK}#report-{report.pk}",
            subject=f"filing_report:{report.pk}",
        )
    return report


def resend(report: FilingReport, data: object, *, actor: Actor) -> FilingReport:
    """The reviewing officer corrected what was returned: a new report (the next round,
    built from the records as they are now, with the officer's note) goes out; the
    returned one is closed. Returns the new report."""
    FILING_REPORT_MACHINE.check_party(report, "resend", actor)
    body = Body(FilingReportResend, data)
    note = body.get("note")
    text = note.strip() if isinstance(note, str) else ""
    if not text:
        raise InvalidInput.for_field("note", "请填写更正说明")
    with transaction.atomic():
        report = FILING_REPORT_MACHINE.lock(report.pk)
        transition = FILING_REPORT_MACHINE.check(report, "resend", actor)
        FILING_REPORT_MACHINE.move(report, transition, actor=actor, note=text[:2000])
        made = _make(
            subject=report.subject,
            round=report.round + 1,
            kind=report.kind,
            organization=report.organization,
            filing=report.filing,
            replaces=report,
            note=text[:2000],
            actor=actor,
        )
        assert made is not None, "the next round of a report just closed is new"
    return made


# --- what the public sees --------------------------------------------------------------------


def confirmed_ids(organization_ids: list[int]) -> set[int]:
    """Of these organizations, those whose latest filing report (a revocation aside) the
    ministry's center confirmed: 部鉴定中心评估确认 已确认; the others 待确认."""
    latest: dict[int, str] = {}
    rows = (
        FilingReport.objects.filter(organization_id__in=organization_ids)
        .exclude(kind=FilingReportKind.REVOCATION)
        .order_by("organization_id", "-pk")
        .values_list("organization_id", "state")
    )
    for organization_id, state in rows:
        latest.setdefault(organization_id, state)
    return {pk for pk, state in latest.items() if state == FilingReportState.CONFIRMED}
