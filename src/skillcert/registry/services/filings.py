"""Filing cases from draft to filed (三 (一)-(三)); each change is one function."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from skillcert.accounts.models import Authority
from skillcert.audit import service as audit
from skillcert.reference.selectors import work_calendar
from skillcert.registry import checklist as eligibility
from skillcert.registry.machines import FILING_MACHINE, ORGANIZATION_MACHINE
from skillcert.registry.models import (
    FILED_STATUSES,
    Channel,
    Evaluation,
    EvaluationMethod,
    FilingCase,
    FilingOccupation,
    Notice,
    NoticeKind,
    Organization,
    OrganizationStatus,
)
from skillcert.registry.payloads import BASIC_FIELDS, FilingPayload, parse_filing_payload
from skillcert.registry.services.effects import apply_filing
from skillcert.registry.workflow import APPLICANT_KINDS, OPEN_STATES, FilingKind, FilingState
from skillcert.rules import clock
from skillcert.rules.errors import Conflict, Forbidden, InvalidInput
from skillcert.rules.filing import (
    ACCEPTANCE_WORKING_DAYS,
    PUBLICITY_WORKING_DAYS,
    missing_materials,
)
from skillcert.rules.levels import level_name
from skillcert.rules.workdays import due_after_working_days, publicity_end_working_days

PROVINCE_CODE = "00"


# --- drafts ------------------------------------------------------------------------------


def create_filing(organization: Organization, data: Any, *, actor: Any) -> FilingCase:
    """A new draft application of an organization (kinds of ``APPLICANT_KINDS``).

    Enforces: the kind fits the organization's status (a first filing only while applying
    or after expiry; a scope change, renewal or cross-city filing only while filed, renewal
    before expiry); the channel and city fit (a city-channel first filing goes to the city
    of registration, ``00`` is the province channel; a cross-city filing goes to another
    city); one open case of a kind at a time; every field's format.
    """
    payload = parse_filing_payload(data)
    kind = payload.kind or FilingKind.INITIAL
    if kind not in APPLICANT_KINDS:
        raise InvalidInput.for_field(
            "kind", "类型应为 initial、scope_change、renewal 或 cross_city"
        )
    with transaction.atomic():
        organization = ORGANIZATION_MACHINE.lock(organization.pk)  # expired if time says so
        _check_kind_fits(organization, kind)
        authority, channel = _target(organization, kind, payload)
        if FilingCase.objects.filter(
            organization=organization, kind=kind, state__in=OPEN_STATES
        ).exists():
            raise Conflict(
                f"已有一件未办结的「{FilingKind(kind).label}」申请，请先完成或撤回",
                code="case_open",
            )
        case = FilingCase(
            organization=organization,
            kind=kind,
            channel=channel,
            authority=authority,
            category=payload.category or organization.category or "S",
            basic={"name": organization.name, "credit_code": organization.credit_code},
        )
        _prefill_from_record(case, organization)
        _apply_payload(case, payload)
        case.save()
        if payload.occupations is not None:
            _replace_occupations(case, payload)
        elif kind != FilingKind.INITIAL:
            _copy_scope(case, organization)
        audit.record(actor=actor, action="registry.filing.created", obj=case, after=_summary(case))
    return case


def update_filing(case: FilingCase, data: Any, *, actor: Any) -> FilingCase:
    """Save changes to a draft (the wizard saves each step); only the applicant, only drafts."""
    payload = parse_filing_payload(data)
    with transaction.atomic():
        case = FILING_MACHINE.lock(case.pk)
        FILING_MACHINE.check(case, "submit", actor)  # same party and state as submitting
        if payload.kind and payload.kind != case.kind:
            raise InvalidInput.for_field("kind", "申请类型创建后不能修改，请新建申请")
        if payload.channel or payload.city:
            authority, channel = _target(case.organization, case.kind, payload)
            case.authority, case.channel = authority, channel
        before = _summary(case)
        _apply_payload(case, payload)
        case.save()
        if payload.occupations is not None:
            _replace_occupations(case, payload)
        audit.record(
            actor=actor,
            action="registry.filing.updated",
            obj=case,
            before=before,
            after=_summary(case),
        )
    return case


def startable_kinds(organization: Organization) -> list[str]:
    """The kinds of case the organization may start now (same rules as ``create_filing``)."""
    open_kinds = set(
        organization.filing_cases.filter(state__in=OPEN_STATES).values_list("kind", flat=True)
    )
    kinds = []
    for kind in APPLICANT_KINDS:
        try:
            _check_kind_fits(organization, kind)
        except Conflict:
            continue
        if kind not in open_kinds:
            kinds.append(kind)
    return kinds


def _check_kind_fits(organization: Organization, kind: str, *, submitted: bool = False) -> None:
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
    if kind == FilingKind.RENEWAL and not submitted and organization.valid_until < clock.today():
        raise Conflict("备案有效期已届满，不能延续，请重新申请首次备案", code="deadline_passed")


def _target(organization: Organization, kind: str, payload: FilingPayload) -> tuple[Authority, str]:
    """Where the case is filed: (authority, channel), from the kind and the request."""
    if kind in {FilingKind.SCOPE_CHANGE, FilingKind.RENEWAL}:
        authority = organization.filing_authority
        if payload.city and payload.city != authority.code:
            raise InvalidInput.for_field(
                "city",
                f"变更和延续向原备案机关（{authority.name}）申请，地市代码应为 {authority.code}",
            )
        return authority, organization.channel or Channel.CITY
    channel = payload.channel or (
        Channel.PROVINCE if payload.city == PROVINCE_CODE else Channel.CITY
    )
    if kind == FilingKind.CROSS_CITY:
        if channel != Channel.CITY or not payload.city or payload.city == PROVINCE_CODE:
            raise InvalidInput.for_field("city", "异地备案须填写拟开展认定的地市代码（如 02）")
        authority = _authority(payload.city)
        if organization.service_areas.filter(city=authority).exists() or (
            organization.scope == "province"
        ):
            raise InvalidInput.for_field("city", f"该组织已可在{authority.name}开展认定")
        return authority, channel
    if channel == Channel.PROVINCE:
        if payload.city not in (None, "", PROVINCE_CODE):
            raise InvalidInput.for_field("city", "省直渠道的地市代码为 00")
        return _authority(PROVINCE_CODE), channel
    home = organization.home_city
    if home is None:
        raise InvalidInput.for_field(
            "city", "统一社会信用代码显示登记地不在本省，不能通过市级渠道申请备案"
        )
    if payload.city and payload.city != home.code:
        raise InvalidInput.for_field(
            "city", f"市级渠道应向登记注册地（{home.name}）人社局申请，地市代码应为 {home.code}"
        )
    return home, channel


def _authority(code: str) -> Authority:
    authority = Authority.objects.filter(code=code).first()
    if authority is None:
        raise InvalidInput.for_field("city", f"未知的地市代码 {code!r}")
    return authority


def _prefill_from_record(case: FilingCase, organization: Organization) -> None:
    """Start later cases from the organization's last filed case (its 附件1 and record)."""
    previous = (
        organization.filing_cases.filter(state=FilingState.FILED)
        .order_by("-filed_on", "-pk")
        .first()
    )
    if previous is None:
        return
    case.basic = dict(previous.basic)
    case.record = dict(previous.record)
    case.narrative = dict(previous.narrative)
    case.industry = previous.industry
    case.recommended_by = previous.recommended_by


