"""The filing workflow (三 (一)-(四)) and the organization's life, declared once as data.

Each action names the states it may start from, the state it leads to and the parties that
may take it. Services check every change against these tables; a test walks them whole.
Who counts as which party for a given case is decided in ``access.parties_for_case``.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models

from skillcert.rules.workflow import Wait, Workflow, t, timed


class FilingState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    CORRECTION_REQUESTED = "correction_requested", "待补正"
    ACCEPTED = "accepted", "已受理"
    NOT_ACCEPTED = "not_accepted", "不予受理"
    UNDER_EVALUATION = "under_evaluation", "技术评估中"
    SELECTED = "selected", "遴选通过"
    NOT_SELECTED = "not_selected", "未予遴选"
    IN_PUBLICITY = "in_publicity", "公示中"
    FILED = "filed", "已备案"
    WITHDRAWN = "withdrawn", "已撤回"


class OrganizationStatus(models.TextChoices):
    APPLYING = "applying", "申请中"
    IN_PILOT = "in_pilot", "试点中"
    ACTIVE = "active", "已备案"
    PILOT_FAILED = "pilot_failed", "试点未通过"
    REVOKED = "revoked", "已撤销"
    EXPIRED = "expired", "已过期"


class ObjectionState(models.TextChoices):
    OPEN = "open", "待处理"
    UPHELD = "upheld", "异议成立"
    DISMISSED = "dismissed", "异议不成立"


class FilingKind(models.TextChoices):
    INITIAL = "initial", "首次备案"
    SCOPE_CHANGE = "scope_change", "变更职业（工种）及等级"
    RENEWAL = "renewal", "延续备案"
    CROSS_CITY = "cross_city", "异地备案"
    PROVINCE_WIDE = "province_wide", "面向全省备案（市级推荐）"


# Kinds an organization may start itself (province-wide cases start from a recommendation).
APPLICANT_KINDS = (
    FilingKind.INITIAL,
    FilingKind.SCOPE_CHANGE,
    FilingKind.RENEWAL,
    FilingKind.CROSS_CITY,
)
OPEN_STATES = frozenset(
    {
        FilingState.DRAFT,
        FilingState.SUBMITTED,
        FilingState.CORRECTION_REQUESTED,
        FilingState.ACCEPTED,
        FilingState.UNDER_EVALUATION,
        FilingState.SELECTED,
        FilingState.IN_PUBLICITY,
    }
)
ENDED_STATES = frozenset(
    {FilingState.NOT_ACCEPTED, FilingState.NOT_SELECTED, FilingState.FILED, FilingState.WITHDRAWN}
)


class Party(StrEnum):
    APPLICANT = "applicant"  # a user of the applying organization
    REVIEWER = "reviewer"  # decides: the city bureau, or the province department for 00
    EVALUATOR = "evaluator"  # records evaluations: the reviewer, or the appraisal center
    PUBLIC = "public"  # anyone, signed in or not


S = FilingState
FILING = Workflow(
    name="filing",
    noun="申请",
    states=dict(FilingState.choices),
    final=frozenset({S.NOT_ACCEPTED, S.NOT_SELECTED, S.FILED, S.WITHDRAWN}),
    transitions=(
        t("submit", {S.DRAFT, S.CORRECTION_REQUESTED}, S.SUBMITTED, {Party.APPLICANT}, "提交申请"),
        # 一次性告知 (domain.md §9): every item at once, once per submission.
        t(
            "request-correction",
            {S.SUBMITTED},
            S.CORRECTION_REQUESTED,
            {Party.REVIEWER},
            "一次性告知补正",
        ),
        # Before the selection decision; final, the case keeps its number.
        t(
            "withdraw",
            {S.SUBMITTED, S.CORRECTION_REQUESTED, S.ACCEPTED, S.UNDER_EVALUATION},
            S.WITHDRAWN,
            {Party.APPLICANT},
            "撤回申请",
        ),
        t("accept", {S.SUBMITTED}, S.ACCEPTED, {Party.REVIEWER}, "受理"),
        t("not-accept", {S.SUBMITTED}, S.NOT_ACCEPTED, {Party.REVIEWER}, "不予受理"),
        t(
            "evaluations",
            {S.ACCEPTED, S.UNDER_EVALUATION},
            S.UNDER_EVALUATION,
            {Party.REVIEWER, Party.EVALUATOR},
            "记录技术评估",
        ),
        t(
            "select",
            {S.UNDER_EVALUATION},
            S.SELECTED,
            {Party.REVIEWER},
            "遴选通过",
            guards=["has_evaluation"],
        ),
        t(
            "not-select",
            {S.ACCEPTED, S.UNDER_EVALUATION, S.SELECTED},
            S.NOT_SELECTED,
            {Party.REVIEWER},
            "未予遴选",
        ),
        t("publicize", {S.SELECTED}, S.IN_PUBLICITY, {Party.REVIEWER}, "发布公示"),
        t(
            "objections",
            {S.IN_PUBLICITY},
            None,
            {Party.PUBLIC},
            "提出异议",
            guards=["publicity_running"],
        ),
        t(
            "file",
            {S.IN_PUBLICITY},
            S.FILED,
            {Party.REVIEWER},
            "予以备案",
            guards=["publicity_over", "no_open_objection"],
        ),
        # Driven by the objection's resolution, never a button of its own.
        t(
            "uphold-objection",
            {S.IN_PUBLICITY},
            S.NOT_SELECTED,
            {Party.REVIEWER},
            "异议成立",
            offered=False,
        ),
    ),
    waits={
        S.DRAFT: Wait(Party.APPLICANT, "submit"),
        S.SUBMITTED: Wait(Party.REVIEWER, "accept", "acceptance_due"),
        S.CORRECTION_REQUESTED: Wait(Party.APPLICANT, "submit"),
        S.ACCEPTED: Wait(Party.EVALUATOR, "evaluations"),
        S.UNDER_EVALUATION: Wait(Party.REVIEWER, "select"),
        S.SELECTED: Wait(Party.REVIEWER, "publicize"),
        S.IN_PUBLICITY: Wait(Party.REVIEWER, "file", "publicity_end", deadline=False),
    },
)


class OrganizationParty(StrEnum):
    SELF = "organization"  # the organization's own users
    DECIDER = "decider"  # the bureau that filed it (its home city's before), or the province
    RECOMMENDER = "recommender"  # the city bureau that filed it (province-wide recommendation)
    FILING = "filing"  # the filing case that files it (not a person: never a button)


OS = OrganizationStatus
_FILED = {OS.IN_PILOT, OS.ACTIVE, OS.PILOT_FAILED}
ORGANIZATION = Workflow(
    name="organization",
    noun="评价组织",
    states=dict(OrganizationStatus.choices),
    final=frozenset({OS.REVOKED}),
    transitions=(
        # The organization applies (a first filing, or again after expiry): the action opens
        # its applications; the filing case then files it (``file-initial``).
        t("apply", {OS.APPLYING, OS.EXPIRED}, None, {OrganizationParty.SELF}, "申请备案"),
        # Draft and file assessment batches: before the first filing a plan may be drafted
        # (filing it needs the filing); an organization that may no longer certify may not.
        t(
            "batches",
            {OS.APPLYING, OS.IN_PILOT, OS.ACTIVE},
            None,
            {OrganizationParty.SELF},
            "新建认定批次",
        ),
        t(
            "file-initial",
            {OS.APPLYING, OS.EXPIRED},
            OS.IN_PILOT,
            {OrganizationParty.FILING},
            "予以备案",
            offered=False,
        ),
        t(
            "pilot-result",
            {OS.IN_PILOT},
            (OS.ACTIVE, OS.PILOT_FAILED),
            {OrganizationParty.DECIDER},
            "确认试点结果",
        ),
        t(
            "recommend",
            {OS.IN_PILOT, OS.ACTIVE},
            None,
            {OrganizationParty.RECOMMENDER},
            "推荐面向全省",
            guards=["city_scope", "no_open_recommendation"],
        ),
        t("revoke", _FILED, OS.REVOKED, {OrganizationParty.DECIDER}, "撤销备案"),
        t("merge-away", _FILED, OS.REVOKED, {OrganizationParty.DECIDER}, "合并注销", offered=False),
    ),
    timed=(
        timed(
            "expire",
            _FILED,
            OS.EXPIRED,
            "valid_until",
            "备案有效期届满",
            guards=["no_renewal_pending"],
        ),
    ),
    waits={
        OS.IN_PILOT: Wait(OrganizationParty.DECIDER, "pilot-result", "pilot_until"),
    },
)


class ObjectionParty(StrEnum):
    RESOLVER = "resolver"  # who handles the publicity: the filing's reviewer, the batch's center


OB = ObjectionState
OBJECTION = Workflow(
    name="objection",
    noun="异议",
    states=dict(ObjectionState.choices),
    final=frozenset({OB.UPHELD, OB.DISMISSED}),
    transitions=(
        t("resolve", {OB.OPEN}, (OB.UPHELD, OB.DISMISSED), {ObjectionParty.RESOLVER}, "处理异议"),
    ),
    waits={OB.OPEN: Wait(ObjectionParty.RESOLVER, "resolve")},
)


def is_refused(case: object) -> bool:
    """The case ended without a filing by a decision (not accepted, or not selected): the
    applicant reads the reasons. A case the applicant withdrew was not refused."""
    return getattr(case, "state", None) in FILING.final - {FilingState.FILED, FilingState.WITHDRAWN}
