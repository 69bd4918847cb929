"""Organizations: registration, pilot results, exit (revocation), expiry, mergers, thresholds."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from skillcert.accounts import services as accounts
from skillcert.accounts.models import Authority, User
from skillcert.accounts.roles import Role
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.registry import signals
from skillcert.registry.access import decides_for_organization
from skillcert.registry.documents import issue_revocation, lapse_receipts
from skillcert.registry.inputs import CityThresholds as CityThresholdsRequest
from skillcert.registry.inputs import Merger
from skillcert.registry.machines import ORGANIZATION_MACHINE
from skillcert.registry.models import (
    CityThresholds,
    ExitReason,
    Membership,
    Notice,
    NoticeKind,
    Organization,
    Scope,
    ScopeItem,
    ServiceArea,
    levels_key,
)
from skillcert.registry.services.numbers import allocate_filing_number, retire_filing_number
from skillcert.registry.workflow import OrganizationStatus
from skillcert.rules import clock
from skillcert.rules.credit_code import validate_credit_code
from skillcert.rules.errors import Conflict, Forbidden, InvalidInput
from skillcert.rules.inputs import Body
from skillcert.rules.regions import ANHUI
from skillcert.rules.workdays import pilot_until, valid_until


def check_organization_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput.for_field("name", "请填写单位名称")
    if len(name) > 200:
        raise InvalidInput.for_field("name", "单位名称不能超过 200 个字符")
    return name


def home_city_for(credit_code: str) -> Authority | None:
    """The Anhui city whose division the credit code carries, if any."""
    city = ANHUI.city_for_division(validate_credit_code(credit_code).division)
    return Authority.objects.filter(code=city.code).first() if city else None


def register_organization(
    *, username: str, password: str, credit_code: str, name: str, actor: Actor | None = None
) -> Organization:
    """An organization registers itself: a new organization record and its first user.

    Enforces: a valid unified social credit code (GB 32100 check character and the embedded
    GB 11714 organization code), one registration per credit code, a free username and
    Django's password rules. Registration does not file anything: the organization is
    ``applying`` until a filing case ends in ``filed``.
    """
    code = validate_credit_code(credit_code).code
    name = check_organization_name(name)
    actor = actor or audit.PUBLIC
    try:
        with transaction.atomic():
            if Organization.objects.filter(credit_code=code).exists():
                raise InvalidInput.for_field(
                    "credit_code", f"统一社会信用代码 {code} 已注册，请使用已有账户登录"
                )
            user = accounts.create_organization_user(username, password=password, actor=actor)
            organization = Organization.objects.create(
                name=name, credit_code=code, home_city=home_city_for(code)
            )
            Membership.objects.create(user=user, organization=organization)
            audit.record(
                actor=actor,
                action="registry.organization_registered",
                obj=organization,
                after={**audit.snapshot(organization), "user": user.username},
            )
    except IntegrityError:
        # Two registrations raced past the checks; the unique constraints kept one.
        raise InvalidInput("用户名或统一社会信用代码已被注册", code="duplicate") from None
    return organization


def record_pilot_result(organization: Organization, *, passed: Any, actor: Actor) -> Organization:
    """The pilot's evaluation: passed → may certify until expiry; failed → may not certify."""
    ORGANIZATION_MACHINE.check_party(organization, "pilot-result", actor)
    if not isinstance(passed, bool):
        raise InvalidInput.for_field("passed", "请说明试点评估是否通过（true 或 false）")
    with transaction.atomic():
        organization = ORGANIZATION_MACHINE.lock(organization.pk)
        transition = ORGANIZATION_MACHINE.check(organization, "pilot-result", actor)
        ORGANIZATION_MACHINE.move(
            organization,
            transition,
            actor=actor,
            outcome=OrganizationStatus.ACTIVE if passed else OrganizationStatus.PILOT_FAILED,
            note="试点评估通过" if passed else "试点评估未通过",
        )
    return organization


def _exit_reason(value: Any) -> str:
    if value in (None, ""):
        return ExitReason.OTHER
    if value not in ExitReason.values or value == ExitReason.MERGED:
        allowed = "、".join(f"{r.value}（{r.label}）" for r in ExitReason if r != ExitReason.MERGED)
        raise InvalidInput.for_field("category", f"退出原因应为 {allowed}")
    return str(value)  # one of the choices' values


