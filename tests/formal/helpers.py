"""Shared steps of the formal-document tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import transaction

from skillcert.accounts.models import Authority
from skillcert.audit.service import SYSTEM
from skillcert.formal.models import DocumentKind, FormalDocument
from skillcert.formal.service import issue


def issue_one(
    code: str = "01",
    *,
    kind: str = DocumentKind.ACCEPTANCE,
    subject: str = "filing:1",
    recipient: str = "合肥测试培训学校",
    actor=SYSTEM,
) -> FormalDocument:
    authority = Authority.objects.get(code=code)
    with transaction.atomic():
        return issue(
            kind,
            authority=authority,
            recipient=recipient,
            subject=subject,
            body=[
                "你单位提交的评价组织备案申请材料齐全、符合法定形式，决定予以受理。",
                "特此通知。",
            ],
            actor=actor,
        )


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


def pdf_text(data: bytes, tmp_path: Path) -> str:
    (tmp_path / "doc.pdf").write_bytes(data)
    result = subprocess.run(
        [tool("pdftotext"), "-layout", str(tmp_path / "doc.pdf"), "-"],
        check=True,
        capture_output=True,
    )
    return result.stdout.decode("utf-8")


def decoded_qr(data: bytes, tmp_path: Path) -> str:
    (tmp_path / "page.pdf").write_bytes(data)
    subprocess.run(
        [tool("pdftoppm"), "-r", "200", "-png", "-singlefile", "page.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    decoded = subprocess.run(
        [tool("zbarimg"), "--raw", "-q", str(tmp_path / "page.png")],
        capture_output=True,
        check=True,
    )
    return decoded.stdout.decode().strip()
