"""Sample applications and documents, shared by the demo data set and the tests."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from skillcert.registry.models import Organization

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def sample_application(organization: Organization, **overrides: Any) -> dict[str, Any]:
    """A complete first-filing application (welders and electricians, levels 2-5)."""
    data: dict[str, Any] = {
        "kind": "initial",
        "channel": "city",
        "category": "S",
        "basic": {
            "name": organization.name,
            "address": "合肥市蜀山区长江西路 100 号",
            "registration_authority": "合肥市民政局",
            "nature": "民办非企业单位",
            "credit_code": organization.credit_code,
            "legal_representative": "王明",
            "registered_capital": "500 万元",
            "contact_name": "李华",
            "contact_position": "办公室主任",
            "contact_phone": "0551-62620000",
            "contact_email": "contact@example.org.cn",
        },
        "occupations": [
            {
                "name": "焊工",
                "code": "6-18-02-04",
                "work_type": "",
                "new_occupation": False,
                "years": 6,
                "persons": 6000,
                "subsidised": True,
                "levels": [2, 3, 4, 5],
                "experience_level": 3,
            },
            {
                "name": "电工",
                "code": "6-31-01-03",
                "work_type": "",
                "years": 5,
                "persons": 5200,
                "subsidised": False,
                "levels": [3, 4, 5],
                "experience_level": None,
            },
        ],
        "record": {"years_continuous": 6, "persons_total": 21000, "subsidised_training": True},
        "narrative": {
            "strengths": "专职工作人员 12 名，考评人员 30 名，质量督导员 4 名。",
            "sites": "实训场地 2000 平方米，考场全程视频监控。",
            "expertise": "参与焊工国家职业技能标准修订。",
        },
        "pledge_signed": True,
    }
    data.update(overrides)
    return data


def sample_pdf(title: str) -> bytes:
    """A one-page PDF naming the material (with the Kai font when it is installed)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from skillcert.documents.fonts import FontMissing, cjk_font

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    try:
        page.setFont(cjk_font(), 20)
        page.drawString(72, 760, f"演示材料：{title}")
    except FontMissing:
        page.setFont("Helvetica", 20)
        page.drawString(72, 760, "Demo material")
    page.showPage()
    page.save()
    return buffer.getvalue()


def sample_upload(title: str = "材料", *, rendered: bool = False) -> SimpleUploadedFile:
    content = sample_pdf(title) if rendered else MINIMAL_PDF
    return SimpleUploadedFile(f"{title}.pdf", content, content_type="application/pdf")
