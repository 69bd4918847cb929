"""What filing a case does to the organization, kind by kind (三 (三)-(四))."""

from __future__ import annotations

import datetime as dt

from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.registry.machines import ORGANIZATION_MACHINE
from skillcert.registry.models import (
    Channel,
    FilingCase,
    Organization,
    Scope,
    ScopeItem,
    ServiceArea,
    levels_key,
)
from skillcert.registry.services.numbers import allocate_filing_number
from skillcert.registry.workflow import FilingKind
from skillcert.rules import clock
from skillcert.rules.workdays import pilot_until, valid_until
from skillcert.rules.workflow import Transition

ORGANIZATION_FIELDS = [
    "name",
    "category",
    "status",
    "filing_number",
    "filing_authority",
    "channel",
    "scope",
    "industry",
    "filed_on",
    "valid_until",
    "pilot_until",
    "province_wide_on",
]


def apply_filing(case: FilingCase, *, actor: Actor) -> Organization:
    """Change the organization as the filed case says; returns it, saved."""
    organization = Organization.objects.select_for_update().get(pk=case.organization_id)
    before = audit.snapshot(organization, ORGANIZATION_FIELDS)
    today = clock.today()
    first = None
    if case.kind == FilingKind.INITIAL:
        first = _file_initial(organization, case, actor=actor)
    elif case.kind == FilingKind.SCOPE_CHANGE:
        _replace_scope(organization, case)
    elif case.kind == FilingKind.RENEWAL:
        # Continues from the old expiry, so renewing early loses no days (INTERPRETATIONS).
        assert organization.valid_until is not None, "only a filed organization renews"
        start = max(today, organization.valid_until + dt.timedelta(days=1))
        organization.valid_until = valid_until(start)
    elif case.kind == FilingKind.CROSS_CITY:
        ServiceArea.objects.get_or_create(
            organization=organization, city=case.authority, defaults={"since": today}
        )
    elif case.kind == FilingKind.PROVINCE_WIDE:
        organization.scope = Scope.PROVINCE
        organization.province_wide_on = today
    organization.save()
    if first is not None:
        number = organization.filing_number
        assert number is not None, "a first filing has just allocated the number"
        ORGANIZATION_MACHINE.move(organization, first, actor=actor, note=number)
    audit.record(
        actor=actor,
        action=f"registry.organization.filed_{case.kind}",
        obj=organization,
        before=before,
        after=audit.snapshot(organization, ORGANIZATION_FIELDS),
    )
    return organization


def _file_initial(organization: Organization, case: FilingCase, *, actor: Actor) -> Transition:
    """Everything a first filing sets but the status, which the returned step moves."""
    # The filing case is the party that files: no person takes this step on its own.
    transition = ORGANIZATION_MACHINE.check_as(organization, "file-initial", {"filing"})
    today = clock.today()
    organization.filing_number = allocate_filing_number(
        case.category, case.authority.code, actor=actor
    )
    organization.category = case.category
    organization.filing_authority = case.authority
    organization.channel = case.channel
    organization.scope = Scope.PROVINCE if case.channel == Channel.PROVINCE else Scope.CITY
    organization.industry = case.industry
    organization.filed_on = today
    organization.valid_until = valid_until(today)
    organization.pilot_until = pilot_until(today)
    organization.exited_on = None
    organization.exit_reason = ""
    basic = case.basic
    organization.name = basic.get("name") or organization.name
    organization.address = basic.get("address", "")
    organization.nature = basic.get("nature", "")
    organization.legal_representative = basic.get("legal_representative", "")
    organization.contact_name = basic.get("contact_name", "")
    organization.contact_phone = basic.get("contact_phone", "")
    _replace_scope(organization, case)
    organization.service_areas.all().delete()
    if not case.authority.is_province:
        ServiceArea.objects.create(organization=organization, city=case.authority, since=today)
    return transition


def _replace_scope(organization: Organization, case: FilingCase) -> None:
    organization.scope_items.all().delete()
    ScopeItem.objects.bulk_create(
        ScopeItem(
            organization=organization,
            occupation_name=o.name,
            occupation_code=o.code,
            edition=o.edition,
            work_type=o.work_type,
            levels=sorted(o.levels),
            levels_key=levels_key(o.levels),
            new_occupation=o.new_occupation,
        )
        for o in case.occupations.all()
    )
