"""Receipt (签收) and return (退回) of plan and result filings by the site city's appraisal
center, and the withdrawal (撤回) of a plan (domain.md §9).

A filing waits for the center's answer until its ``*_receipt_due`` (the 3rd working day after
it was filed); unanswered, time records it received on that day (``machines``: the
``deem-*-received`` steps, ``*_received_by`` empty). A return names every reason at once (one
text, a reason a line), issues the 计划退回通知 / 结果退回通知 and sends the plan back to
draft or the results back to ``certificates_issued`` (their ``results_due`` unchanged). Each
step tells the other side in its inbox, in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse

from skillcert.accounts.actors import acting_user
from skillcert.accounts.roles import Role
from skillcert.assessment import signals
from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.assessment.models import Batch
from skillcert.audit.service import Actor
from skillcert.formal import service as formal
from skillcert.formal.models import DocumentKind, FormalDocument
from skillcert.inbox.service import notify, officers, organization_users
from skillcert.rules import clock
from skillcert.rules.errors import InvalidInput

MAX_REASON = 2000


def return_reasons(reason: Any) -> list[str]:
    """Every reason of a return, one per line (blank lines dropped): 400 when there is none."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidInput.for_field("reason", "请填写退回理由（可分行填写多条，一次告知）")
    if len(text) > MAX_REASON:
        raise InvalidInput.for_field("reason", f"退回理由不能超过 {MAX_REASON} 个字符")
    return [line.strip() for line in text.splitlines() if line.strip()]


# --- telling the parties -------------------------------------------------------------------


def organization_link(batch: Batch) -> str:
    return reverse("web:org_batch", args=[batch.pk])


def center_link(batch: Batch) -> str:
    return reverse("web:review_batch", args=[batch.pk])


def tell_center(batch: Batch, *, event: str, title: str, body: str = "") -> None:
    notify(
        officers([Role.CITY_CENTER], batch.site_city_id),
        event=event,
        title=title,
        body=body,
        link=center_link(batch),
        subject=f"batch:{batch.pk}",
    )


def tell_organization(batch: Batch, *, event: str, title: str, body: str = "") -> None:
    notify(
        organization_users(batch.organization_id),
        event=event,
        title=title,
        body=body,
        link=organization_link(batch),
        subject=f"batch:{batch.pk}",
    )


def numbered(reasons: list[str]) -> list[str]:
    if len(reasons) == 1:
        return reasons
    return [f"{index}. {reason}" for index, reason in enumerate(reasons, 1)]


# --- the plan ------------------------------------------------------------------------------


def receive_plan(batch: Batch, *, actor: Actor) -> Batch:
    """The center receives (签收) the filed plan."""
    BATCH_MACHINE.check_party(batch, "receive", actor)
    with transaction.atomic():
        batch = BATCH_MACHINE.lock(batch.pk)
        transition = BATCH_MACHINE.check(batch, "receive", actor)
        batch.plan_received_on = clock.today()
        batch.plan_received_by = acting_user(actor)
        BATCH_MACHINE.move(
            batch,
            transition,
            actor=actor,
            extra_fields=["plan_received_on", "plan_received_by"],
        )
        tell_organization(
            batch,
            event="batch.plan_received",
            title=f"认定计划已签收：{batch.title}（{batch.plan_case_number}）",
            body=f"{batch.site_city.name}职业技能鉴定中心已于 {batch.plan_received_on} "
            "签收该计划。",
        )
    return batch


def return_plan(batch: Batch, *, reason: Any, actor: Actor) -> Batch:
    """The center returns (退回) the filed plan with every reason at once: it is a draft
    again for the organization to correct and file anew (its case number kept)."""
    BATCH_MACHINE.check_party(batch, "return", actor)
    reasons = return_reasons(reason)
    with transaction.atomic():
        batch = BATCH_MACHINE.lock(batch.pk)
        transition = BATCH_MACHINE.check(batch, "return", actor)
        filed_on = batch.plan_filed_on
        batch.plan_return_reason = "\n".join(reasons)
        batch.plan_filed_on = None
        batch.plan_receipt_due = None
        document = _issue_return(
            batch,
            DocumentKind.PLAN_RETURN,
            f"你单位于 {filed_on} 报备的职业技能等级认定计划“{batch.title}”（办件编号 "
            f"{batch.plan_case_number}，认定时间 {batch.start_date} 至 {batch.end_date}）"
            "经审核，存在以下问题，现予退回：",
            reasons,
            "请按上述意见修改后，在认定开始前 10 个工作日重新报备。",
            actor,
        )
        BATCH_MACHINE.move(
            batch,
            transition,
            actor=actor,
            note=batch.plan_return_reason,
            after={"document": document.number},
            extra_fields=["plan_return_reason", "plan_filed_on", "plan_receipt_due"],
        )
        tell_organization(
            batch,
            event="batch.plan_returned",
            title=f"认定计划被退回：{batch.title}（{batch.plan_case_number}）",
            body="退回理由：\n" + "\n".join(numbered(reasons)) + "\n请修改后重新报备。",
        )
    return batch


