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
from skillcert.documents import files, images
from skillcert.registry.machines import FILING_MACHINE
from skillcert.registry.models import FilingCase, FilingMaterial
from skillcert.rules.errors import InvalidInput, TooLarge
from skillcert.rules.filing import Material

ALLOWED = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def served_name(what: str, pk: object, content_type: str) -> str:
    """The name a stored upload is downloaded under: made by the server from what it is, its
    id and the extension of the type sniffed on upload, never the uploader's name."""
    return f"{what}-{pk}{ALLOWED.get(content_type, '.bin')}"


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
    """Beyond the magic bytes: a PDF must parse and carry nothing active (``check_pdf``); an
    image must decode, its declared size checked before (``documents.images``: no bombs)."""
    if content_type == "application/pdf":
        if b"%%EOF" not in data[-2048:]:
            raise InvalidInput.for_field("file", "PDF 文件不完整或已损坏")
        check_pdf(data)
        return
    images.check_image(data, content_type, field="file")


# What a PDF may not carry: scripts, actions that start programs or load data, embedded files,
# rich media (Flash, video players). Keys anywhere in the document, and action types (/S).
FORBIDDEN_KEYS = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/EF",
        "/RichMedia",
        "/RichMediaContent",
        "/RichMediaSettings",
        "/XFA",
    }
)
FORBIDDEN_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute", "/SubmitForm", "/Rendition"}
)
FORBIDDEN_TYPES = frozenset({"/EmbeddedFile", "/RichMedia"})
# Objects visited at most: a real material has far fewer; a crafted one stops here (refused).
MAX_PDF_OBJECTS = 200_000

ACTIVE_PDF = "PDF 文件含有脚本、自动执行的操作或嵌入文件，不予接收；请另存或打印为普通 PDF 后再上传"
BROKEN_PDF = "PDF 文件无法解析或已损坏，请重新生成后再上传"


def check_pdf(data: bytes) -> None:
    """Refuse (400) a PDF that pypdf cannot read, that is encrypted, or that carries
    JavaScript, launch or import actions, embedded files or rich media anywhere (the open
    action and additional actions /AA included: they are reached like any other object)."""
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings on sloppy files
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise InvalidInput.for_field("file", "PDF 文件已加密，请去除密码保护后再上传")
        pending: list[Any] = [reader.trailer]
        seen: set[tuple[int, int]] = set()
        visited = 0
        while pending:
            node = pending.pop()
            if isinstance(node, IndirectObject):
                key = (node.idnum, node.generation)
                if key in seen:
                    continue
                seen.add(key)
                node = node.get_object()
            visited += 1
            if visited > MAX_PDF_OBJECTS:
                raise InvalidInput.for_field("file", BROKEN_PDF)
            if isinstance(node, DictionaryObject):
                names = {str(k) for k in node}
                if names & FORBIDDEN_KEYS:
                    raise InvalidInput.for_field("file", ACTIVE_PDF, code="active_pdf")
                if str(node.get("/S", "")) in FORBIDDEN_ACTIONS or (
                    str(node.get("/Type", "")) in FORBIDDEN_TYPES
                ):
                    raise InvalidInput.for_field("file", ACTIVE_PDF, code="active_pdf")
                pending.extend(node.values())
            elif isinstance(node, ArrayObject):
                pending.extend(node)
        if len(reader.pages) == 0:
            raise InvalidInput.for_field("file", BROKEN_PDF)
    except InvalidInput:
        raise
    except (
        PyPdfError,
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        OSError,
        RecursionError,
        AssertionError,
        IndexError,
        ZeroDivisionError,
    ):
        raise InvalidInput.for_field("file", BROKEN_PDF) from None


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