def _apply_payload(case: FilingCase, payload: FilingPayload) -> None:
    if payload.category:
        case.category = payload.category
    if payload.basic is not None:
        case.basic = {**case.basic, **payload.basic}
    if payload.record is not None:
        case.record = payload.record
    if payload.narrative is not None:
        case.narrative = {**case.narrative, **payload.narrative}
    if payload.industry is not None:
        case.industry = payload.industry
    if payload.recommended_by is not None:
        case.recommended_by = payload.recommended_by
    for flag, value in payload.flags.items():
        setattr(case, flag, value)


def _replace_occupations(case: FilingCase, payload: FilingPayload) -> None:
    case.occupations.all().delete()
    FilingOccupation.objects.bulk_create(
        FilingOccupation(
            case=case,
            position=index,
            name=row.name,
            code=row.code,
            edition=row.edition,
            work_type=row.work_type,
            new_occupation=row.new_occupation,
            years=row.years,
            persons=row.persons,
            subsidised=row.subsidised,
            levels=row.levels,
            experience_level=row.experience_level,
        )
        for index, row in enumerate(payload.occupations or [])
    )


def _copy_scope(case: FilingCase, organization: Organization) -> None:
    previous = {
        (o.code, o.work_type): o
        for o in FilingOccupation.objects.filter(
            case__organization=organization, case__state=FilingState.FILED
        )
    }
    rows = []
    for index, item in enumerate(organization.scope_items.all()):
        before = previous.get((item.occupation_code, item.work_type))
        rows.append(
            FilingOccupation(
                case=case,
                position=index,
                name=item.occupation_name,
                code=item.occupation_code,
                edition=item.edition,
                work_type=item.work_type,
                new_occupation=item.new_occupation,
                levels=list(item.levels),
                years=before.years if before else 0,
                persons=before.persons if before else 0,
                subsidised=before.subsidised if before else False,
                experience_level=before.experience_level if before else None,
            )
        )
    FilingOccupation.objects.bulk_create(rows)


