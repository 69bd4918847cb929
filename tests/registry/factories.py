"""Building filing cases and filed organizations through the services, for tests and demos."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from skillcert.registry.models import FilingCase, Organization
from skillcert.registry.services import filings
from skillcert.registry.services.materials import add_material
from skillcert.rules.filing import Material

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def application(organization: Organization, **overrides: Any) -> dict[str, Any]:
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
            "strengths": "专职人员 12 名，考评员 30 名。",
            "sites": "实训场地 2000 平方米，全程视频监控。",
        },
        "pledge_signed": True,
    }
    data.update(overrides)
    return data


def attach_all(case: FilingCase, user: Any, materials: list[Material] | None = None) -> None:
    for material in materials or list(Material):
        add_material(case, material_type=material.value, upload=pdf_upload(), actor=user)


def submitted_case(organization: Organization, user: Any, **overrides: Any) -> FilingCase:
    case = filings.create_filing(organization, application(organization, **overrides), actor=user)
    attach_all(case, user)
    return filings.submit_filing(case, actor=user)


def evaluation(**overrides: Any) -> dict[str, Any]:
    data = {
        "method": "document_review",
        "evaluators": ["张专家", "刘专家"],
        "date": "2026-09-01",
        "opinion": "材料齐全，场地设备符合要求。",
        "score": 88.5,
    }
    data.update(overrides)
    return data


def filed_case(
    organization: Organization, user: Any, reviewer: Any, today: Any, **overrides: Any
) -> FilingCase:
    """Walk a case from draft to filed, moving the platform date through SKILLCERT_TODAY."""
    today("2026-09-01")
    case = submitted_case(organization, user, **overrides)
    filings.accept_filing(case, actor=reviewer)
    filings.record_evaluation(case, evaluation(), actor=reviewer)
    filings.select_filing(case, actor=reviewer)
    filings.publicize_filing(case, actor=reviewer)
    case.refresh_from_db()
    after = case.publicity_end + dt.timedelta(days=1)
    today(after.isoformat())
    return filings.file_filing(case, actor=reviewer)
