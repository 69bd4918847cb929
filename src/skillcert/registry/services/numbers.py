"""Filing numbers (机构备案号, 附件3): allocated from a locked counter, never reused."""

from __future__ import annotations

import datetime as dt

from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.registry.models import FilingNumberCounter, Organization, RetiredNumber
from skillcert.rules.codes import FILING_SERIAL_MAX, compose_filing_number, next_serial
from skillcert.rules.regions import ANHUI


def allocate_filing_number(category: str, city_code: str, *, actor: Actor) -> str:
    """The next number of the city's sequence (shared by Y and S), inside the caller's transaction.

    The counter row is locked until the transaction ends, so concurrent filings in one city
    queue and get consecutive serials; the unique constraint on ``Organization.filing_number``
    is the last guard. Past 9999 this raises ``Exhausted`` and nothing is written.
    """
    province = ANHUI.province_code
    FilingNumberCounter.objects.get_or_create(province=province, city=city_code)
    counter = FilingNumberCounter.objects.select_for_update().get(province=province, city=city_code)
    serial = next_serial(counter.last_serial, maximum=FILING_SERIAL_MAX)
    number = compose_filing_number(category, city_code, serial, province=province)
    FilingNumberCounter.objects.filter(pk=counter.pk).update(last_serial=serial)
    audit.record(
        actor=actor,
        action="registry.filing_number_allocated",
        obj=counter,
        before={"last_serial": counter.last_serial},
        after={"last_serial": serial, "number": number},
    )
    return number


def retire_filing_number(
    organization: Organization, *, reason: str, detail: str, on: dt.date, actor: Actor
) -> RetiredNumber:
    """Move the organization's number to the retired pool (废置库); it stays queryable."""
    number = organization.filing_number
    assert number is not None, "only a filed organization has a number to retire"
    retired = RetiredNumber.objects.create(
        number=number,
        organization=organization,
        organization_name=organization.name,
        reason=reason,
        detail=detail,
        retired_on=on,
    )
    audit.record(
        actor=actor,
        action="registry.filing_number_retired",
        obj=retired,
        after={"number": retired.number, "organization": organization.pk, "reason": reason},
    )
    return retired
