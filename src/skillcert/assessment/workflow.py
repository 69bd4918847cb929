"""The batch workflow (五): plan filing, implementation, results, publicity, result filing.

Declared once as data: each action, the states it may start from, where it leads and who
may take it. Services check every change against this table; a test walks it whole.

Receipt (签收) and return (退回) by the site city's appraisal center (domain.md §9) keep the
contract's states: a filed plan stays ``plan_filed`` and filed results ``results_filed``
(still final: done for statistics and lists) while the center may answer; ``receive`` and
``return`` hold only until ``plan_receipt_due`` (the guards), and the conditional waits point
``next`` at the center until then. Unanswered, the filing counts as received on its due day:
time records it (``deem-*-received``, attributed to the system, whenever the batch is read),
``*_received_by`` staying empty. A returned plan is a draft again; returned results are back
in ``certificates_issued`` with their original ``results_due``.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models

from skillcert.rules.workflow import Wait, Workflow, t, timed


class BatchState(models.TextChoices):
    DRAFT = "draft", "草稿"
    PLAN_FILED = "plan_filed", "计划已报备"
    RESULTS_ENTERED = "results_entered", "成绩已录入"
    IN_PUBLICITY = "in_publicity", "结果公示中"
    PUBLICITY_CLOSED = "publicity_closed", "公示期满"
    CERTIFICATES_ISSUED = "certificates_issued", "证书已编号"
    RESULTS_FILED = "results_filed", "结果已报备"
    WITHDRAWN = "withdrawn", "已撤回"


class BatchParty(StrEnum):
    ORGANIZATION = "organization"  # the organization running the batch
    CENTER = "center"  # the appraisal center (and bureau) of the batch's site city
    RECEIVER = "receiver"  # the appraisal center of the site city alone: receives filings
    INSPECTOR = "inspector"  # an inspector of the site city or the province
    PROVINCE = "province"  # the province department and center
    PUBLIC = "public"  # anyone, signed in or not


S = BatchState
P = BatchParty
BATCH = Workflow(
    name="batch",
    noun="批次",
    states=dict(BatchState.choices),
    final=frozenset({S.RESULTS_FILED, S.WITHDRAWN}),
    transitions=(
        t("edit", {S.DRAFT}, None, {P.ORGANIZATION}, "编辑计划"),
        t("submit", {S.DRAFT}, S.PLAN_FILED, {P.ORGANIZATION}, "报备计划"),
        t(
            "receive",
            {S.PLAN_FILED},
            None,
            {P.RECEIVER},
            "签收计划",
            guards=["plan_awaiting_receipt"],
        ),
        t(
            "return",
            {S.PLAN_FILED},
            S.DRAFT,
            {P.RECEIVER},
            "退回计划",
            guards=["plan_awaiting_receipt"],
        ),
        t(
            "withdraw",
            {S.PLAN_FILED},
            S.WITHDRAWN,
            {P.ORGANIZATION},
            "撤回计划",
            guards=["not_started"],
        ),
        t(
            "inspections",
            {S.PLAN_FILED, S.RESULTS_ENTERED},
            None,
            {P.INSPECTOR, P.CENTER, P.PROVINCE},
            "记录抽查",
        ),
        t("attendance", {S.PLAN_FILED, S.RESULTS_ENTERED}, None, {P.ORGANIZATION}, "记录考勤"),
        t(
            "results",
            {S.PLAN_FILED, S.RESULTS_ENTERED},
            S.RESULTS_ENTERED,
            {P.ORGANIZATION},
            "录入成绩",
        ),
        t("publicize", {S.RESULTS_ENTERED}, S.IN_PUBLICITY, {P.ORGANIZATION}, "发布结果公示"),
        t(
            "objections",
            {S.IN_PUBLICITY},
            None,
            {P.PUBLIC},
            "提出异议",
            guards=["publicity_running"],
        ),
        # Driven by the objection's resolution: the results go back for correction.
        t(
            "uphold-objection",
            {S.IN_PUBLICITY},
            S.RESULTS_ENTERED,
            {P.CENTER, P.PROVINCE},
            "异议成立",
            offered=False,
        ),
        # From in_publicity only in name: time closes a publicity that is over without an
        # open objection before anyone acts, so there the guards explain why not yet.
        t(
            "issue",
            {S.IN_PUBLICITY, S.PUBLICITY_CLOSED},
            S.CERTIFICATES_ISSUED,
            {P.ORGANIZATION},
            "生成证书编号",
            guards=["publicity_over", "no_open_objection"],
        ),
        t(
            "file-results",
            {S.CERTIFICATES_ISSUED},
            S.RESULTS_FILED,
            {P.ORGANIZATION},
            "结果报备",
        ),
        t(
            "receive-results",
            {S.RESULTS_FILED},
            None,
            {P.RECEIVER},
            "签收结果",
            guards=["results_awaiting_receipt"],
        ),
        t(
            "return-results",
            {S.RESULTS_FILED},
            S.CERTIFICATES_ISSUED,
            {P.RECEIVER},
            "退回结果",
            guards=["results_awaiting_receipt"],
        ),
    ),
    timed=(
        # The 7 days are over (from the day after publicity_end) and no objection is open.
        timed(
            "close-publicity",
            {S.IN_PUBLICITY},
            S.PUBLICITY_CLOSED,
            "publicity_end",
            "公示期满",
            guards=["no_open_objection"],
        ),
        # Unanswered by the end of its 3rd working day, a filing counts as received then.
        timed(
            "deem-plan-received",
            {S.PLAN_FILED},
            S.PLAN_FILED,
            "plan_receipt_due",
            "计划逾期未签收，视为已签收",
            once_field="plan_received_on",
        ),
        timed(
            "deem-results-received",
            {S.RESULTS_FILED},
            S.RESULTS_FILED,
            "results_receipt_due",
            "结果逾期未签收，视为已签收",
            once_field="results_received_on",
        ),
    ),
    waits={
        S.DRAFT: Wait(P.ORGANIZATION, "submit", "plan_due"),
        S.PLAN_FILED: (
            Wait(P.RECEIVER, "receive", "plan_receipt_due", conditional=True),
            Wait(P.ORGANIZATION, "results"),
        ),
        S.RESULTS_ENTERED: Wait(P.ORGANIZATION, "publicize"),
        S.PUBLICITY_CLOSED: Wait(P.ORGANIZATION, "issue"),
        S.CERTIFICATES_ISSUED: Wait(P.ORGANIZATION, "file-results", "results_due"),
        S.RESULTS_FILED: Wait(
            P.RECEIVER, "receive-results", "results_receipt_due", conditional=True
        ),
    },
)

# States in which the batch's certificates are numbered (and 附件5 can be made).
NUMBERED_STATES = BATCH.states_after(S.CERTIFICATES_ISSUED)
# States in which results exist (scores shown, 附件4 can be made).
RESULTS_STATES = BATCH.states_after(S.RESULTS_ENTERED)


def has_results(batch: object) -> bool:
    """Results exist: scores are shown and 附件4 can be made."""
    return getattr(batch, "state", None) in RESULTS_STATES


def is_numbered(batch: object) -> bool:
    """The certificates are numbered: numbers are shown and 附件5 can be made."""
    return getattr(batch, "state", None) in NUMBERED_STATES


def issue_ahead(batch: object) -> bool:
    """Certificate numbers are the next step (the publicity runs or is over)."""
    return getattr(batch, "state", None) in BATCH.transition("issue").sources


# The batch page's action bar, in workflow order (the other actions have forms of their own).
BUTTON_ACTIONS = ("submit", "results", "publicize", "issue", "file-results")
# The appraisal center's answers to a filing (签收 / 退回), each pair on the batch page.
RECEIPT_ACTIONS = ("receive", "return", "receive-results", "return-results")


def annex_not_ready(batch: object, number: int) -> str | None:
    """Why 附件4 or 附件5 cannot be made yet (None when it can): one answer for pages and API."""
    if number == 4 and not has_results(batch):
        return "成绩录入后方可生成附件4"
    if number == 5 and not is_numbered(batch):
        return "证书编号生成后方可生成附件5"
    return None


# States in which the plan stands filed: past the draft, and neither returned nor withdrawn
# (a returned plan is a draft again; the table leads back there, so not ``states_after``).
PLAN_FILED_STATES = frozenset(BATCH.states) - {BatchState.DRAFT, BatchState.WITHDRAWN}


def plan_filed(batch: object) -> bool:
    """The plan is filed (a batch past its draft): officers see it, certificates may follow."""
    return getattr(batch, "state", None) in PLAN_FILED_STATES
