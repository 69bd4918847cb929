"""A first filing from draft to filed, and what each step refuses (services, through the API)."""

from __future__ import annotations

import datetime as dt

import pytest

from skillcert.audit.chain import verify_chain
from skillcert.audit.models import AuditEntry
from skillcert.registry.models import FilingCase, Notice, Organization, RetiredNumber
from tests.registry.factories import application, attach_all, evaluation, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(occupation_catalog, org_user, organization, city_bureau, today):
    today("2026-09-18")
    return org_user, organization, city_bureau


def post(client, path, data=None, **kwargs):
    return client.post(path, data or {}, format="json", **kwargs)


def test_first_filing_from_draft_to_filed(setup, client_for, public_client, today):
    org_user, organization, bureau = setup
    applicant, officer = client_for(org_user), client_for(bureau)

    created = post(applicant, "/api/v1/filings", application(organization))
    assert created.status_code == 201, created.json()
    case = created.json()
    assert case["state"] == "draft" and case["city"] == "01"
    assert set(case["missing"]) == {"materials"}
    for material in ["basic_form", "registration", "plan", "experts", "assets", "credit"]:
        response = applicant.post(
            f"/api/v1/filings/{case['id']}/materials",
            {"type": material, "file": pdf_upload()},
            format="multipart",
        )
        assert response.status_code == 201, response.json()
    submitted = post(applicant, f"/api/v1/filings/{case['id']}/submit").json()
    assert submitted["state"] == "submitted"
    assert submitted["acceptance_due"] == "2026-10-09"  # domain.md's example
    assert submitted["overdue"] is False
    assert submitted["next_deadline"]["days_left"] == 10

    accepted = post(officer, f"/api/v1/filings/{case['id']}/accept").json()
    assert accepted["state"] == "accepted"
    assert all(item["passed"] for item in accepted["checklist"] if item["kind"] == "condition")
    evaluated = post(officer, f"/api/v1/filings/{case['id']}/evaluations", evaluation())
    assert evaluated.status_code == 201 and evaluated.json()["state"] == "under_evaluation"
    assert post(officer, f"/api/v1/filings/{case['id']}/select").json()["state"] == "selected"

    today("2026-09-24")
    publicized = post(officer, f"/api/v1/filings/{case['id']}/publicize").json()
    assert publicized["publicity_end"] == "2026-10-08"  # domain.md's example
    notices = public_client.get("/api/v1/public/notices?current=1").json()
    assert notices["count"] == 1 and notices["results"][0]["objections_open"] is True

    today("2026-10-08")  # the last day of publicity: filing is not yet allowed
    early = post(officer, f"/api/v1/filings/{case['id']}/file")
    assert early.status_code == 409
    assert FilingCase.objects.get(pk=case["id"]).state == "in_publicity"

    today("2026-10-09")
    filed = post(officer, f"/api/v1/filings/{case['id']}/file").json()
    assert filed["state"] == "filed"
    assert filed["filing_number"] == "S000034010001"
    org = officer.get(f"/api/v1/organizations/{organization.pk}").json()
    assert org["status"] == "in_pilot"
    assert org["filing_number"] == "S000034010001"
    assert org["filed_on"] == "2026-10-09"
    assert org["valid_until"] == "2029-10-08"
    assert org["pilot_until"] == "2027-10-08"
    assert org["cities"] == ["01"]
    assert {(o["code"], tuple(o["levels"])) for o in org["occupations"]} == {
        ("6-18-02-04", (2, 3, 4, 5)),
        ("6-31-01-03", (3, 4, 5)),
    }
    catalog = public_client.get("/api/v1/public/organizations").json()
    assert [o["filing_number"] for o in catalog["results"]] == ["S000034010001"]
    assert verify_chain().ok


def test_acceptance_due_and_overdue_after_the_deadline(setup, client_for, today):
    org_user, organization, bureau = setup
    from tests.registry.factories import submitted_case

    case = submitted_case(organization, org_user)
    today("2026-10-12")
    body = client_for(bureau).get(f"/api/v1/filings/{case.pk}").json()
    assert body["overdue"] is True
    assert body["next_deadline"]["overdue"] is True
    accepted = post(client_for(bureau), f"/api/v1/filings/{case.pk}/accept").json()
    assert accepted["overdue"] is True  # a late reply stays on record


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"basic": {"credit_code": "91340100MA2O00000X"}}, "basic.credit_code"),
        (
            {"occupations": [{"name": "不存在的工种", "code": "6-18-02-99", "levels": [3]}]},
            "occupations[0].code",
        ),
        (
            {"occupations": [{"name": "电工", "code": "6-18-02-04", "levels": [3]}]},
            "occupations[0].name",
        ),
        (
            {"occupations": [{"name": "焊工", "code": "6-18-02-04", "levels": [6]}]},
            "occupations[0].levels",
        ),
        (
            {"occupations": [{"name": "焊工", "code": "6-18-02-04", "levels": []}]},
            "occupations[0].levels",
        ),
        (
            {"occupations": [{"name": "保安员", "code": "4-07-05-01", "levels": [5]}]},
            "occupations[0]",
        ),
        (
            {"occupations": [{"name": "焊工", "code": "618024", "levels": [5]}]},
            "occupations[0].code",
        ),
        ({"category": "X"}, "category"),
        ({"city": "02"}, "city"),
        ({"kind": "province_wide"}, "kind"),
        ({"basic": {"contact_email": "not-an-email"}}, "basic.contact_email"),
    ],
)
def test_bad_applications_are_400_with_the_field(setup, client_for, overrides, field):
    org_user, organization, _ = setup
    client = client_for(org_user)
    before = (FilingCase.objects.count(), AuditEntry.objects.count())
    response = post(client, "/api/v1/filings", application(organization, **overrides))
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"], response.json()
    assert (FilingCase.objects.count(), AuditEntry.objects.count()) == before


