"""Building filing cases and filed organizations through the services, for tests and demos."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from skillcert.ops.samples import MINIMAL_PDF, sample_application
from skillcert.registry.models import FilingCase, Organization
from skillcert.registry.services import filings
from skillcert.registry.services.materials import add_material
from skillcert.rules.filing import Material

PDF = MINIMAL_PDF


def pdf_upload(name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def application(organization: Organization, **overrides: Any) -> dict[str, Any]:
    return sample_application(organization, **overrides)


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