def revoke_organization(
    organization: Organization, *, reason: Any, category: Any = None, actor: Actor
) -> Organization:
    """Exit (退出): revoke the filing with a reason; the number is retired, the catalog
    drops the organization and a public notice announces it."""
    ORGANIZATION_MACHINE.check_party(organization, "revoke", actor)
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidInput.for_field("reason", "请填写撤销理由")
    category = _exit_reason(category)
    with transaction.atomic():
        organization = ORGANIZATION_MACHINE.lock(organization.pk)
        transition = ORGANIZATION_MACHINE.check(organization, "revoke", actor)
        today = clock.today()
        organization.exited_on = today
        organization.exit_reason = category
        organization.exit_detail = text
        ORGANIZATION_MACHINE.move(
            organization,
            transition,
            actor=actor,
            note=text,
            extra_fields=["exited_on", "exit_reason", "exit_detail"],
        )
        retire_filing_number(organization, reason=category, detail=text, on=today, actor=actor)
        authority = organization.filing_authority
        assert authority is not None, "only a filed organization can be revoked"
        Notice.objects.create(
            kind=NoticeKind.EXIT,
            title=f"关于撤销{organization.name}职业技能等级认定备案的公告",
            body=(
                f"备案号：{organization.filing_number}\n"
                f"撤销原因：{ExitReason(category).label}\n说明：{text}"
            ),
            authority=authority,
            organization=organization,
            starts_on=today,
        )
        issue_revocation(
            organization, category=ExitReason(category).label, reason=text, actor=actor
        )
        signals.filing_revoked.send(sender="registry", organization=organization)
    return organization


def expire_organization(organization: Organization, *, actor: Actor | None = None) -> bool:
    """Expire a filing past its validity (3 years) unless a renewal is still being handled:
    the workflow's time-driven ``expire`` (reading the organization does the same)."""
    before = organization.status
    with transaction.atomic():
        organization = ORGANIZATION_MACHINE.lock(organization.pk)
    return organization.status != before and organization.status == OrganizationStatus.EXPIRED


def merge_organizations(data: object, *, actor: Actor) -> Organization:
    """Mergers (附件3): into an existing organization, which keeps its number, or into a new
    one, which gets a new number; every absorbed organization's number is retired."""
    members, into, name, credit_code, category = _merger_input(data)
    with transaction.atomic():
        by_pk = {}
        for pk in sorted({*members, *([into] if into else [])}):  # in order: no deadlock
            try:  # locked with time's steps applied (a filing past its validity is expired)
                by_pk[pk] = ORGANIZATION_MACHINE.lock(pk)
            except Organization.DoesNotExist:
                continue
        missing = [pk for pk in [*members, *([into] if into else [])] if pk not in by_pk]
        if missing:
            raise InvalidInput.for_field("members", f"未找到评价组织：{missing}")
        absorbed = [by_pk[pk] for pk in members]
        involved = [*absorbed, *([by_pk[into]] if into else [])]
        for organization in involved:
            if not decides_for_organization(actor, organization):
                raise Forbidden(f"您无权办理 {organization.name} 的合并", code="forbidden")
        for organization in involved:
            if not organization.is_filed:
                raise Conflict(
                    f"{organization.name} 不是已备案的评价组织，不能合并", code="invalid_state"
                )
        today = clock.today()
        target = by_pk[into] if into else _new_merged(absorbed, name, credit_code, category, actor)
        for organization in absorbed:
            _absorb(organization, target, today=today, actor=actor)
        _union_scope(target, absorbed)
        authority = target.filing_authority
        assert authority is not None, "every organization in a merger is filed"
        Notice.objects.create(
            kind=NoticeKind.MERGER,
            title=f"关于{'、'.join(o.name for o in absorbed)}合并的公告",
            body=(
                f"{'、'.join(f'{o.name}（{o.filing_number}）' for o in absorbed)}"
                f"{'并入' if into else '合并设立'}{target.name}（备案号 {target.filing_number}），"
                "原备案号注销。"
            ),
            authority=authority,
            organization=target,
            starts_on=today,
        )
        audit.record(
            actor=actor,
            action="registry.organization.merged",
            obj=target,
            after={
                "members": members,
                "into": into,
                "target": target.pk,
                "filing_number": target.filing_number,
            },
        )
    return target


def _merger_input(data: object) -> tuple[list[int], int | None, str, str, str]:
    body = Body(Merger, data)
    if not body.is_object:
        raise InvalidInput("请求内容应为 JSON 对象")
    members = body.get("members")
    if not isinstance(members, list) or not all(
        isinstance(m, int) and not isinstance(m, bool) for m in members
    ):
        raise InvalidInput.for_field("members", "members 应为评价组织编号的列表")
    members = list(dict.fromkeys(members))
    into = body.get("into")
    if into is not None and (not isinstance(into, int) or isinstance(into, bool)):
        raise InvalidInput.for_field("into", "into 应为评价组织编号或 null")
    if into in members:
        raise InvalidInput.for_field("into", "并入的组织不能同时是被合并的成员")
    if into is None and len(members) < 2:
        raise InvalidInput.for_field("members", "合并新设至少需要两个成员")
    if into is not None and not members:
        raise InvalidInput.for_field("members", "请列出被并入的评价组织")
    given_name, given_code = body.get("name"), body.get("credit_code")
    name = given_name if isinstance(given_name, str) else ""
    credit_code = given_code if isinstance(given_code, str) else ""
    category = str(body.get("category") or "")
    if into is None:
        name = check_organization_name(name)
        if not credit_code:
            raise InvalidInput.for_field("credit_code", "合并新设的组织须填写统一社会信用代码")
        credit_code = validate_credit_code(credit_code).code
        if Organization.objects.filter(credit_code=credit_code).exists():
            raise InvalidInput.for_field("credit_code", "该统一社会信用代码已注册")
        if category not in ("", "S", "Y"):
            raise InvalidInput.for_field("category", "类别应为 S 或 Y")
    return members, into, name, credit_code, category