def test_occupation_known_by_name_only_is_accepted_with_its_code(setup, client_for):
    org_user, organization, _ = setup
    occupations = [{"name": "焊工", "code": "6-18-02-99", "levels": [5]}]  # not a 2022 code
    response = post(
        client_for(org_user), "/api/v1/filings", application(organization, occupations=occupations)
    )
    assert response.status_code == 201, response.json()
    row = response.json()["occupations"][0]
    assert (row["code"], row["edition"]) == ("6-18-02-99", "2015")


def test_incomplete_submission_says_what_to_fix(setup, client_for):
    org_user, _organization, _ = setup
    client = client_for(org_user)
    case = post(client, "/api/v1/filings", {"kind": "initial"}).json()
    response = post(client, f"/api/v1/filings/{case['id']}/submit")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {"basic.address", "occupations", "pledge_signed", "materials"} <= set(fields)
    assert FilingCase.objects.get(pk=case["id"]).state == "draft"


def test_reduced_material_set_for_filed_enterprises(setup, client_for):
    org_user, organization, _ = setup
    client = client_for(org_user)
    basic = {**application(organization)["basic"], "nature": "企业"}
    data = application(organization, basic=basic, already_filed=True, same_scope=True)
    case = post(client, "/api/v1/filings", data).json()
    assert case["required_materials"] == ["basic_form", "credit"]
    assert case["missing"]["materials"] == [
        "请上传《评价组织基本情况表》",
        "请上传《信用报告或诚信承诺》",
    ]
    changed = post(client, "/api/v1/filings", {"kind": "initial"})
    assert changed.status_code == 409  # one open case of a kind at a time


def test_technician_levels_need_senior_experience(setup, client_for, city_bureau, org_user):
    _, organization, bureau = setup
    occupations = [
        {"name": "焊工", "code": "6-18-02-04", "levels": [1, 2, 3], "experience_level": 4}
    ]
    from skillcert.registry.services import filings
    from tests.registry.factories import submitted_case

    case = submitted_case(organization, org_user, occupations=occupations)
    filings.accept_filing(case, actor=bureau)
    filings.record_evaluation(case, evaluation(), actor=bureau)
    body = client_for(bureau).get(f"/api/v1/filings/{case.pk}").json()
    experience = next(i for i in body["checklist"] if i["rule"] == "3_experience")
    assert experience["passed"] is False and "四级/中级工" in experience["detail"]
    response = post(client_for(bureau), f"/api/v1/filings/{case.pk}/select")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conditions_not_met"


def test_upheld_objection_ends_the_case(setup, client_for, public_client, today):
    org_user, organization, bureau = setup
    from skillcert.registry.services import filings
    from tests.registry.factories import submitted_case

    case = submitted_case(organization, org_user)
    filings.accept_filing(case, actor=bureau)
    filings.record_evaluation(case, evaluation(), actor=bureau)
    filings.select_filing(case, actor=bureau)
    filings.publicize_filing(case, actor=bureau)
    lodged = post(
        public_client,
        f"/api/v1/filings/{case.pk}/objections",
        {"content": "该机构场地系临时租用。", "contact": "13800000000"},
    )
    assert lodged.status_code == 201
    assert "contact" not in lodged.json()
    today("2026-10-09")
    blocked = post(client_for(bureau), f"/api/v1/filings/{case.pk}/file")
    assert blocked.status_code == 409 and blocked.json()["error"]["code"] == "objection_open"
    resolved = post(
        client_for(bureau),
        f"/api/v1/objections/{lodged.json()['id']}/resolve",
        {"upheld": True, "reason": "经核实属实。"},
    )
    assert resolved.status_code == 200 and resolved.json()["state"] == "upheld"
    case.refresh_from_db()
    assert case.state == "not_selected" and "异议成立" in case.decision_reason
    assert Organization.objects.get(pk=organization.pk).filing_number is None


