"""From the database to what a certificate shows, and whether it may be shown.

A revoked or superseded certificate is never rendered (Conflict): ``refusal`` says why, for
the record page; ``document_notes`` lists what a rendered certificate lacks (photo, seal).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from skillcert.assessment.models import Batch
from skillcert.certificates.models import Certificate, CertificateStatus
from skillcert.certificates.pdf.drawing import render_faces
from skillcert.certificates.pdf.layout import (
    NOTE_NO_PHOTO,
    NOTE_NO_SEAL,
    CertificateFace,
    chinese_date,
)
from skillcert.certificates.services.photos import photo_path
from skillcert.registry.services.seals import current_seal_path
from skillcert.rules.errors import Conflict
from skillcert.rules.idtypes import ID_TYPES
from skillcert.rules.levels import level_name


def render_certificate(certificate: Certificate) -> bytes:
    """The certificate as a one-page PDF. Conflict (409) when revoked or superseded;
    FontMissing (503) when no Kai font is installed."""
    reason = refusal(certificate)
    if reason:
        raise Conflict(reason, code="certificate_not_valid")
    return render_faces([face_of(certificate)])


def face_of(certificate: Certificate, *, seal: Path | bool | None = True) -> CertificateFace:
    """What the certificate shows. ``seal``: True looks up the organization's current
    confirmed seal; a path (or None) uses that one (a batch looks it up once)."""
    seal_file = current_seal_path(certificate.organization_id) if seal is True else seal
    photo = photo_path(certificate.candidate) if certificate.candidate_id else None
    id_type = ID_TYPES.get(certificate.id_type)
    return CertificateFace(
        number=certificate.number,
        name=certificate.name,
        id_type=id_type.name if id_type else certificate.id_type,
        id_number=certificate.id_number,
        occupation=certificate.occupation_name,
        work_type=certificate.work_type,
        level=level_name(certificate.level),
        issued_on=certificate.issued_on,
        organization=certificate.organization_name,
        base_url=str(settings.BASE_URL).rstrip("/"),
        reissued_on=certificate.last_reissued_on if certificate.reissue_count else None,
        photo=str(photo) if photo else None,
        seal=str(seal_file) if isinstance(seal_file, Path) else None,
    )


def batch_faces(batch: Batch) -> list[CertificateFace]:
    """The faces of the batch's valid certificates, in number order (photos in one query)."""
    certificates = (
        Certificate.objects.filter(batch=batch, status=CertificateStatus.VALID)
        .select_related("candidate__photo")
        .order_by("number")
    )
    seal = current_seal_path(batch.organization_id)
    return [face_of(certificate, seal=seal) for certificate in certificates]


def refusal(certificate: Certificate) -> str | None:
    """Why the certificate may not be rendered (revoked, superseded), or None."""
    if certificate.status == CertificateStatus.REVOKED:
        when = f"于{chinese_date(certificate.revoked_on)}" if certificate.revoked_on else ""
        why = f"，理由：{certificate.revocation_reason}" if certificate.revocation_reason else ""
        return f"该证书已{when}撤销{why}，不能出具证书"
    if certificate.status == CertificateStatus.SUPERSEDED:
        newer = certificate.superseded_by
        then = f"，请使用更正后的证书（编号 {newer.number}）" if newer is not None else ""
        return f"该证书已更正{then}，原证书不能再出具"
    return None


def has_photo(certificate: Certificate) -> bool:
    """Whether the certificate will show the candidate's photo (else the 照片 box)."""
    return certificate.candidate_id is not None and photo_path(certificate.candidate) is not None


def document_notes(certificate: Certificate) -> list[str]:
    """What the record page says about the printed certificate: why it is refused, or what
    it lacks (no photo; no confirmed seal: 印章未确认)."""
    reason = refusal(certificate)
    if reason:
        return [reason]
    notes = []
    if not has_photo(certificate):
        notes.append(NOTE_NO_PHOTO)
    if current_seal_path(certificate.organization_id) is None:
        notes.append(NOTE_NO_SEAL)
    return notes