def _summary(case: FilingCase) -> dict[str, Any]:
    return {
        "organization": case.organization_id,
        "kind": case.kind,
        "channel": case.channel,
        "authority": case.authority.code,
        "category": case.category,
        "state": case.state,
        "basic": case.basic,
        "record": case.record,
        "industry": case.industry,
        "occupations": [[o.code, o.work_type, o.levels] for o in case.occupations.all()]
        if case.pk
        else [],
    }


# --- submission and review ---------------------------------------------------------------


def missing_for_submission(case: FilingCase) -> dict[str, list[str]]:
    """What the applicant still has to fill in or attach, by field (empty when complete)."""
    missing: dict[str, list[str]] = {}
    for key, label in BASIC_FIELDS.items():
        if not case.basic.get(key):
            missing.setdefault(f"basic.{key}", []).append(f"请填写{label}")
    if case.basic.get("credit_code") and case.basic["credit_code"] != case.organization.credit_code:
        missing.setdefault("basic.credit_code", []).append("统一社会信用代码与注册信息不一致")
    if not case.occupations.exists():
        missing["occupations"] = ["请至少填写一个拟开展认定的职业（工种）"]
    if case.channel == Channel.PROVINCE and not case.industry:
        missing["industry"] = ["省直渠道请填写所属行业系统"]
    if case.channel == Channel.PROVINCE and not case.recommended_by:
        missing["recommended_by"] = ["省直渠道请填写推荐单位（中央驻皖分支机构或省级行业主管部门）"]
    if not case.pledge_signed:
        missing["pledge_signed"] = ["请阅读并签署基本情况表中的承诺"]
    lacking = missing_materials(
        eligibility.required_for(case), case.materials.values_list("type", flat=True)
    )
    if lacking:
        missing["materials"] = [f"请上传《{m.label}》" for m in lacking]
    return missing


def submit_filing(case: FilingCase, *, actor: Any) -> FilingCase:
    """The applicant submits; the acceptance feedback is due 10 working days later."""
    with transaction.atomic():
        case = FILING_MACHINE.lock(case.pk)
        transition = FILING_MACHINE.check(case, "submit", actor)
        # The organization as time has left it (a filing past its validity is expired).
        _check_kind_fits(ORGANIZATION_MACHINE.lock(case.organization_id), case.kind)
        missing = missing_for_submission(case)
        if missing:
            raise InvalidInput(
                "申请尚不完整，请补充标出的内容后再提交", code="incomplete", fields=missing
            )
        today = clock.today()
        due = due_after_working_days(work_calendar(), today, ACCEPTANCE_WORKING_DAYS)
        case.submitted_on = today
        case.acceptance_due = due.day
        case.acceptance_due_estimated = due.estimated
        FILING_MACHINE.move(
            case,
            transition,
            actor=actor,
            extra_fields=["submitted_on", "acceptance_due", "acceptance_due_estimated"],
        )
    return case


def accept_filing(case: FilingCase, *, actor: Any) -> FilingCase:
    """Accept for evaluation; a reply after the due date marks the case overdue."""
    return _decide_acceptance(case, "accept", actor=actor, reason="")


def not_accept_filing(case: FilingCase, *, reason: str, actor: Any) -> FilingCase:
    """Refuse acceptance, with the reason the applicant reads."""
    return _decide_acceptance(case, "not-accept", actor=actor, reason=_reason(reason))


def _decide_acceptance(case: FilingCase, action: str, *, actor: Any, reason: str) -> FilingCase:
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
    return case


def _reason(reason: Any) -> str:
    text = (reason or "").strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidInput.for_field("reason", "请填写理由")
    if len(text) > 2000:
        raise InvalidInput.for_field("reason", "理由不能超过 2000 个字符")
    return text


def record_evaluation(case: FilingCase, data: Any, *, actor: Any) -> Evaluation:
    """Record one technical evaluation step; the case is then under evaluation."""
    FILING_MACHINE.check_party(case, "evaluations", actor)
    values = _evaluation_values(data)
    with transaction.atomic():
        case = FILING_MACHINE.lock(case.pk)
        transition = FILING_MACHINE.check(case, "evaluations", actor)
        evaluation = Evaluation.objects.create(
            case=case, recorded_by=actor if getattr(actor, "pk", None) else None, **values
        )
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


