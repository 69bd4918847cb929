"""The registry's workflows bound to their models: filing cases, organizations, objections.

Who is which party comes from ``registry.access``; the guards say, in the applicant's and the
officer's words, why a step cannot be taken yet. Services apply every change through these.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from skillcert.accounts.actors import is_signed_in
from skillcert.accounts.roles import Role
from skillcert.audit.service import Actor
from skillcert.registry.access import (
    decides_for_organization,
    filings_for,
    organization_of,
    organizations_for,
    parties_for_case,
)
from skillcert.registry.documents import lapse_receipts
from skillcert.registry.models import (
    Evaluation,
    FilingCase,
    Objection,
    ObjectionState,
    Organization,
    Scope,
)
from skillcert.registry.services.numbers import retire_filing_number
from skillcert.registry.workflow import (
    FILING,
    OBJECTION,
    OPEN_STATES,
    ORGANIZATION,
    FilingKind,
    FilingState,
    ObjectionParty,
    OrganizationParty,
    Party,
)
from skillcert.rules import clock
from skillcert.rules.workflow import Refusal
from skillcert.workflow.machine import Machine, machine_for

# --- filing cases -------------------------------------------------------------------------


def _reviewer_role(case: FilingCase) -> str:
    return Role.PROVINCE_DEPT if case.authority.is_province else Role.CITY_BUREAU


def _filing_role(party: str, case: FilingCase) -> str:
    if party == Party.APPLICANT:
        return "organization"
    if party == Party.PUBLIC:
        return "public"
    if party == Party.EVALUATOR:
        return Role.PROVINCE_CENTER if case.authority.is_province else Role.CITY_CENTER
    return _reviewer_role(case)


# The worklist asks every listed case its next step: it annotates what these two guards read
# (``worklist_evaluated``, ``worklist_objection_open``), so a list costs the same queries at
# 10 rows as at 1,000. A case loaded on its own (a step taken under its lock) reads the database.


def _has_evaluation(case: FilingCase) -> Refusal | None:
    evaluated = getattr(case, "worklist_evaluated", None)
    if evaluated if evaluated is not None else case.evaluations.exists():
        return None
    return Refusal("no_evaluation", "尚无技术评估记录，不能遴选")


def _publicity_over(case: FilingCase) -> Refusal | None:
    if case.publicity_end is not None and clock.today() > case.publicity_end:
        return None
    return Refusal("publicity_running", f"公示期至 {case.publicity_end} 结束，公示期满后方可备案")


def _publicity_running(case: FilingCase) -> Refusal | None:
    if case.publicity_end is not None and clock.today() <= case.publicity_end:
        return None
    return Refusal("publicity_ended", f"公示期已于 {case.publicity_end} 结束，不能再提出异议")


def _filing_parties(user: Actor | None, case: FilingCase) -> set[str]:
    return {*parties_for_case(user, case), Party.PUBLIC}


def _no_open_objection(case: FilingCase) -> Refusal | None:
    open_objection = getattr(case, "worklist_objection_open", None)
    if open_objection is None:
        open_objection = case.objections.filter(state=ObjectionState.OPEN).exists()
    if open_objection:
        return Refusal("objection_open", "公示期内的异议尚未处理完毕，不能备案")
    return None


FILING_MACHINE: Machine[FilingCase] = Machine(
    FILING,
    FilingCase,
    audit_prefix="registry.filing",
    parties=_filing_parties,
    roles=_filing_role,
    guards={
        "has_evaluation": _has_evaluation,
        "publicity_running": _publicity_running,
        "publicity_over": _publicity_over,
        "no_open_objection": _no_open_objection,
    },
    related=("organization", "authority"),
    worklist=lambda user: (
        filings_for(user)
        .filter(state__in=FILING.waiting_states)
        .select_related("organization", "authority")
        .annotate(
            worklist_evaluated=Exists(Evaluation.objects.filter(case=OuterRef("pk"))),
            worklist_objection_open=Exists(
                Objection.objects.filter(filing=OuterRef("pk"), state=ObjectionState.OPEN)
            ),
        )
    ),
    title=lambda case: (
        f"{case.basic.get('name') or case.organization.name} · {case.get_kind_display()}"
        + (f"（{case.case_number}）" if case.case_number else "")
    ),
)


# --- organizations ------------------------------------------------------------------------


def _organization_parties(user: Actor | None, organization: Organization) -> set[str]:
    parties: set[str] = set()
    own = organization_of(user)
    if own is not None and own.pk == organization.pk:
        parties.add(OrganizationParty.SELF)
    if decides_for_organization(user, organization):
        parties.add(OrganizationParty.DECIDER)
    authority = organization.filing_authority
    if (
        is_signed_in(user)
        and user.role == Role.CITY_BUREAU
        and authority is not None
        and not authority.is_province
        and user.authority_id == authority.pk
    ):
        parties.add(OrganizationParty.RECOMMENDER)
    return parties


def _organization_role(party: str, organization: Organization) -> str:
    if party == OrganizationParty.SELF:
        return "organization"
    authority = organization.filing_authority or organization.home_city
    if party == OrganizationParty.DECIDER and (authority is None or authority.is_province):
        return Role.PROVINCE_DEPT
    return Role.CITY_BUREAU


def _city_scope(organization: Organization) -> Refusal | None:
    if organization.scope == Scope.PROVINCE:
        return Refusal("invalid_state", "该组织已面向全省开展认定")
    return None


def _no_open_recommendation(organization: Organization) -> Refusal | None:
    if organization.filing_cases.filter(
        kind=FilingKind.PROVINCE_WIDE, state__in=OPEN_STATES
    ).exists():
        return Refusal("case_open", "已推荐，省人社厅正在办理")
    return None


def _no_renewal_pending(organization: Organization) -> Refusal | None:
    """A renewal submitted before expiry is still being handled: the filing waits for it."""
    if organization.filing_cases.filter(
        kind=FilingKind.RENEWAL, state__in=OPEN_STATES - {FilingState.DRAFT}
    ).exists():
        return Refusal("renewal_pending", "延续备案申请正在办理")
    return None


def _expire(organization: Organization, actor: Actor) -> None:
    """Expiry's effects: the number goes to the retired pool, the catalog drops it."""
    today = clock.today()
    organization.exited_on = today
    organization.save(update_fields=["exited_on"])
    retire_filing_number(
        organization, reason="expired", detail="备案有效期届满未延续", on=today, actor=actor
    )
    lapse_receipts(
        organization, note=f"备案有效期已于 {organization.valid_until} 届满", actor=actor
    )


