"""Who may see and act on which batch (and on which objection, to a batch or a filing case).
Every view and list goes through here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from skillcert.accounts.actors import is_signed_in
from skillcert.accounts.models import User
from skillcert.accounts.roles import CITY_ROLES, PROVINCE_ROLES, Role
from skillcert.assessment.models import Batch
from skillcert.assessment.workflow import BatchParty, BatchState
from skillcert.audit.service import Actor
from skillcert.registry.access import filings_for, organization_of
from skillcert.registry.models import Objection
from skillcert.rules.errors import NotFound

if TYPE_CHECKING:  # not importable before the app registry is ready
    from django.contrib.auth.models import AnonymousUser


def _province_wide(user: User) -> bool:
    if user.role in PROVINCE_ROLES:
        return True
    return bool(user.role == Role.INSPECTOR and user.authority and user.authority.is_province)


def batches_for(user: Actor | None) -> QuerySet[Batch]:
    """Batches a user may read: its organization's (drafts included); for officers, the filed
    plans held in or by their city, or all for the province. A draft is the organization's
    working copy: nobody else sees it before the plan is filed; a plan the center returned
    (a draft again, with its case number) stays visible to the officers who saw it filed,
    with the 计划退回通知 they issued."""
    if not is_signed_in(user):
        return Batch.objects.none()
    _catch_up()
    everything = Batch.objects.all()
    own = organization_of(user)
    if own is not None:
        return everything.filter(organization=own)
    filed = everything.exclude(state=BatchState.DRAFT, plan_case_number="")
    if _province_wide(user):
        return filed
    if user.role in CITY_ROLES or user.role == Role.INSPECTOR:
        city = user.authority_id
        return filed.filter(Q(site_city_id=city) | Q(organization__home_city_id=city))
    return everything.none()


def get_batch_for_user(user: User | AnonymousUser, pk: int) -> Batch:
    batch = batches_for(user).select_related("organization", "site_city").filter(pk=pk).first()
    if batch is None:
        raise NotFound("未找到该认定批次", code="not_found")
    return batch


def get_objection_for_user(user: User | AnonymousUser, pk: int) -> Objection:
    """An objection to a filing case or a batch the user may read (404 otherwise, as for an
    absent one): the one access helper of both kinds. Whether they may resolve it is the
    objection workflow's question."""
    objection = Objection.objects.filter(pk=pk).first()
    if objection is not None and objection.filing_id is not None:
        visible = filings_for(user).filter(pk=objection.filing_id).exists()
    elif objection is not None and objection.batch_id is not None:
        visible = batches_for(user).filter(pk=objection.batch_id).exists()
    else:
        visible = False
    if not visible or objection is None:
        raise NotFound("未找到该异议", code="not_found")
    return objection


def _catch_up() -> None:
    """Time-driven steps due on any batch are applied before it is read (domain.md §8)."""
    from skillcert.assessment.machines import BATCH_MACHINE  # binds access: imported late

    BATCH_MACHINE.catch_up_all()


def parties_for_batch(user: Actor | None, batch: Batch) -> frozenset[BatchParty]:
    if not is_signed_in(user):
        return frozenset()
    parties: set[BatchParty] = set()
    own = organization_of(user)
    if own is not None and own.pk == batch.organization_id:
        parties.add(BatchParty.ORGANIZATION)
    if (
        user.role in {Role.CITY_CENTER, Role.CITY_BUREAU}
        and user.authority_id == batch.site_city_id
    ):
        parties.add(BatchParty.CENTER)
        if user.role == Role.CITY_CENTER:  # filings are received by the appraisal center
            parties.add(BatchParty.RECEIVER)
    if user.role in {Role.PROVINCE_DEPT, Role.PROVINCE_CENTER}:
        parties.add(BatchParty.PROVINCE)
    if user.role == Role.INSPECTOR and (
        user.authority_id == batch.site_city_id or (user.authority and user.authority.is_province)
    ):
        parties.add(BatchParty.INSPECTOR)
    return frozenset(parties)


def may_download_annexes(user: User | AnonymousUser, batch: Batch) -> bool:
    """附件4/5: the organization, its city center (and bureau), and the province."""
    parties = parties_for_batch(user, batch)
    return bool(parties & {BatchParty.ORGANIZATION, BatchParty.CENTER, BatchParty.PROVINCE})
