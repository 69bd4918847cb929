"""The filing workflow (三 (一)-(四)) and the organization's life, declared once as data.

Each action names the states it may start from, the state it leads to and the parties that
may take it. Services check every change against these tables; a test walks them whole.
Who counts as which party for a given case is decided in ``access.parties_for_case``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models


class FilingState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    ACCEPTED = "accepted", "已受理"
    NOT_ACCEPTED = "not_accepted", "不予受理"
    UNDER_EVALUATION = "under_evaluation", "技术评估中"
    SELECTED = "selected", "遴选通过"
    NOT_SELECTED = "not_selected", "未予遴选"
    IN_PUBLICITY = "in_publicity", "公示中"
    FILED = "filed", "已备案"


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
        FilingState.ACCEPTED,
        FilingState.UNDER_EVALUATION,
        FilingState.SELECTED,
        FilingState.IN_PUBLICITY,
    }
)
ENDED_STATES = frozenset({FilingState.NOT_ACCEPTED, FilingState.NOT_SELECTED, FilingState.FILED})


class Party(StrEnum):
    APPLICANT = "applicant"  # a user of the applying organization
    REVIEWER = "reviewer"  # decides: the city bureau, or the province department for 00
    EVALUATOR = "evaluator"  # records evaluations: the reviewer, or the appraisal center


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    parties: frozenset[Party]
    label: str  # the button's text


def _t(action: str, sources: set[str], target: str, parties: set[Party], label: str) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(parties), label)


S = FilingState
FILING_TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t("submit", {S.DRAFT}, S.SUBMITTED, {Party.APPLICANT}, "提交申请"),
        _t("accept", {S.SUBMITTED}, S.ACCEPTED, {Party.REVIEWER}, "受理"),
        _t("not-accept", {S.SUBMITTED}, S.NOT_ACCEPTED, {Party.REVIEWER}, "不予受理"),
        _t(
            "evaluations",
            {S.ACCEPTED, S.UNDER_EVALUATION},
            S.UNDER_EVALUATION,
            {Party.REVIEWER, Party.EVALUATOR},
            "记录技术评估",
        ),
        _t("select", {S.UNDER_EVALUATION}, S.SELECTED, {Party.REVIEWER}, "遴选通过"),
        _t(
            "not-select",
            {S.ACCEPTED, S.UNDER_EVALUATION, S.SELECTED},
            S.NOT_SELECTED,
            {Party.REVIEWER},
            "未予遴选",
        ),
        _t("publicize", {S.SELECTED}, S.IN_PUBLICITY, {Party.REVIEWER}, "发布公示"),
        _t("file", {S.IN_PUBLICITY}, S.FILED, {Party.REVIEWER}, "予以备案"),
        # Not a button: an objection upheld during publicity ends the case.
        _t("uphold-objection", {S.IN_PUBLICITY}, S.NOT_SELECTED, {Party.REVIEWER}, "异议成立"),
    ]
}


class OrganizationAction(StrEnum):
    FILE_INITIAL = "file_initial"
    PILOT_PASSED = "pilot_passed"
    PILOT_FAILED = "pilot_failed"
    REVOKE = "revoke"
    EXPIRE = "expire"
    MERGE_AWAY = "merge_away"


# action → (allowed source statuses, target status); the registry's life of 三(三)-(四).
ORGANIZATION_TRANSITIONS: dict[OrganizationAction, tuple[frozenset[str], str]] = {
    OrganizationAction.FILE_INITIAL: (frozenset({"applying", "expired"}), "in_pilot"),
    OrganizationAction.PILOT_PASSED: (frozenset({"in_pilot"}), "active"),
    OrganizationAction.PILOT_FAILED: (frozenset({"in_pilot"}), "pilot_failed"),
    OrganizationAction.REVOKE: (frozenset({"in_pilot", "active", "pilot_failed"}), "revoked"),
    OrganizationAction.EXPIRE: (frozenset({"in_pilot", "active", "pilot_failed"}), "expired"),
    OrganizationAction.MERGE_AWAY: (frozenset({"in_pilot", "active", "pilot_failed"}), "revoked"),
}


def allowed_actions(state: str, parties: set[Party] | frozenset[Party]) -> list[Transition]:
    """The buttons a person with these parties sees on a case in this state."""
    return [
        t
        for t in FILING_TRANSITIONS.values()
        if state in t.sources and t.parties & set(parties) and t.action != "uphold-objection"
    ]