def withdraw_plan(batch: Batch, *, actor: Actor) -> Batch:
    """The organization withdraws (撤回) its filed plan before the assessment starts: final,
    the case number kept."""
    BATCH_MACHINE.check_party(batch, "withdraw", actor)
    with transaction.atomic():
        batch = BATCH_MACHINE.lock(batch.pk)
        transition = BATCH_MACHINE.check(batch, "withdraw", actor)
        batch.withdrawn_on = clock.today()
        BATCH_MACHINE.move(batch, transition, actor=actor, extra_fields=["withdrawn_on"])
        tell_center(
            batch,
            event="batch.plan_withdrawn",
            title=f"认定计划已撤回：{batch.title}（{batch.plan_case_number}）",
            body=f"{batch.organization.name}于 {batch.withdrawn_on} 撤回了该认定计划"
            f"（原定 {batch.start_date} 开始），本批次不再开展认定。",
        )
        signals.plan_withdrawn.send(sender=Batch, batch=batch)
    return batch


# --- the results ---------------------------------------------------------------------------


def receive_results(batch: Batch, *, actor: Actor) -> Batch:
    """The center receives (签收) the result filing."""
    BATCH_MACHINE.check_party(batch, "receive-results", actor)
    with transaction.atomic():
        batch = BATCH_MACHINE.lock(batch.pk)
        transition = BATCH_MACHINE.check(batch, "receive-results", actor)
        batch.results_received_on = clock.today()
        batch.results_received_by = acting_user(actor)
        BATCH_MACHINE.move(
            batch,
            transition,
            actor=actor,
            extra_fields=["results_received_on", "results_received_by"],
        )
        tell_organization(
            batch,
            event="batch.results_received",
            title=f"认定结果报备已签收：{batch.title}（{batch.results_case_number}）",
            body=f"{batch.site_city.name}职业技能鉴定中心已于 {batch.results_received_on} "
            "签收该批次的结果报备。",
        )
    return batch


def return_results(batch: Batch, *, reason: Any, actor: Actor) -> Batch:
    """The center returns (退回) the result filing with every reason at once: the batch is
    back in ``certificates_issued``, its original ``results_due`` still running (a filing
    after it is late)."""
    BATCH_MACHINE.check_party(batch, "return-results", actor)
    reasons = return_reasons(reason)
    with transaction.atomic():
        batch = BATCH_MACHINE.lock(batch.pk)
        transition = BATCH_MACHINE.check(batch, "return-results", actor)
        filed_on = batch.results_filed_on
        batch.results_return_reason = "\n".join(reasons)
        batch.results_filed_on = None
        batch.results_receipt_due = None
        batch.late = False  # decided again when the results are filed anew
        due = f"，报备期限仍为 {batch.results_due}" if batch.results_due else ""
        document = _issue_return(
            batch,
            DocumentKind.RESULTS_RETURN,
            f"你单位于 {filed_on} 报备的职业技能等级认定结果“{batch.title}”（办件编号 "
            f"{batch.results_case_number}）经审核，存在以下问题，现予退回：",
            reasons,
            f"请按上述意见更正后重新报备{due}。",
            actor,
        )
        BATCH_MACHINE.move(
            batch,
            transition,
            actor=actor,
            note=batch.results_return_reason,
            after={"document": document.number},
            extra_fields=[
                "results_return_reason",
                "results_filed_on",
                "results_receipt_due",
                "late",
            ],
        )
        tell_organization(
            batch,
            event="batch.results_returned",
            title=f"认定结果报备被退回：{batch.title}（{batch.results_case_number}）",
            body="退回理由：\n" + "\n".join(numbered(reasons)) + f"\n请更正后重新报备{due}。",
        )
    return batch


def _issue_return(
    batch: Batch,
    kind: str,
    opening: str,
    reasons: list[str],
    closing: str,
    actor: Actor,
) -> FormalDocument:
    return formal.issue(
        kind,
        authority=batch.site_city,
        recipient=batch.organization.name,
        subject=f"batch:{batch.pk}",
        body=[f"{batch.organization.name}：", opening, *numbered(reasons), closing],
        actor=actor,
    )
