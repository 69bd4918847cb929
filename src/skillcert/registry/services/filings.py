"""Filing cases from draft to submission (三 (一)) and the city's province-wide recommendation;
each change is one function. The review steps, acceptance to filing (三 (二)-(三)), are in
``review`` and importable from here too."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from skillcert.accounts.models import Authority, User
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.reference.selectors import work_calendar
from skillcert.registry import checklist as eligibility
from skillcert.registry.machines import FILING_MACHINE, ORGANIZATION_MACHINE
from skillcert.registry.models import (
    Channel,
    FilingCase,
    FilingOccupation,
    Organization,
    OrganizationStatus,
)
from skillcert.registry.payloads import BASIC_FIELDS, FilingPayload, parse_filing_payload
from skillcert.registry.services import messages as tell
from skillcert.registry.services.review import (
    accept_filing,
    check_kind_fits,
    file_filing,
    not_accept_filing,
    not_select_filing,
    publicize_filing,
    record_evaluation,
    request_correction,
    select_filing,
)
from skillcert.registry.workflow import APPLICANT_KINDS, OPEN_STATES, FilingKind, FilingState
from skillcert.rules import clock
from skillcert.rules.errors import Conflict, Forbidden, InvalidInput
from skillcert.rules.filing import (
    ACCEPTANCE_WORKING_DAYS,
    missing_materials,
)
from skillcert.rules.workdays import due_after_working_days
from skillcert.workflow.numbers import next_case_number

# The review steps live in ``review``; callers keep importing them from here.
__all__ = [
    "PROVINCE_CODE",
    "accept_filing",
    "create_filing",
    "file_filing",
    "missing_for_submission",
    "not_accept_filing",
    "not_select_filing",
    "publicize_filing",
    "recommend_province_wide",
    "record_evaluation",
    "request_correction",
    "select_filing",
    "startable_kinds",
    "submit_filing",
    "update_filing",
    "withdraw_filing",
]

PROVINCE_CODE = "00"


# --- drafts ------------------------------------------------------------------------------


def create_filing(organization: Organization, data: object, *, actor: Actor) -> FilingCase:
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
        check_kind_fits(organization, kind)
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


def update_filing(case: FilingCase, data: object, *, actor: Actor) -> FilingCase:
    """Save changes to a draft (the wizard saves each step); only the applicant, only drafts."""
    payload = parse_filing_payload(data)
    with transaction.atomic():
        case = FILING_MACHINE.lock(case.pk)
        FILING_MACHINE.check(case, "submit", actor)  # same party and state as submitting
        if payload.kind and payload.kind != case.kind:
            raise InvalidInput.for_field("kind", "申请类型创建后不能修改，请新建申请")
        if payload.channel or payload.city:
            authority, channel = _target(case.organization, case.kind, payload)
            moved = authority.pk != case.authority_id or channel != case.channel
            if moved and case.case_number:
                # Submitted once (补正): the case, its number and its 补正告知书 belong to the
                # authority it went to; another authority is another application.
                raise InvalidInput.for_field(
                    "city",
                    f"办件 {case.case_number} 已向{case.authority.name}提交，补正时不能改变"
                    "受理机关或申请渠道；如需向其他机关申请，请撤回后另行申请",
                )
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
    kinds: list[str] = []
    for kind in APPLICANT_KINDS:
        try:
            check_kind_fits(organization, kind)
        except Conflict:
            continue
        if kind not in open_kinds:
            kinds.append(kind)
    return kinds


def _target(organization: Organization, kind: str, payload: FilingPayload) -> tuple[Authority, str]:
    """Where the case is filed: (authority, channel), from the kind and the request."""
    if kind in {FilingKind.SCOPE_CHANGE, FilingKind.RENEWAL}:
        authority = organization.filing_authority
        assert authority is not None, "only a filed organization changes or renews its filing"
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
        "basic": FilingCase._meta.get_field("basic").masked(case.basic),  # the phone masked
        "record": case.record,
        "industry": case.industry,
        "occupations": [[o.code, o.work_type, o.levels] for o in case.occupations.all()]
        if case.pk
        else [],
    }


# --- submission --------------------------------------------------------------------------


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


def submit_filing(case: FilingCase, *, actor: Actor) -> FilingCase:
    """The applicant submits; the acceptance feedback is due 10 working days later."""
    with transaction.atomic():
        case = FILING_MACHINE.lock(case.pk)
        transition = FILING_MACHINE.check(case, "submit", actor)
        # The organization as time has left it (a filing past its validity is expired).
        check_kind_fits(ORGANIZATION_MACHINE.lock(case.organization_id), case.kind)
        missing = missing_for_submission(case)
        if missing:
            raise InvalidInput(
                "申请尚不完整，请补充标出的内容后再提交", code="incomplete", fields=missing
            )
        today = clock.today()
        due = due_after_working_days(work_calendar(), today, ACCEPTANCE_WORKING_DAYS)
        again = case.state == FilingState.CORRECTION_REQUESTED
        before = {"correction_items": case.correction_items} if case.correction_items else {}
        case.submitted_on = today
        case.acceptance_due = due.day
        case.acceptance_due_estimated = due.estimated
        # 办件编号 at the first submission, kept for good (a resubmission keeps it).
        if not case.case_number:
            case.case_number = next_case_number("BA", case.authority.code, today.year)
        # The 补正 items are answered: the 补正告知书 and the audit entry keep them.
        case.correction_items = []
        FILING_MACHINE.move(
            case,
            transition,
            actor=actor,
            before=before,
            extra_fields=[
                "submitted_on",
                "acceptance_due",
                "acceptance_due_estimated",
                "case_number",
                "correction_items",
            ],
        )
        tell.submitted(case, again=again)
    return case


def withdraw_filing(case: FilingCase, *, actor: Actor) -> FilingCase:
    """The applicant withdraws before the selection decision (domain.md §9): final, the case
    keeps its number; the organization may apply again (a withdrawn case is not open)."""
    with transaction.atomic():
        case = FILING_MACHINE.lock(case.pk)
        transition = FILING_MACHINE.check(case, "withdraw", actor)
        case.withdrawn_on = clock.today()
        FILING_MACHINE.move(case, transition, actor=actor, extra_fields=["withdrawn_on"])
        tell.withdrawn(case)
    return case


def recommend_province_wide(organization: Organization, *, actor: Actor) -> FilingCase:
    """A city bureau recommends an organization it filed for province-wide service.

    The province-wide case goes to the province already submitted, with the organization's
    filed scope, record and materials.
    """
    with transaction.atomic():
        organization = ORGANIZATION_MACHINE.lock(organization.pk)  # expired if time says so
        authority = organization.filing_authority
        if not (
            isinstance(actor, User)
            and actor.role == "city_bureau"
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
            case_number=next_case_number("BA", PROVINCE_CODE, today.year),
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
            after={**_summary(case), "case_number": case.case_number},
        )
        tell.submitted(case, again=False)
    return case
