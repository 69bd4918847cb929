"""The batch workflow (五): plan filing, implementation, results, publicity, result filing.

Declared once as data: each action, the states it may start from, where it leads and who
may take it. Services check every change against this table; a test walks it whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models


class BatchState(models.TextChoices):
    DRAFT = "draft", "草稿"
    PLAN_FILED = "plan_filed", "计划已报备"
    RESULTS_ENTERED = "results_entered", "成绩已录入"
    IN_PUBLICITY = "in_publicity", "结果公示中"
    PUBLICITY_CLOSED = "publicity_closed", "公示期满"
    CERTIFICATES_ISSUED = "certificates_issued", "证书已编号"
    RESULTS_FILED = "results_filed", "结果已报备"


class BatchParty(StrEnum):
    ORGANIZATION = "organization"  # the organization running the batch
    CENTER = "center"  # the appraisal center (and bureau) of the batch's site city
    INSPECTOR = "inspector"  # an inspector of the site city or the province
    PROVINCE = "province"  # the province department and center
    SYSTEM = "system"  # the daily sweep


@dataclass(frozen=True)
class BatchTransition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the state stays (records something)
    parties: frozenset[BatchParty]
    label: str


def _t(
    action: str, sources: set[str], target: str | None, parties: set[BatchParty], label: str
) -> BatchTransition:
    return BatchTransition(action, frozenset(sources), target, frozenset(parties), label)


S = BatchState
P = BatchParty
BATCH_TRANSITIONS: dict[str, BatchTransition] = {
    t.action: t
    for t in [
        _t("edit", {S.DRAFT}, None, {P.ORGANIZATION}, "编辑计划"),
        _t("submit", {S.DRAFT}, S.PLAN_FILED, {P.ORGANIZATION}, "报备计划"),
        _t(
            "inspections",
            {S.PLAN_FILED, S.RESULTS_ENTERED},
            None,
            {P.INSPECTOR, P.CENTER, P.PROVINCE},
            "记录抽查",
        ),
        _t("attendance", {S.PLAN_FILED, S.RESULTS_ENTERED}, None, {P.ORGANIZATION}, "记录考勤"),
        _t(
            "results",
            {S.PLAN_FILED, S.RESULTS_ENTERED},
            S.RESULTS_ENTERED,
            {P.ORGANIZATION},
            "录入成绩",
        ),
        _t("publicize", {S.RESULTS_ENTERED}, S.IN_PUBLICITY, {P.ORGANIZATION}, "发布结果公示"),
        # Closed by the sweep or just before issuing, once the 7 days are over without an
        # open objection; an upheld objection sends the results back for correction.
        _t(
            "close-publicity",
            {S.IN_PUBLICITY},
            S.PUBLICITY_CLOSED,
            {P.ORGANIZATION, P.SYSTEM},
            "公示期满",
        ),
        _t(
            "uphold-objection",
            {S.IN_PUBLICITY},
            S.RESULTS_ENTERED,
            {P.CENTER, P.PROVINCE},
            "异议成立",
        ),
        _t(
            "issue",
            {S.PUBLICITY_CLOSED},
            S.CERTIFICATES_ISSUED,
            {P.ORGANIZATION},
            "生成证书编号",
        ),
        _t(
            "file-results",
            {S.CERTIFICATES_ISSUED},
            S.RESULTS_FILED,
            {P.ORGANIZATION},
            "结果报备",
        ),
    ]
}

# Buttons, in workflow order (close-publicity and uphold-objection are not buttons).
BUTTON_ACTIONS = ("submit", "results", "publicize", "issue", "file-results")


def allowed_batch_actions(state: str, parties: frozenset[BatchParty]) -> list[BatchTransition]:
    return [
        BATCH_TRANSITIONS[action]
        for action in BUTTON_ACTIONS
        if state in BATCH_TRANSITIONS[action].sources
        and BATCH_TRANSITIONS[action].parties & parties
    ]
