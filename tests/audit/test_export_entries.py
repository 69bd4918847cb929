"""Every download of personal data leaves one ``export`` entry (domain.md §11): rosters filled
with data, error reports, 附件4, 附件5, talent statistics, certificate PDFs, batch print PDFs,
national export files and audit exports, from the pages and from the API."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from skillcert.accounts.services import add_user
from skillcert.assessment import excel
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM, record_export
from skillcert.rules.errors import InvalidInput
from tests.assessment.factories import batch_in, filed_organization, issued
from tests.assessment.test_excel import row, workbook_bytes
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def own_storage(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def test_record_export_appends_one_entry(city_bureau):
    before = AuditEntry.objects.count()
    entry = record_export(city_bureau, city_bureau, what="测试导出", count=3)
    assert AuditEntry.objects.count() == before + 1
    assert entry.action == "export" and entry.actor_id == city_bureau.pk
    assert entry.after == '{"count":3,"what":"测试导出"}'


@pytest.mark.django_db
def test_every_personal_data_download_leaves_one_export_entry(
    occupation_catalog, org_user, city_bureau, province_center, province_dept, client_for, today
):
    organization = filed_organization(org_user, city_bureau, today)
    batch = issued(organization, org_user, province_center, today)
    planned = batch_in("plan_filed", organization, org_user, today)
    draft = batch_in("draft", organization, org_user, today)
    with pytest.raises(InvalidInput) as refused:
        excel.import_candidates(
            draft, workbook_bytes([row(1, 考生所在地市="上海")]), actor=org_user
        )
    report_api = refused.value.extra["report"]
    token = report_api.rsplit("/", 1)[1].removesuffix(".xlsx")
    today("2026-11-20")
    certificate = batch.certificates.order_by("number").first()
    auditor = add_user(
        "auditor", password=PASSWORD, role="audit_admin", authority="province", actor=SYSTEM
    )

    org_api, center_api = client_for(org_user), client_for(province_center)
    dept_api = client_for(province_dept)
    national = center_api.post("/api/v1/national/exports", {"batch": batch.pk}, format="json")
    assert national.status_code == 201, national.json()
    export_id = national.json()["id"]
    started = web(org_user).post(f"/batches/{batch.pk}/print")
    assert started.status_code == 302
    print_file = started["Location"] + "/file"
    talent = "?from=2026-01-01&to=2026-12-31"

    downloads = [
        # (who, client, url)
        (org_user, web(org_user), reverse("web:org_batch_results_template", args=[planned.pk])),
        (
            org_user,
            web(org_user),
            reverse("web:org_batch_report", args=[draft.pk, "candidates", token]),
        ),
        (org_user, web(org_user), reverse("web:batch_annex", args=[batch.pk, 4])),
        (province_dept, web(province_dept), reverse("web:batch_annex", args=[batch.pk, 5])),
        (province_dept, web(province_dept), f"/certificates/{certificate.number}.pdf"),
        (org_user, web(org_user), print_file),
        (
            province_center,
            web(province_center),
            reverse("web:review_national_file", args=[export_id]),
        ),
        (province_dept, web(province_dept), reverse("web:supervision_talent_xlsx") + talent),
        (auditor, web(auditor), reverse("web:audit_export") + "?action=export"),
        (org_user, org_api, f"/api/v1/batches/{planned.pk}/results-template.xlsx"),
        (org_user, org_api, report_api),
        (org_user, org_api, f"/api/v1/batches/{batch.pk}/annex4.xlsx"),
        (province_center, center_api, f"/api/v1/batches/{batch.pk}/annex5.xlsx"),
        (province_dept, dept_api, f"/api/v1/certificates/{certificate.number}.pdf"),
        (org_user, org_api, f"/api/v1/batches/{batch.pk}/certificates.pdf"),
        (province_center, center_api, f"/api/v1/national/exports/{export_id}.xlsx"),
        (province_dept, dept_api, "/api/v1/statistics/talent.xlsx" + talent),
    ]
    problems = []
    for user, client, url in downloads:
        last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
        response = client.get(url)
        body_of(response)
        new = list(AuditEntry.objects.filter(seq__gt=last))
        exports = [e for e in new if e.action == "export"]
        if response.status_code != 200:
            problems.append(f"{url}: status {response.status_code}")
        elif len(exports) != 1 or exports[0].actor_id != user.pk:
            problems.append(f"{url}: {[(e.action, e.actor_id) for e in new]}")
    assert problems == []


@pytest.mark.django_db
def test_templates_without_personal_data_leave_no_entry(org_user, public_client):
    before = AuditEntry.objects.count()
    assert public_client.get("/api/v1/batches/candidates-template.xlsx").status_code == 200
    assert web(org_user).get(reverse("web:org_batch_candidates_template")).status_code == 200
    assert AuditEntry.objects.count() == before
