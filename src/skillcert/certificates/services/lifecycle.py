"""After issue: revocation, reissue of a lost certificate (补发), correction (更正).

Each is a step of the certificate's workflow (``certificates.workflow.CERTIFICATE``): who may
take it and from which state is asked of ``CERTIFICATE_MACHINE``, which also writes the
history row and the audit entry; the certificate's own record of events
(``CertificateEvent``: 发证、补发、更正、撤销) is kept beside it. Refusals keep the wording
the pages and the API have always used.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.certificates.inputs import CertificateCorrection
from skillcert.certificates.machines import CERTIFICATE_MACHINE
from skillcert.certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateEventKind,
)
from skillcert.certificates.services.issuing import reserve_serials
from skillcert.certificates.signals import announce
from skillcert.rules import clock
from skillcert.rules.codes import compose_certificate_number
from skillcert.rules.errors import Conflict, Forbidden, InvalidInput
from skillcert.rules.idtypes import parse_id_type, validate_id_number
from skillcert.rules.inputs import Body
from skillcert.rules.workflow import Transition

# Who may take each step, as the refusal says it (the workflow decides who may).
_ONLY = {
    "revoke": "只有发证的评价机构或主管部门可以撤销证书",
    "reissue": "只有发证的评价机构可以补发证书",
    "correct": "只有发证的评价机构可以更正证书",
}
_VERB = {"revoke": "撤销", "reissue": "补发", "correct": "更正"}


def _reason(value: Any, label: str = "理由") -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput.for_field("reason", f"请填写{label}")
    if len(text) > 2000:
        raise InvalidInput.for_field("reason", f"{label}不能超过 2000 个字符")
    return text


def _check_party(certificate: Certificate, action: str, actor: Actor) -> None:
    """403 unless ``actor`` may take ``action`` on this certificate at all: asked before
    the input is read."""
    try:
        CERTIFICATE_MACHINE.check_party(certificate, action, actor)
    except Forbidden:
        raise Forbidden(_ONLY[action], code="forbidden") from None


def _lock_and_check(
    certificate: Certificate, action: str, actor: Actor
) -> tuple[Certificate, Transition]:
    """The certificate locked, and the step if it may be taken now: 409 in a state it does not
    start from, or when a guard does not hold (its own code and message)."""
    locked = CERTIFICATE_MACHINE.lock(certificate.pk)
    try:
        return locked, CERTIFICATE_MACHINE.check(locked, action, actor)
    except Forbidden:
        raise Forbidden(_ONLY[action], code="forbidden") from None
    except Conflict as exc:
        if exc.code != "invalid_state":
            raise
        raise Conflict(
            f"证书当前状态为「{locked.get_status_display()}」，不能{_VERB[action]}",
            code="invalid_state",
        ) from None


def _event(certificate: Certificate, kind: str, reason: str, actor: Actor, **extra: Any) -> None:
    CertificateEvent.objects.create(
        certificate=certificate,
        kind=kind,
        on=clock.today(),
        reason=reason,
        actor=audit.actor_ref(actor).name,
        **extra,
    )


def revoke_certificate(certificate: Certificate, *, reason: Any, actor: Actor) -> Certificate:
    """Revoke with a reason (the issuer or an officer over it); a second time is refused."""
    _check_party(certificate, "revoke", actor)
    text = _reason(reason, "撤销理由")
    with transaction.atomic():
        certificate, transition = _lock_and_check(certificate, "revoke", actor)
        certificate.revoked_on = clock.today()
        certificate.revocation_reason = text
        CERTIFICATE_MACHINE.move(
            certificate,
            transition,
            actor=actor,
            note=text,
            extra_fields=["revoked_on", "revocation_reason"],
        )
        _event(certificate, CertificateEventKind.REVOKED, text, actor)
        announce({certificate.issued_on})
    return certificate


def reissue_certificate(certificate: Certificate, *, reason: Any, actor: Actor) -> Certificate:
    """Reissue a lost certificate (补发): the same number, printed again with 补发 and date."""
    _check_party(certificate, "reissue", actor)
    text = _reason(reason, "补发原因")
    with transaction.atomic():
        certificate, transition = _lock_and_check(certificate, "reissue", actor)
        certificate.reissue_count += 1
        certificate.last_reissued_on = clock.today()
        CERTIFICATE_MACHINE.move(
            certificate,
            transition,
            actor=actor,
            note=text,
            before={"reissue_count": certificate.reissue_count - 1},
            extra_fields=["reissue_count", "last_reissued_on"],
        )
        _event(certificate, CertificateEventKind.REISSUED, text, actor)
    return certificate


CORRECTABLE = ("name", "id_type", "id_number", "work_unit")


def _corrections(body: Body, certificate: Certificate) -> dict[str, str]:
    if not body.is_object:
        raise InvalidInput("请求内容应为 JSON 对象")
    changes = {key: body[key] for key in CORRECTABLE if key in body}
    if not changes:
        raise InvalidInput.for_field(
            "name", "请填写需要更正的内容（姓名、证件类型、证件号码或所在单位）"
        )
    fields: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    if "name" in changes:
        name = str(changes["name"] or "").strip()
        if not name or len(name) > 50:
            fields["name"] = ["姓名不能为空，且不超过 50 个字符"]
        cleaned["name"] = name
    id_type = certificate.id_type
    if "id_type" in changes:
        try:
            id_type = parse_id_type(str(changes["id_type"])).code
            cleaned["id_type"] = id_type
        except InvalidInput as exc:
            fields["id_type"] = [exc.message]
    if "id_number" in changes or "id_type" in changes:
        try:
            cleaned["id_number"] = validate_id_number(
                id_type, str(changes.get("id_number", certificate.id_number))
            )
        except InvalidInput as exc:
            fields["id_number"] = [exc.message]
    if "work_unit" in changes:
        cleaned["work_unit"] = str(changes["work_unit"] or "").strip()[:100]
    if fields:
        raise InvalidInput("更正内容有误", fields=fields)
    if all(getattr(certificate, key) == value for key, value in cleaned.items()):
        raise InvalidInput.for_field("name", "更正内容与原证书相同")
    return cleaned


def correct_certificate(certificate: Certificate, data: object, *, actor: Actor) -> Certificate:
    """Correct (更正): a new certificate with a new number; the old one is superseded by it
    (only while the issuer may certify: it numbers a certificate)."""
    _check_party(certificate, "correct", actor)
    body = Body(CertificateCorrection, data)
    changes = _corrections(body, certificate)
    text = _reason(body.get("reason"), "更正原因")
    with transaction.atomic():
        certificate, transition = _lock_and_check(certificate, "correct", actor)
        organization = certificate.organization
        filing_number = organization.filing_number
        # The guard let the step through: the issuer may certify, so it is filed.
        assert filing_number is not None, "an organization that may certify has its number"
        today = clock.today()
        serial = reserve_serials(organization, today.year, {certificate.level: 1})[
            certificate.level
        ][0]
        number = compose_certificate_number(filing_number, today.year, certificate.level, serial)
        # Superseded first: one current certificate per candidate, and the replacement is it.
        CERTIFICATE_MACHINE.move(
            certificate,
            transition,
            actor=actor,
            note=text,
            after={"replacement": number, "changes": sorted(changes)},
        )
        replacement = Certificate.objects.create(
            number=number,
            candidate_id=certificate.candidate_id,
            batch_id=certificate.batch_id,
            organization=organization,
            year=today.year,
            level=certificate.level,
            serial=serial,
            issued_on=today,
            name=changes.get("name", certificate.name),
            id_type=changes.get("id_type", certificate.id_type),
            id_number=changes.get("id_number", certificate.id_number),
            work_unit=changes.get("work_unit", certificate.work_unit),
            city=certificate.city,
            occupation_code=certificate.occupation_code,
            occupation_name=certificate.occupation_name,
            work_type=certificate.work_type,
            organization_name=organization.name,
            filing_number=filing_number,
        )
        certificate.superseded_by = replacement
        certificate.save(update_fields=["superseded_by"])
        _event(certificate, CertificateEventKind.CORRECTED, text, actor, related=replacement)
        _event(
            replacement,
            CertificateEventKind.ISSUED,
            f"更正 {certificate.number}：{text}",
            actor,
            related=certificate,
        )
        announce({certificate.issued_on, replacement.issued_on})
    return replacement