ORGANIZATION_MACHINE: Machine[Organization] = Machine(
    ORGANIZATION,
    Organization,
    audit_prefix="registry.organization",
    parties=_organization_parties,
    roles=_organization_role,
    guards={
        "city_scope": _city_scope,
        "no_open_recommendation": _no_open_recommendation,
        "no_renewal_pending": _no_renewal_pending,
    },
    related=("filing_authority", "home_city"),
    state_field="status",
    timed_effects={"expire": _expire},
    audit_names={
        "expire": "expired",
        "revoke": "revoked",
        "merge-away": "merged_away",
        "pilot-result:active": "pilot_passed",
        "pilot-result:pilot_failed": "pilot_failed",
    },
    worklist=lambda user: (
        organizations_for(user)
        .filter(status__in=ORGANIZATION.waiting_states)
        .select_related("filing_authority", "home_city")
    ),
    title=lambda organization: f"{organization.name}（{organization.filing_number or '申请中'}）",
)


# --- objections -----------------------------------------------------------------------------
# What an objection objects to (a filing case, or a batch's result publicity) has a workflow
# of its own with an ``uphold-objection`` step: who may take that step resolves the objection.
# The subject's machine is found by its model (``machine_for``): registry never imports the
# batch's app, and nothing has to register at start-up beyond the machines themselves.


def _objection_parties(user: Actor | None, objection: Objection) -> set[str]:
    subject = objection.subject
    machine = machine_for(subject)
    upholds = machine.workflow.transition("uphold-objection").parties
    return {ObjectionParty.RESOLVER} if machine.parties(user, subject) & upholds else set()


def _objection_role(party: str, objection: Objection) -> str:
    filing = objection.filing
    if filing is not None:
        return _reviewer_role(filing)
    return Role.CITY_CENTER  # a batch's result publicity: the site city's appraisal center


def _objection_title(objection: Objection) -> str:
    filing = objection.filing
    if filing is not None:
        name = filing.basic.get("name") or filing.organization.name
    else:
        subject = objection.subject
        name = machine_for(subject).title(subject)
    return f"公示期异议（{name}）"


OBJECTION_MACHINE: Machine[Objection] = Machine(
    OBJECTION,
    Objection,
    audit_prefix="registry.objection",
    audit_names={"resolve": "resolved"},
    parties=_objection_parties,
    roles=_objection_role,
    related=("filing", "filing__authority", "batch", "batch__site_city"),
    worklist=lambda user: (
        Objection.objects.filter(state=ObjectionState.OPEN)
        .filter(Q(filing__in=filings_for(user)) | Q(batch__isnull=False))
        .select_related(
            "filing", "filing__authority", "filing__organization", "batch", "batch__site_city"
        )
    ),
    title=_objection_title,
)