def _evaluation_values(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidInput("请求内容应为 JSON 对象")
    fields: dict[str, list[str]] = {}
    method = data.get("method")
    if method not in EvaluationMethod.values:
        fields["method"] = [
            "方式应为 report、interview、defence、document_review 或 technical_check"
        ]
    evaluators = data.get("evaluators")
    if isinstance(evaluators, list):
        evaluators = "、".join(str(e).strip() for e in evaluators if str(e).strip())
    if not isinstance(evaluators, str) or not evaluators.strip():
        fields["evaluators"] = ["请填写评估人员"]
    date = None
    try:
        date = dt.date.fromisoformat(str(data.get("date", "")))
        if date > clock.today():
            fields["date"] = ["评估日期不能晚于今天"]
    except ValueError:
        fields["date"] = ["日期格式应为 YYYY-MM-DD"]
    opinion = data.get("opinion")
    if not isinstance(opinion, str) or not opinion.strip():
        fields["opinion"] = ["请填写评估意见"]
    score = data.get("score")
    if score in (None, ""):
        score = None
    else:
        try:
            score = Decimal(str(score))
            if not Decimal(0) <= score <= Decimal(100) or score.as_tuple().exponent < -1:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            fields["score"] = ["评分应为 0-100 的数（最多一位小数）"]
    if fields:
        raise InvalidInput("技术评估记录有误", fields=fields)
    return {
        "method": method,
        "evaluators": evaluators.strip()[:200],
        "date": date,
        "opinion": opinion.strip(),
        "score": score,
    }


def select_filing(case: FilingCase, *, actor: Any) -> FilingCase:
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
    return case


def not_select_filing(case: FilingCase, *, reason: str, actor: Any) -> FilingCase:
    reason = _reason(reason)
    with transaction.atomic():
        case = FILING_MACHINE.lock(case.pk)
        transition = FILING_MACHINE.check(case, "not-select", actor)
        case.decision_reason = reason
        FILING_MACHINE.move(
            case, transition, actor=actor, note=reason, extra_fields=["decision_reason"]
        )
    return case


def publicize_filing(case: FilingCase, *, actor: Any) -> FilingCase:
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


def file_filing(case: FilingCase, *, actor: Any) -> FilingCase:
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
        _check_kind_fits(organization, case.kind, submitted=True)
        case.filed_on = today
        organization = apply_filing(case, actor=actor)
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
    return case


def recommend_province_wide(organization: Organization, *, actor: Any) -> FilingCase:
    """A city bureau recommends an organization it filed for province-wide service.

    The province-wide case goes to the province already submitted, with the organization's
    filed scope, record and materials.
    """
    with transaction.atomic():
        organization = ORGANIZATION_MACHINE.lock(organization.pk)  # expired if time says so
        authority = organization.filing_authority
        if not (
            getattr(actor, "role", "") == "city_bureau"
            and authority is not None
            and actor.authority_id == authority.pk
        ):
            raise Forbidden("只有备案该组织的市人社局可以推荐其面向全省开展认定", code="forbidden")
        if organization.status not in {OrganizationStatus.IN_PILOT, OrganizationStatus.ACTIVE}:
            raise Conflict(
                f"该组织当前状态为「{organization.get_status_display()}」，不能推荐",
                code="invalid_state",
            )
        if organization.scope == "province":
            raise Conflict("该组织已面向全省开展认定", code="invalid_state")
        if organization.filing_cases.filter(
            kind=FilingKind.PROVINCE_WIDE, state__in=OPEN_STATES
        ).exists():
            raise Conflict("已推荐，省人社厅正在办理", code="case_open")
        previous = (
            organization.filing_cases.filter(state=FilingState.FILED)
            .order_by("-filed_on", "-pk")
            .first()
        )
        today = clock.today()
        due = due_after_working_days(work_calendar(), today, ACCEPTANCE_WORKING_DAYS)
        case = FilingCase.objects.create(
            organization=organization,
            kind=FilingKind.PROVINCE_WIDE,
            channel=Channel.PROVINCE,
            authority=_authority(PROVINCE_CODE),
            category=organization.category,
            state=FilingState.SUBMITTED,
            basic=dict(previous.basic) if previous else {},
            record=dict(previous.record) if previous else {},
            narrative=dict(previous.narrative) if previous else {},
            recommended_by=f"{authority.name}人社局",
            pledge_signed=True,
            submitted_on=today,
            acceptance_due=due.day,
            acceptance_due_estimated=due.estimated,
        )
        _copy_scope(case, organization)
        if previous is not None:
            for material in previous.materials.all():
                material.pk = None
                material.case = case
                material.save()
        audit.record(
            actor=actor,
            action="registry.organization.recommended",
            obj=case,
            after=_summary(case),
        )
    return case
