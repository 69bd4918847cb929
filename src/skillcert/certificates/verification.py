"""What the public learns about a certificate: by number and name, never the full ID number."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import connections, router

from skillcert.assessment.models import Batch
from skillcert.certificates.models import Certificate, CertificateStatus
from skillcert.keystore.fields import open_value
from skillcert.registry.models import Organization
from skillcert.rules.codes import parse_certificate_number
from skillcert.rules.errors import InvalidInput, NotFound
from skillcert.rules.idtypes import ID_TYPES, mask_id_number
from skillcert.rules.levels import level_name


def _normal_name(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name or "").split())


@dataclass(frozen=True)
class PublicRecord:
    """What the public answer and the electronic certificate read, from one plain query."""

    number: str
    name: str
    id_type: str
    id_number: str
    occupation_name: str
    work_type: str
    level: int
    organization_name: str
    filing_number: str
    issued_on: dt.date
    status: str
    revoked_on: dt.date | None
    last_reissued_on: dt.date | None
    superseded_by_number: str | None
    organization_status: str
    organization_filed_on: dt.date | None
    organization_exited_on: dt.date | None
    organization_valid_until: dt.date | None
    plan_filed_on: dt.date | None
    results_filed_on: dt.date | None


def _public_sql() -> str:
    # One fixed statement: the ORM spent ~1 ms a request composing the same join (verification
    # is the busiest public endpoint); table names come from the models.
    certificate = Certificate._meta.db_table
    organization = Organization._meta.db_table
    batch = Batch._meta.db_table
    # Fixed text and the models' table names; the number is a bound parameter.
    return (
        "SELECT c.number, c.name, c.id_type, c.id_number, c.occupation_name, c.work_type,"  # noqa: S608
        " c.level, c.organization_name, c.filing_number, c.issued_on, c.status, c.revoked_on,"
        " c.last_reissued_on, s.number, o.status, o.filed_on, o.exited_on, o.valid_until,"
        " b.plan_filed_on, b.results_filed_on"
        f" FROM {certificate} c"
        f" JOIN {organization} o ON o.id = c.organization_id"
        f" JOIN {batch} b ON b.id = c.batch_id"
        f" LEFT JOIN {certificate} s ON s.id = c.superseded_by_id"
        " WHERE c.number = %s"
    )


DATE_COLUMNS = (9, 11, 12, 15, 16, 17, 18, 19)
ID_NUMBER_COLUMN = 3


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])  # SQLite hands dates back as text


def find_public(number: str, name: str) -> PublicRecord:
    """The certificate with this number and holder's name; a wrong name is an unknown number."""
    if not (name or "").strip():
        raise InvalidInput.for_field("name", "请填写持证人姓名")
    parsed = str(parse_certificate_number(number, field="number"))
    # Raw SQL skips the routers: ask them, so public verification may read the replica.
    with connections[router.db_for_read(Certificate)].cursor() as cursor:
        cursor.execute(_public_sql(), [parsed])
        row = cursor.fetchone()
    if row is None or _normal_name(row[1]) != _normal_name(name):
        raise NotFound("未查询到该证书：请核对证书编号和姓名", code="not_found")
    values = list(row)
    values[ID_NUMBER_COLUMN] = open_value(values[ID_NUMBER_COLUMN])  # sealed at rest (SM4)
    for index in DATE_COLUMNS:
        values[index] = _as_date(values[index])
    return PublicRecord(*values)


def public_fields(certificate: Certificate | PublicRecord) -> dict[str, Any]:
    """The fields of the contract (and of the electronic certificate)."""
    return {
        "number": certificate.number,
        "name": certificate.name,
        "id_type": ID_TYPES[certificate.id_type].name if certificate.id_type in ID_TYPES else "",
        "id_masked": mask_id_number(certificate.id_number),
        "occupation": certificate.occupation_name,
        "work_type": certificate.work_type or "——",
        "level": level_name(certificate.level),
        "organization": certificate.organization_name,
        "issued_on": certificate.issued_on.isoformat(),
        "status": certificate.status,
    }


def organization_status_on(
    filed_on: dt.date | None,
    exited_on: dt.date | None,
    valid_until: dt.date | None,
    day: dt.date,
) -> str:
    """Whether the organization was filed (and not yet out) on ``day``."""
    if filed_on is None or day < filed_on:
        return "not_filed"
    if exited_on is not None and day >= exited_on:
        return "exited"
    if valid_until is not None and day > valid_until:
        return "expired"
    return "filed"


ORGANIZATION_STATUS_LABELS = {
    "filed": "在备案有效期内",
    "not_filed": "尚未备案",
    "exited": "已退出",
    "expired": "备案已过期",
}
STATUS_NOTES = {
    CertificateStatus.VALID: "证书有效",
    CertificateStatus.REVOKED: "该证书已被撤销，不再有效",
    CertificateStatus.SUPERSEDED: "该证书信息已更正，请以新证书为准",
}


def public_view(record: PublicRecord) -> dict[str, Any]:
    """The verification answer: the certificate, its status, and who issued it, when."""
    on_issue = organization_status_on(
        record.organization_filed_on,
        record.organization_exited_on,
        record.organization_valid_until,
        record.issued_on,
    )
    return {
        **public_fields(record),
        "status_label": CertificateStatus(record.status).label,
        "status_note": STATUS_NOTES[CertificateStatus(record.status)],
        "issuer": record.filing_number,
        "issuer_status_on_issue_date": on_issue,
        "issuer_status_label": ORGANIZATION_STATUS_LABELS[on_issue],
        "issuer_status_now": record.organization_status,
        "plan_filed_on": _iso(record.plan_filed_on),
        "results_filed_on": _iso(record.results_filed_on),
        "revoked_on": _iso(record.revoked_on),
        "superseded_by": record.superseded_by_number,
        "reissued_on": _iso(record.last_reissued_on),
    }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
