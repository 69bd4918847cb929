"""Authorities' seals (公章) printed on formal documents (domain.md §9).

Who does what (an authority's seal is the authority's own act, confirmed by the level above,
and nobody confirms a seal they uploaded):

* a city's seal is uploaded by an officer of that city's bureau (``city_bureau``) and
  confirmed or rejected by the province department (``province_dept``);
* the province's seal is uploaded by a province department officer and confirmed or rejected
  by *another* province department officer (four eyes: the uploader is refused, 403).

The image is checked like an organization's seal (size limit, content sniffed, decoded in
full within the pixel limit of ``documents.images``), cropped to the stamp, scaled to at most
``MAX_SIDE`` pixels and stored as PNG (``authority-seals/<authority>/<uuid>.png``), pending.
A newer upload withdraws a pending one. Documents print the seal confirmed last
(``current_seal``); until one is confirmed they print 「（印章待确认）」 and still issue.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from PIL import Image

from skillcert.accounts.actors import is_signed_in, user_or_none
from skillcert.accounts.models import Authority
from skillcert.accounts.roles import Role
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.documents import files, images
from skillcert.formal.models import AuthoritySeal, SealState
from skillcert.rules import clock
from skillcert.rules.errors import Conflict, Forbidden, InvalidInput, NotFound, TooLarge

SEAL_DIR = "authority-seals"
MAX_SIDE = 600  # printed about 40 mm wide: 380 dpi
MIN_SIDE = 100
CROP_ALPHA = 24  # pixels at most this opaque count as background when cropping
WITHDRAWN_NOTE = "已由新上传的印章取代"


# --- who ----------------------------------------------------------------------------------


def uploads_for(user: Actor | None) -> Authority | None:
    """The authority whose seal ``user`` may upload: a city bureau officer its city's, a
    province department officer the province's; None for everyone else."""
    if not is_signed_in(user) or user.authority is None:
        return None
    if user.role == Role.CITY_BUREAU and not user.authority.is_province:
        return user.authority
    if user.role == Role.PROVINCE_DEPT and user.authority.is_province:
        return user.authority
    return None


def decides_seals(user: Actor | None) -> bool:
    """The province department confirms seals (a city's, and the province's by another
    officer than the one who uploaded it)."""
    return is_signed_in(user) and user.role == Role.PROVINCE_DEPT


def may_decide(user: Actor | None, seal: AuthoritySeal) -> bool:
    if not is_signed_in(user) or user.role != Role.PROVINCE_DEPT:
        return False
    return seal.state == SealState.PENDING and (
        seal.uploaded_by_id is None or seal.uploaded_by_id != user.pk
    )


def seals_for(user: Actor | None) -> QuerySet[AuthoritySeal]:
    """Seals a user may see: all for the province department, its own city's for a bureau."""
    seals = AuthoritySeal.objects.select_related("authority", "uploaded_by", "decided_by")
    if decides_seals(user):
        return seals
    own = uploads_for(user)
    return seals.filter(authority=own) if own is not None else seals.none()


def get_seal_for_user(user: Actor | None, pk: int) -> AuthoritySeal:
    seal = seals_for(user).filter(pk=pk).first()
    if seal is None:
        raise NotFound("未找到该印章", code="not_found")
    return seal


# --- writes -------------------------------------------------------------------------------


def max_upload_bytes() -> int:
    return int(getattr(settings, "SKILLCERT_MAX_UPLOAD_MB", 10)) * 1024 * 1024


def _read_upload(upload: Any) -> bytes:
    if upload is None:
        raise InvalidInput.for_field("file", "请选择要上传的文件")
    limit = max_upload_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise TooLarge(f"文件超过 {limit // (1024 * 1024)} MB 的上限", code="file_too_large")
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"文件超过 {limit // (1024 * 1024)} MB 的上限", code="file_too_large")
    if not data:
        raise InvalidInput.for_field("file", "文件为空")
    return data


