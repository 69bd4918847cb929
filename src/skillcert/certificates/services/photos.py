"""Candidates' 2-inch photos (二寸照片) for the certificate: checked, cropped, stored as JPEG.

An upload is read with the materials' size limit (``SKILLCERT_MAX_UPLOAD_MB``, 413 beyond),
recognised by its content (JPEG or PNG, decoded in full with Pillow: a renamed text file or
a truncated picture is refused with 400), turned upright, put on white where transparent,
cropped to the 35 × 49 mm ratio and resized to 413 × 579 px (300 dpi), and stored under
the file storage as ``photos/<batch>/<uuid>.jpg``. Nothing is stored when any check fails.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from django.db import transaction

from skillcert.accounts.actors import user_or_none
from skillcert.assessment.models import Candidate
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.certificates.models import CandidatePhoto
from skillcert.documents import files, images
from skillcert.registry.access import organization_of
from skillcert.registry.services.materials import read_upload
from skillcert.rules.errors import Forbidden, InvalidInput

PHOTO_MM = (35, 49)  # 2-inch photo (二寸), width × height
PHOTO_PIXELS = (413, 579)  # the same at 300 dpi
# Below this the printed photo would be visibly blurred (about 110 dpi at 35 × 49 mm).
MIN_PIXELS = (150, 210)
PHOTO_DIR = "photos"
JPEG_QUALITY = 90


def upload_photo(candidate: Candidate, upload: Any, *, actor: Actor) -> CandidatePhoto:
    """Store ``candidate``'s photo, replacing an earlier one. Only the candidate's organization.

    Raises Forbidden (403) for anyone else (before the file is read), TooLarge (413) beyond
    the upload limit and InvalidInput (400) for anything that is not a usable JPEG or PNG.
    """
    batch = candidate.batch
    own = organization_of(actor)
    if own is None or own.pk != batch.organization_id:
        raise Forbidden("只有考生所在的评价组织可以上传考生照片", code="forbidden")
    data = read_upload(upload)
    picture = images.load_image(data, field="file", what="照片")
    width, height = picture.size
    if width < MIN_PIXELS[0] or height < MIN_PIXELS[1]:
        raise InvalidInput.for_field(
            "file",
            f"照片分辨率过低（{width}×{height}），至少应为 {MIN_PIXELS[0]}×{MIN_PIXELS[1]} 像素，"
            f"建议 {PHOTO_PIXELS[0]}×{PHOTO_PIXELS[1]} 像素（二寸，300 dpi）",
        )
    stored_bytes = images.encode_jpeg(
        images.fit(images.on_white(picture), *PHOTO_PIXELS, top=0.3), quality=JPEG_QUALITY
    )
    digest = hashlib.sha256(stored_bytes).hexdigest()
    stored = f"{PHOTO_DIR}/{batch.pk}/{uuid.uuid4().hex}.jpg"
    files.save(stored, stored_bytes)
    try:
        with transaction.atomic():
            # The row of the candidate serialises two uploads for the same person.
            Candidate.objects.select_for_update().filter(pk=candidate.pk).first()
            old = CandidatePhoto.objects.filter(candidate_id=candidate.pk).first()
            before = _summary(old) if old else None
            if old is not None:
                old_name = old.stored_name
                old.delete()
                transaction.on_commit(lambda: files.delete(old_name))
            photo = CandidatePhoto.objects.create(
                candidate=candidate,
                stored_name=stored,
                sha256=digest,
                width=PHOTO_PIXELS[0],
                height=PHOTO_PIXELS[1],
                uploaded_by=user_or_none(actor),
            )
            audit.record(
                actor=actor,
                action="certificates.photo.uploaded",
                obj=photo,
                before=before,
                after={
                    **_summary(photo),
                    "candidate": candidate.pk,
                    "batch": batch.pk,
                    "uploaded": {
                        "size": len(data),
                        "sha256": hashlib.sha256(data).hexdigest(),
                        "width": width,
                        "height": height,
                    },
                },
            )
    except Exception:
        files.delete(stored)
        raise
    return photo


def photo_path(candidate: Candidate | None) -> Path | None:
    """A local file of ``candidate``'s photo for the PDF renderer, or None when it has none
    (or the file is gone)."""
    if candidate is None:
        return None
    try:
        photo = candidate.photo
    except CandidatePhoto.DoesNotExist:
        return None
    return files.cached_copy(photo.stored_name)


def _summary(photo: CandidatePhoto) -> dict[str, Any]:
    return {"sha256": photo.sha256, "width": photo.width, "height": photo.height}
