"""Reviewing a submitted filing case (三 (二)-(三)): acceptance, technical evaluation,
selection, publicity and filing; each change is one function. Re-exported by ``filings``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from skillcert.accounts.actors import user_or_none
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.formal.models import DocumentKind
from skillcert.reference.selectors import work_calendar
from skillcert.registry import checklist as eligibility
from skillcert.registry import documents, signals
from skillcert.registry.corrections import parse_items
from skillcert.registry.inputs import EvaluationRequest
from skillcert.registry.machines import FILING_MACHINE, ORGANIZATION_MACHINE
from skillcert.registry.models import (
    FILED_STATUSES,
    Evaluation,
    EvaluationMethod,
    FilingCase,
    Notice,
    NoticeKind,
    Organization,
    OrganizationStatus,
)
from skillcert.registry.services import messages as tell
from skillcert.registry.services.effects import apply_filing
from skillcert.registry.workflow import FilingKind
from skillcert.rules import clock
from skillcert.rules.errors import Conflict, InvalidInput
from skillcert.rules.filing import PUBLICITY_WORKING_DAYS
from skillcert.rules.inputs import Body
from skillcert.rules.levels import level_name
from skillcert.rules.workdays import publicity_end_working_days


def check_kind_fits(organization: Organization, kind: str, *, submitted: bool = False) -> None:
    """The organization's status allows this kind of case (again at submission and filing:
    an organization revoked or expired meanwhile must not be changed by an open case).
    ``submitted``: a renewal submitted before expiry may still be filed after it."""
    status = organization.status
    if kind == FilingKind.INITIAL:
        if status not in {OrganizationStatus.APPLYING, OrganizationStatus.EXPIRED}:
            raise Conflict(
                f"该组织当前状态为「{organization.get_status_display()}」，不能申请首次备案",
                code="invalid_state",
            )
        return
    if status not in FILED_STATUSES:
        raise Conflict(
            f"「{FilingKind(kind).label}」仅限已备案的评价组织申请（当前状态："
            f"{organization.get_status_display()}）",
            code="invalid_state",
        )
    if kind in {FilingKind.SCOPE_CHANGE, FilingKind.CROSS_CITY} and (
        status == OrganizationStatus.PILOT_FAILED
    ):
        raise Conflict("试点未通过的评价组织不能申请变更或异地备案", code="invalid_state")
    if kind == FilingKind.PROVINCE_WIDE and status == OrganizationStatus.PILOT_FAILED:
        raise Conflict("试点未通过的评价组织不能面向全省备案", code="invalid_state")
    if kind == FilingKind.RENEWAL and not submitted:
        assert organization.valid_until is not None, "a filed organization has its validity"
        if organization.valid_until < clock.today():
            raise Conflict("备案有效期已届满，不能延续，请重新申请首次备案", code="deadline_passed")


# --- review ------------------------------------------------------------------------------


def accept_filing(case: FilingCase, *, actor: Actor) -> FilingCase:
    """Accept for evaluation; a reply after the due date marks the case overdue."""
    return _decide_acceptance(case, "accept", actor=actor, reason="")


def not_accept_filing(case: FilingCase, *, reason: str, actor: Actor) -> FilingCase:
    """Refuse acceptance, with the reason the applicant reads."""
    return _decide_acceptance(case, "not-accept", actor=actor, reason=_reason(reason))


def _decide_acceptance(case: FilingCase, action: str, *, actor: Actor, reason: str) -> FilingCase:
    with transaction.atomic():
        case = FILING_MACHINE.lock(case.pk)
        transition = FILING_MACHINE.check(case, action, actor)
        today = clock.today()
        case.accepted_on = today
        case.decision_reason = reason
        case.overdue = case.overdue or (
            case.acceptance_due is not None and today > case.acceptance_due
        )
        FILING_MACHINE.move(
            case,
            transition,
            actor=actor,
            note=reason,
            extra_fields=["accepted_on", "decision_reason", "overdue"],
        )
        if action == "accept":
            documents.issue_for_case(
                DocumentKind.ACCEPTANCE, case, documents.acceptance_body(case), actor=actor
            )
        else:
            documents.issue_for_case(
                DocumentKind.NON_ACCEPTANCE, case, documents.non_acceptance_body(case), actor=actor
            )
        tell.decided(case, action)
    return case


def request_correction(case: FilingCase, data: object, *, actor: Actor) -> FilingCase:
    """一次性告知 (domain.md §9): the reviewer names every field and material to correct at
    once, each with its message; once per submission. No acceptance deadline runs while the
    applicant corrects (``acceptance_due`` null); resubmitting starts a new one. A 补正告知书
    is issued and the applicant told."""
    FILING_MACHINE.check_party(case, "request-correction", actor)
    with transaction.atomic():
        case = FILING_MACHINE.lock(case.pk)
        transition = FILING_MACHINE.check(case, "request-correction", actor)
        items = parse_items(case, data)
        case.correction_items = items
        case.correction_requested_on = clock.today()
        case.acceptance_due = None
        case.acceptance_due_estimated = False
        FILING_MACHINE.move(
            case,
            transition,
            actor=actor,
            note=f"一次性告知补正 {len(items)} 项",
            extra_fields=[
                "correction_items",
                "correction_requested_on",
                "acceptance_due",
                "acceptance_due_estimated",
            ],
        )
        documents.issue_for_case(
            DocumentKind.CORRECTION, case, documents.correction_body(case, items), actor=actor
        )
        tell.correction_requested(case)
    return case


def _reason(reason: Any) -> str:
    text = (reason or "").strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidInput.for_field("reason", "请填写理由")
    if len(text) > 2000:
        raise InvalidInput.for_field("reason", "理由不能超过 2000 个字符")
    return text


def record_evaluation(case: FilingCase, data: object, *, actor: Actor) -> Evaluation:
    """Record one technical evaluation step; the case is then under evaluation."""
    FILING_MACHINE.check_party(case, "evaluations", actor)
    values = _evaluation_values(data)
    with transaction.atomic():
        case = FILING_MACHINE.lock(case.pk)
        transition = FILING_MACHINE.check(case, "evaluations", actor)
        evaluation = Evaluation.objects.create(case=case, recorded_by=user_or_none(actor), **values)
        audit.record(
            actor=actor,
            action="registry.filing.evaluation_recorded",
            obj=evaluation,
            after={
                **values,
                "date": values["date"].isoformat(),
                "score": str(values["score"]),
                "case": case.pk,
            },
        )
        if case.state != transition.target:
            FILING_MACHINE.move(
                case, transition, actor=actor, note=EvaluationMethod(values["method"]).label
            )
    return evaluation


def _evaluation_values(data: object) -> dict[str, Any]:
    body = Body(EvaluationRequest, data)
    if not body.is_object:
        raise InvalidInput("请求内容应为 JSON 对象")
    fields: dict[str, list[str]] = {}
    method = body.get("method")
    if method not in EvaluationMethod.values:
        fields["method"] = [
            "方式应为 report、interview、defence、document_review 或 technical_check"
        ]
    evaluators = body.get("evaluators")
    if isinstance(evaluators, list):
        evaluators = "、".join(str(e).strip() for e in evaluators if str(e).strip())
    if not isinstance(evaluators, str) or not evaluators.strip():
        fields["evaluators"] = ["请填写评估人员"]
    date = None
    try:
        date = dt.date.fromisoformat(str(body.get("date", "")))
        if date > clock.today():
            fields["date"] = ["评估日期不能晚于今天"]
    except ValueError:
        fields["date"] = ["日期格式应为 YYYY-MM-DD"]
    opinion = body.get("opinion")
    if not isinstance(opinion, str) or not opinion.strip():
        fields["opinion"] = ["请填写评估意见"]
    score = body.get("score")
    if score in (None, ""):
        score = None
    else:
        try:
            score = Decimal(str(score))
            exponent = score.as_tuple().exponent  # a letter only for NaN and infinity
            if not Decimal(0) <= score <= Decimal(100) or (
                isinstance(exponent, int) and exponent < -1
            ):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            fields["score"] = ["评分应为 0-100 的数（最多一位小数）"]
    if fields:
        raise InvalidInput("技术评估记录有误", fields=fields)
    assert isinstance(evaluators, str) and isinstance(opinion, str)  # checked above
    return {
        "method": method,
        "evaluators": evaluators.strip()[:200],
        "date": date,
        "opinion": opinion.strip(),
        "score": score,
    }


def select_filing(case: FilingCase, *, actor: Actor) -> FilingCase:
    """Select after evaluation: needs at least one evaluation and every condition passed."""
    with transaction.atomic():
        case = FILING_MACHINE.lock(case.pk)
        transition = FILING_MACHINE.check(case, "select", actor)  # guard: an evaluation
        failed = eligibility.for_case(case).failed()
        if failed:
            raise Conflict(
                "不符合备案条件：" + "；".join(f"{item.title}：{item.detail}" for item in failed),
                code="conditions_not_met",
            )
        FILING_MACHINE.move(case, transition, actor=actor)
        tell.decided(case, "select")
    return case


def not_select_filing(case: FilingCase, *, reason: str, actor: Actor) -> FilingCase:
    reason = _reason(reason)
    with transaction.atomic():
        case = FILING_MACHINE.lock(case.pk)
        transition = FILING_MACHINE.check(case, "not-select", actor)
        case.decision_reason = reason
        FILING_MACHINE.move(
            case, transition, actor=actor, note=reason, extra_fields=["decision_reason"]
        )
        tell.decided(case, "not-select")
    return case


def publicize_filing(case: FilingCase, *, actor: Actor) -> FilingCase:
    """Publish the public notice today; it runs for at least 5 working days."""
    with transaction.atomic():
        case = FILING_MACHINE.lock(case.pk)
        transition = FILING_MACHINE.check(case, "publicize", actor)
        today = clock.today()
        end = publicity_end_working_days(work_calendar(), today, PUBLICITY_WORKING_DAYS)
        case.publicity_start = today
        case.publicity_end = end.day
        case.publicity_end_estimated = end.estimated
        Notice.objects.create(
            kind=NoticeKind.FILING_PUBLICITY,
            title=f"{case.basic.get('name') or case.organization.name}"
            f"{FilingKind(case.kind).label}公示",
            body=_notice_body(case),
            authority=case.authority,
            filing=case,
            organization=case.organization,
            starts_on=today,
            ends_on=end.day,
        )
        FILING_MACHINE.move(
            case,
            transition,
            actor=actor,
            extra_fields=["publicity_start", "publicity_end", "publicity_end_estimated"],
        )
    return case


def _notice_body(case: FilingCase) -> str:
    lines = [
        f"单位名称：{case.basic.get('name') or case.organization.name}",
        f"统一社会信用代码：{case.organization.credit_code}",
        f"受理机关：{case.authority.name}{'人社厅' if case.authority.is_province else '人社局'}",
        "拟开展认定的职业（工种）及等级：",
    ]
    for occupation in case.occupations.all():
        levels = "、".join(level_name(level) for level in sorted(occupation.levels))
        work_type = f"（{occupation.work_type}）" if occupation.work_type else ""
        lines.append(f"  {occupation.name}{work_type} {occupation.code}：{levels}")
    return "\n".join(lines)


def file_filing(case: FilingCase, *, actor: Actor) -> FilingCase:
    """File after a publicity without an upheld or open objection (from the day after it ends).

    A first filing allocates the filing number; every kind then changes the organization as
    the kind says (``effects.apply_filing``), inside the same transaction.
    """
    with transaction.atomic():
        case = FILING_MACHINE.lock(case.pk)
        # Guards: the publicity is over and no objection is open.
        transition = FILING_MACHINE.check(case, "file", actor)
        today = clock.today()
        organization = ORGANIZATION_MACHINE.lock(case.organization_id)  # time's steps applied
        check_kind_fits(organization, case.kind, submitted=True)
        case.filed_on = today
        organization = apply_filing(case, actor=actor)
        assert organization.filing_number is not None, "a filed organization has its number"
        case.filing_number = organization.filing_number
        case.filed_scope = organization.scope
        case.filed_valid_until = organization.valid_until
        case.filed_pilot_until = organization.pilot_until
        FILING_MACHINE.move(
            case,
            transition,
            actor=actor,
            extra_fields=[
                "filed_on",
                "filing_number",
                "filed_scope",
                "filed_valid_until",
                "filed_pilot_until",
            ],
        )
        documents.issue_for_case(
            DocumentKind.FILING_RECEIPT, case, documents.filing_receipt_body(case), actor=actor
        )
        tell.decided(case, "file")
        signals.filing_filed.send(sender="registry", case=case)  # reported to the ministry
    return case