def upload_seal(authority: Authority, upload: Any, *, actor: Actor) -> AuthoritySeal:
    """Store a new seal image of ``authority``, pending confirmation.

    Forbidden (before the file is read) unless ``actor`` uploads for this authority
    (``uploads_for``); TooLarge beyond the upload limit; InvalidInput for anything that is
    not a usable JPEG or PNG stamp. A seal still pending is withdrawn.
    """
    own = uploads_for(actor)
    if own is None or own.pk != authority.pk:
        raise Forbidden("只有本机关的经办人员可以上传本机关的印章", code="forbidden")
    data = _read_upload(upload)
    stamp = _stamp(images.load_image(data, field="file", what="印章图片"))
    stored_bytes = images.encode_png(stamp)
    digest = hashlib.sha256(stored_bytes).hexdigest()
    stored = f"{SEAL_DIR}/{authority.pk}/{uuid.uuid4().hex}.png"
    files.save(stored, stored_bytes)
    try:
        with transaction.atomic():
            Authority.objects.select_for_update().filter(pk=authority.pk).first()
            withdrawn = list(
                AuthoritySeal.objects.filter(
                    authority=authority, state=SealState.PENDING
                ).values_list("pk", flat=True)
            )
            if withdrawn:
                AuthoritySeal.objects.filter(pk__in=withdrawn).update(
                    state=SealState.REJECTED, decided_at=clock.now(), note=WITHDRAWN_NOTE
                )
            seal = AuthoritySeal.objects.create(
                authority=authority,
                stored_name=stored,
                sha256=digest,
                uploaded_by=user_or_none(actor),
            )
            audit.record(
                actor=actor,
                action="formal.seal.uploaded",
                obj=seal,
                after={
                    "authority": authority.code,
                    "sha256": digest,
                    "width": stamp.width,
                    "height": stamp.height,
                    "uploaded": {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()},
                    "withdrawn": withdrawn,
                },
            )
            _tell_deciders(seal, actor)
    except Exception:
        files.delete(stored)
        raise
    return seal


def decide_seal(seal: AuthoritySeal, *, confirmed: bool, note: str, actor: Actor) -> AuthoritySeal:
    """Confirm or reject a pending seal (the province department; never the uploader):
    Forbidden otherwise, InvalidInput for a rejection without a reason, Conflict when the
    seal is no longer pending."""
    if not decides_seals(actor):
        raise Forbidden("机关印章由省人社厅确认", code="forbidden")
    if seal.uploaded_by_id is not None and seal.uploaded_by_id == getattr(actor, "pk", None):
        raise Forbidden("上传印章的人员不能确认自己上传的印章，请由其他人员确认", code="forbidden")
    note = (note or "").strip()
    if not confirmed and not note:
        raise InvalidInput.for_field("note", "不予确认时请说明理由")
    with transaction.atomic():
        seal = AuthoritySeal.objects.select_for_update().get(pk=seal.pk)
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
            action="formal.seal.confirmed" if confirmed else "formal.seal.rejected",
            obj=seal,
            before=before,
            after={
                "state": seal.state,
                "authority": seal.authority.code,
                "sha256": seal.sha256,
                **({"note": note} if note else {}),
            },
        )
        _tell_uploader(seal)
    return seal


# --- messages -------------------------------------------------------------------------------


def _tell_deciders(seal: AuthoritySeal, actor: Actor) -> None:
    """A new seal waits for the province department: its officers (not the uploader) are told."""
    from skillcert.accounts.services import PROVINCE_AUTHORITY_CODE
    from skillcert.inbox.service import notify, officers

    province = Authority.objects.filter(code=PROVINCE_AUTHORITY_CODE).first()
    deciders = officers([Role.PROVINCE_DEPT], province.pk if province else None)
    uploader = getattr(user_or_none(actor), "pk", None)
    if uploader is not None:
        deciders = deciders.exclude(pk=uploader)
    notify(
        deciders,
        event="seal.uploaded",
        title=f"机关印章待确认：{seal.authority.name}",
        body=f"{seal.authority.name}上传了新的机关印章，确认后用于本机关出具的文书。",
        link=reverse("web:formal_seals"),
    )


def _tell_uploader(seal: AuthoritySeal) -> None:
    from skillcert.inbox.service import notify

    uploader = seal.uploaded_by
    if uploader is None or not uploader.is_active:
        return
    if seal.state == SealState.CONFIRMED:
        title = f"机关印章已确认：{seal.authority.name}"
        body = "新印章已确认，此后出具的文书使用该印章。"
    else:
        title = f"机关印章未予确认：{seal.authority.name}"
        body = f"不予确认的理由：{seal.note}\n请重新上传。"
    notify(
        [uploader],
        event=f"seal.{seal.state}",
        title=title,
        body=body,
        link=reverse("web:formal_seals"),
    )


# --- reads --------------------------------------------------------------------------------


def current_seal(authority: Authority | int) -> AuthoritySeal | None:
    """The seal confirmed last (uploads are decided in order: the newest confirmed row)."""
    authority_id = authority if isinstance(authority, int) else authority.pk
    return (
        AuthoritySeal.objects.filter(authority_id=authority_id, state=SealState.CONFIRMED)
        .order_by("-pk")
        .first()
    )


def seal_path(seal: AuthoritySeal | None) -> Path | None:
    """A local file of the seal for the PDF renderer (None: no seal, or its file is gone)."""
    if seal is None or seal.state != SealState.CONFIRMED:
        return None
    return files.cached_copy(seal.stored_name)


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
