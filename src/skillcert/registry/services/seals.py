"""Organizations' seals (印章): uploaded by the organization, confirmed by its filing authority.

An organization's own user uploads an image of its seal (PNG with transparency preferred;
JPEG, or PNG without transparency, is taken as a stamp on white paper and the white made
transparent). It is checked like any upload (size limit, content, decoded in full),
cropped to the stamp, scaled to at most ``MAX_SIDE`` pixels and stored as PNG in the file
storage (``seals/<organization>/<uuid>.png``), pending. The bureau that filed the organization
(or the province department: ``decides_for_organization``) confirms or rejects it.
Certificates and receipts draw the latest confirmed seal (``current_seal``); until one is
confirmed they draw none.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from PIL import Image

from skillcert.accounts.actors import user_or_none
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.documents import files, images
from skillcert.registry.access import decides_for_organization, organization_of
from skillcert.registry.models import Organization, OrganizationSeal, SealState
from skillcert.registry.services.materials import read_upload
from skillcert.rules import clock
from skillcert.rules.errors import Conflict, Forbidden, InvalidInput

SEAL_DIR = "seals"
# A seal is printed about 40 mm wide: 600 px is 380 dpi, more than any printer needs.
MAX_SIDE = 600
MIN_SIDE = 100
# Pixels at most this transparent count as background when the stamp is cropped.
CROP_ALPHA = 24
WITHDRAWN_NOTE = "已由新上传的印章取代"


def upload_seal(organization: Organization, upload: Any, *, actor: Actor) -> OrganizationSeal:
    """Store a new seal image of ``organization``, pending confirmation.

    Only the organization's own users (Forbidden otherwise, before the file is read);
    TooLarge (413) beyond the upload limit; InvalidInput (400) for anything that is not a
    usable JPEG or PNG stamp. An earlier seal still pending is withdrawn (rejected with a
    note), so officers only ever decide on the newest upload.
    """
    own = organization_of(actor)
    if own is None or own.pk != organization.pk:
        raise Forbidden("只有评价组织本身可以上传其印章", code="forbidden")
    data = read_upload(upload)
    stamp = _stamp(images.load_image(data, field="file", what="印章图片"))
    stored_bytes = images.encode_png(stamp)
    digest = hashlib.sha256(stored_bytes).hexdigest()
    stored = f"{SEAL_DIR}/{organization.pk}/{uuid.uuid4().hex}.png"
    files.save(stored, stored_bytes)
    try:
        with transaction.atomic():
            Organization.objects.select_for_update().filter(pk=organization.pk).first()
            now = clock.now()
            withdrawn = list(
                OrganizationSeal.objects.filter(
                    organization=organization, state=SealState.PENDING
                ).values_list("pk", flat=True)
            )
            if withdrawn:
                OrganizationSeal.objects.filter(pk__in=withdrawn).update(
                    state=SealState.REJECTED, decided_at=now, note=WITHDRAWN_NOTE
                )
            seal = OrganizationSeal.objects.create(
                organization=organization,
                stored_name=stored,
                sha256=digest,
                uploaded_by=user_or_none(actor),
            )
            audit.record(
                actor=actor,
                action="registry.seal.uploaded",
                obj=seal,
                after={
                    "organization": organization.pk,
                    "sha256": digest,
                    "width": stamp.width,
                    "height": stamp.height,
                    "uploaded": {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()},
                    "withdrawn": withdrawn,
                },
            )
    except Exception:
        files.delete(stored)
        raise
    return seal


def decide_seal(
    seal: OrganizationSeal, *, confirmed: bool, note: str, actor: Actor
) -> OrganizationSeal:
    """Confirm or reject a pending seal: the bureau that filed the organization, or the
    province department (Forbidden otherwise); Conflict when it is no longer pending.
    A rejection needs a note saying why (shown to the organization)."""
    organization = seal.organization
    if not decides_for_organization(actor, organization):
        raise Forbidden("只有该评价组织的备案机关可以确认其印章", code="forbidden")
    note = (note or "").strip()
    if not confirmed and not note:
        raise InvalidInput.for_field("note", "不予确认时请说明理由")
    with transaction.atomic():
        seal = OrganizationSeal.objects.select_for_update().get(pk=seal.pk)
        if seal.state != SealState.PENDING:
            raise Conflict(
                f"该印章当前状态为「{seal.get_state_display()}」，不能再次确认或驳回",
                code="invalid_state",
            )
        before = {"state": seal.state}
        seal.state = SealState.CONFIRMED if confirmed else SealState.REJECTED
        seal.decided_at = clock.now()
        seal.decided_by = user_or_none(actor)
        seal.note = note
        seal.save(update_fields=["state", "decided_at", "decided_by", "note"])
        audit.record(
            actor=actor,
            action="registry.seal.confirmed" if confirmed else "registry.seal.rejected",
            obj=seal,
            before=before,
            after={
                "state": seal.state,
                "organization": seal.organization_id,
                "sha256": seal.sha256,
                **({"note": note} if note else {}),
            },
        )
    return seal


def _confirmed(organization: Organization | int) -> QuerySet[OrganizationSeal]:
    """The organization's confirmed seals, the one confirmed last first.

    A new upload withdraws the pending one, so seals are decided in upload order and the
    newest row is the one confirmed last; ``decided_at`` could say otherwise in a drill that
    runs across a real midnight (see ``rules.clock.now``)."""
    organization_id = organization if isinstance(organization, int) else organization.pk
    return OrganizationSeal.objects.filter(
        organization_id=organization_id, state=SealState.CONFIRMED
    ).order_by("-pk")


def current_seal(organization: Organization | int) -> OrganizationSeal | None:
    """The seal documents carry: the one confirmed last; None when none is confirmed."""
    return _confirmed(organization).first()


def current_seal_path(organization: Organization | int) -> Path | None:
    """A local file of the current confirmed seal for the PDF renderer, or None (none
    confirmed, or the file is gone)."""
    # Only the file name: this runs for every certificate printed on its own.
    stored_name = _confirmed(organization).values_list("stored_name", flat=True).first()
    if stored_name is None:
        return None
    return files.cached_copy(stored_name)


def _stamp(picture: Image.Image) -> Image.Image:
    """The stamp as RGBA: transparent around it, cropped to it, at most MAX_SIDE wide/high."""
    if images.has_alpha(picture):
        stamp = picture.convert("RGBA")
    else:
        stamp = images.ink_on_transparent(picture)
    box = stamp.getchannel("A").point(lambda value: 255 if value > CROP_ALPHA else 0).getbbox()
    if box is None:
        raise InvalidInput.for_field("file", "印章图片中没有可识别的印章图案（图片为空白）")
    stamp = stamp.crop(box)
    if min(stamp.size) < MIN_SIDE:
        raise InvalidInput.for_field(
            "file",
            f"印章图案过小（{stamp.width}×{stamp.height} 像素），"
            f"请上传印章图案至少 {MIN_SIDE} 像素见方的清晰图片",
        )
    if max(stamp.size) > MAX_SIDE:
        stamp.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return stamp
