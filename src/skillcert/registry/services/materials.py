"""Application materials: content sniffed (not trusted from the name), size-limited, stored
in the file storage (``materials/<case>/<uuid>.<ext>``, never the uploader's name) and handed
out only through permission-checked views."""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction

from skillcert.accounts.actors import user_or_none
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.documents import files
from skillcert.registry.machines import FILING_MACHINE
from skillcert.registry.models import FilingCase, FilingMaterial
from skillcert.rules.errors import InvalidInput, TooLarge
from skillcert.rules.filing import Material

ALLOWED = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def max_upload_bytes() -> int:
    return int(getattr(settings, "SKILLCERT_MAX_UPLOAD_MB", 10)) * 1024 * 1024


def sniff(head: bytes) -> str | None:
    """The content type the bytes really are (PDF, JPEG, PNG), whatever the file is called."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def check_file(data: bytes, content_type: str) -> None:
    """Beyond the magic bytes: a PDF must end like one, an image must decode."""
    if content_type == "application/pdf":
        if b"%%EOF" not in data[-2048:]:
            raise InvalidInput.for_field("file", "PDF 文件不完整或已损坏")
        return
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidInput.for_field("file", "图片文件无法识别或已损坏") from None


def read_upload(upload: BinaryIO | Any) -> bytes:
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


def add_material(
    case: FilingCase, *, material_type: str, upload: Any, actor: Actor
) -> FilingMaterial:
    """Attach one material to a draft (replacing an earlier file of the same type)."""
    FILING_MACHINE.check_party(case, "submit", actor)  # the applicant: before reading the file
    try:
        kind = Material(material_type)
    except ValueError:
        allowed = "、".join(m.value for m in Material)
        raise InvalidInput.for_field("type", f"材料类型应为 {allowed}") from None
    data = read_upload(upload)
    content_type = sniff(data[:16])
    if content_type is None:
        raise InvalidInput.for_field("file", "仅支持 PDF、JPEG 或 PNG 文件（按文件内容识别）")
    check_file(data, content_type)
    original = Path(getattr(upload, "name", "") or "upload").name[:200]
    with transaction.atomic():
        case = FILING_MACHINE.lock(case.pk)
        FILING_MACHINE.check(case, "submit", actor)  # the applicant, while the case is a draft
        stored = f"materials/{case.pk}/{uuid.uuid4().hex}{ALLOWED[content_type]}"
        files.save(stored, data)
        try:
            replaced = list(case.materials.filter(type=kind))
            material = FilingMaterial.objects.create(
                case=case,
                type=kind,
                original_name=original,
                stored_name=stored,
                content_type=content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by=user_or_none(actor),
            )
            for old in replaced:
                old.delete()
            audit.record(
                actor=actor,
                action="registry.filing.material_added",
                obj=material,
                before=[{"name": m.original_name, "sha256": m.sha256} for m in replaced] or None,
                after={
                    "case": case.pk,
                    "type": kind.value,
                    "name": original,
                    "size": len(data),
                    "sha256": material.sha256,
                },
            )
        except Exception:
            files.delete(stored)
            raise
    return material