def _new_merged(
    absorbed: list[Organization], name: str, credit_code: str, category: str, actor: Actor
) -> Organization:
    authorities = {o.filing_authority_id for o in absorbed}
    if len(authorities) != 1:
        raise InvalidInput.for_field(
            "members", "合并新设的成员须由同一备案机关备案；跨地市合并请由省人社厅分别办理"
        )
    first = absorbed[0]
    authority = first.filing_authority
    assert authority is not None, "every organization in a merger is filed"
    today = clock.today()
    organization = Organization.objects.create(
        name=name,
        credit_code=credit_code,
        category=category or first.category,
        home_city=home_city_for(credit_code),
        status="active",
        filing_authority=authority,
        channel=first.channel,
        scope=Scope.PROVINCE if any(o.scope == Scope.PROVINCE for o in absorbed) else Scope.CITY,
        industry=first.industry,
        filed_on=today,
        valid_until=valid_until(today),
        pilot_until=pilot_until(today),
    )
    organization.filing_number = allocate_filing_number(
        organization.category, authority.code, actor=actor
    )
    organization.save(update_fields=["filing_number"])
    return organization


def _absorb(organization: Organization, target: Organization, *, today: Any, actor: Actor) -> None:
    transition = ORGANIZATION_MACHINE.check(organization, "merge-away", actor)
    organization.exited_on = today
    organization.exit_reason = ExitReason.MERGED
    organization.exit_detail = f"并入 {target.name}（{target.filing_number}）"
    organization.merged_into = target
    ORGANIZATION_MACHINE.move(
        organization,
        transition,
        actor=actor,
        note=organization.exit_detail,
        extra_fields=["exited_on", "exit_reason", "exit_detail", "merged_into"],
    )
    retire_filing_number(
        organization,
        reason=ExitReason.MERGED,
        detail=organization.exit_detail,
        on=today,
        actor=actor,
    )
    lapse_receipts(organization, note=f"已合并注销，{organization.exit_detail}", actor=actor)


def _union_scope(target: Organization, absorbed: list[Organization]) -> None:
    have = {(i.occupation_code, i.work_type): i for i in target.scope_items.all()}
    for organization in absorbed:
        for item in organization.scope_items.all():
            key = (item.occupation_code, item.work_type)
            if key in have:
                merged = sorted(set(have[key].levels) | set(item.levels))
                if merged != have[key].levels:
                    have[key].levels = merged
                    have[key].levels_key = levels_key(merged)
                    have[key].save(update_fields=["levels", "levels_key"])
            else:
                have[key] = ScopeItem.objects.create(
                    organization=target,
                    occupation_name=item.occupation_name,
                    occupation_code=item.occupation_code,
                    edition=item.edition,
                    work_type=item.work_type,
                    levels=list(item.levels),
                    levels_key=levels_key(item.levels),
                    new_occupation=item.new_occupation,
                )
        for area in organization.service_areas.all():
            ServiceArea.objects.get_or_create(
                organization=target, city=area.city, defaults={"since": clock.today()}
            )


def set_city_thresholds(authority: Authority, data: object, *, actor: Actor) -> CityThresholds:
    """A city bureau sets the city-wide thresholds of 一(三); empty values mean none."""
    if not (
        isinstance(actor, User)
        and actor.role == Role.CITY_BUREAU
        and actor.authority_id == authority.pk
    ):
        raise Forbidden("只有本市人社局可以设定本市的备案条件", code="forbidden")
    body = Body(CityThresholdsRequest, data)
    if not body.is_object:
        raise InvalidInput("请求内容应为 JSON 对象")
    values: dict[str, int | None] = {}
    errors: dict[str, list[str]] = {}
    for key in ("years_continuous", "persons_total", "persons_per_occupation"):
        value = body.get(key)
        if value in (None, ""):
            values[key] = None
        elif isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10_000_000:
            values[key] = value
        else:
            errors[key] = ["应为非负整数或留空"]
    if errors:
        raise InvalidInput("备案条件有误", fields=errors)
    with transaction.atomic():
        row, _ = CityThresholds.objects.select_for_update().get_or_create(authority=authority)
        before = {k: getattr(row, k) for k in values}
        for key, value in values.items():
            setattr(row, key, value)
        row.save()
        audit.record(
            actor=actor,
            action="registry.city_thresholds_set",
            obj=row,
            before=before,
            after=values,
        )
    return row