def test_objection_after_publicity_is_409(setup, public_client, org_user, today):
    _, organization, bureau = setup
    from skillcert.registry.services import filings
    from tests.registry.factories import submitted_case

    case = submitted_case(organization, org_user)
    filings.accept_filing(case, actor=bureau)
    filings.record_evaluation(case, evaluation(), actor=bureau)
    filings.select_filing(case, actor=bureau)
    filings.publicize_filing(case, actor=bureau)
    case.refresh_from_db()
    today((case.publicity_end + dt.timedelta(days=1)).isoformat())
    response = post(
        public_client, f"/api/v1/filings/{case.pk}/objections", {"content": "x", "contact": "y"}
    )
    assert response.status_code == 409


def test_objection_to_a_case_not_in_publicity_is_404(setup, public_client, org_user):
    _, organization, _ = setup
    from tests.registry.factories import submitted_case

    case = submitted_case(organization, org_user)
    response = post(
        public_client, f"/api/v1/filings/{case.pk}/objections", {"content": "x", "contact": "y"}
    )
    assert response.status_code == 404


def test_material_upload_checks_content_not_name(setup, client_for):
    org_user, organization, _ = setup
    client = client_for(org_user)
    case = post(client, "/api/v1/filings", application(organization)).json()
    from django.core.files.uploadedfile import SimpleUploadedFile

    disguised = SimpleUploadedFile(
        "plan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    response = client.post(
        f"/api/v1/filings/{case['id']}/materials",
        {"type": "plan", "file": disguised},
        format="multipart",
    )
    assert response.status_code == 400 and "file" in response.json()["error"]["fields"]
    bad_type = client.post(
        f"/api/v1/filings/{case['id']}/materials",
        {"type": "photo", "file": pdf_upload()},
        format="multipart",
    )
    assert bad_type.status_code == 400 and "type" in bad_type.json()["error"]["fields"]
    fake_png = SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    response = client.post(
        f"/api/v1/filings/{case['id']}/materials",
        {"type": "plan", "file": fake_png},
        format="multipart",
    )
    assert response.status_code == 400
    assert FilingCase.objects.get(pk=case["id"]).materials.count() == 0


def test_oversized_upload_is_413(setup, client_for, settings):
    org_user, organization, _ = setup
    settings.SKILLCERT_MAX_UPLOAD_MB = 1
    client = client_for(org_user)
    case = post(client, "/api/v1/filings", application(organization)).json()
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10) + b"\n%%EOF\n")
    response = client.post(
        f"/api/v1/filings/{case['id']}/materials", {"type": "plan", "file": big}, format="multipart"
    )
    assert response.status_code == 413
    assert FilingCase.objects.get(pk=case["id"]).materials.count() == 0


def test_material_download_only_for_applicant_and_its_officers(
    setup, client_for, other_org_user, other_city_bureau, province_center, public_client, inspector
):
    org_user, organization, bureau = setup
    client = client_for(org_user)
    case = post(client, "/api/v1/filings", application(organization)).json()
    attach_all(FilingCase.objects.get(pk=case["id"]), org_user)
    material = FilingCase.objects.get(pk=case["id"]).materials.first()
    url = f"/api/v1/filings/{case['id']}/materials/{material.pk}"
    ok = client.get(url)
    assert ok.status_code == 200 and b"".join(ok.streaming_content).startswith(b"%PDF")
    assert ok["X-Content-Type-Options"] == "nosniff"
    assert client_for(bureau).get(url).status_code == 200
    assert client_for(province_center).get(url).status_code == 200
    assert client_for(other_org_user).get(url).status_code == 404
    assert client_for(other_city_bureau).get(url).status_code == 404
    assert client_for(inspector).get(url).status_code == 404
    assert public_client.get(url).status_code == 401


def test_filing_numbers_are_sequential_per_city_and_never_reused(
    setup, client_for, other_org_user, other_organization, today, authorities
):
    from skillcert.accounts.services import add_user
    from skillcert.audit.service import SYSTEM
    from skillcert.registry.services import organizations as org_services
    from tests.conftest import PASSWORD
    from tests.registry.factories import filed_case

    org_user, organization, bureau = setup
    wuhu = add_user("wuhu_b", password=PASSWORD, role="city_bureau", authority="02", actor=SYSTEM)
    first = filed_case(organization, org_user, bureau, today)
    assert first.filing_number == "S000034010001"
    second = filed_case(other_organization, other_org_user, wuhu, today, category="Y")
    assert second.filing_number == "Y000034020001"  # its own city's sequence
    org_services.revoke_organization(
        Organization.objects.get(pk=organization.pk),
        reason="提供虚假材料",
        category="false_materials",
        actor=bureau,
    )
    retired = RetiredNumber.objects.get()
    assert (retired.number, retired.reason) == ("S000034010001", "false_materials")
    assert Notice.objects.filter(kind="exit").count() == 1
