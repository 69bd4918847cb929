"""The certificate pages: the public check, the organization's records and its actions,
photos and seals, the officers' records, seal decisions and national outbox, batch printing.

Each page is opened by the people it is for and by those it is not (login, 403, 404); each
refused write is checked for what did not change.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone
from pypdf import PdfReader

from skillcert.certificates.models import (
    CandidatePhoto,
    Certificate,
    CertificateEvent,
    CertificateStatus,
    NationalExport,
)
from skillcert.certificates.services import lifecycle
from skillcert.jobs.models import Job, WorkerBeat
from skillcert.jobs.worker import Worker
from skillcert.registry.models import OrganizationSeal, SealState
from skillcert.registry.services.seals import upload_seal
from tests.assessment.factories import filed_organization, issued
from tests.certificates.test_photos import portrait, seal_picture
from tests.support.pages import client_of, html

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def files(settings, tmp_path):
    """Keys, uploads, print jobs and rate-limit counts in this test's own folder."""
    settings.SKILLCERT_KEY_DIR = tmp_path / "keys"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()


@pytest.fixture
def organization(occupation_catalog, org_user, city_bureau, today):
    return filed_organization(org_user, city_bureau, today)


@pytest.fixture
def batch(organization, org_user, province_center, today):
    return issued(organization, org_user, province_center, today)


@pytest.fixture
def certificate(batch) -> Certificate:
    return Certificate.objects.filter(batch=batch).order_by("number").first()


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html(response)))


def png_file(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def fresh(certificate: Certificate) -> Certificate:
    return Certificate.objects.get(pk=certificate.pk)


# --- who opens which page ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/org/certificates",
        "/org/certificates/S000034010001263000001",
        "/org/seal",
        "/org/batches/1/photos",
        "/org/batches/1/photos/1.jpg",
        "/certificates/S000034010001263000001.pdf",
        "/seals/1.png",
        f"/batches/1/print/{'a' * 32}",
        f"/batches/1/print/{'a' * 32}/progress",
        f"/batches/1/print/{'a' * 32}/file",
        "/review/certificates",
        "/review/certificates/S000034010001263000001",
        "/review/seals",
        "/review/national",
        "/review/national/1/file",
    ],
)
def test_every_certificate_page_asks_to_log_in(path):
    response = client_of().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/login"), path


def test_organization_pages_are_the_organizations(
    certificate, batch, org_user, other_org_user, city_bureau
):
    pages = [
        "/org/certificates",
        f"/org/certificates/{certificate.number}",
        "/org/seal",
        f"/org/batches/{batch.pk}/photos",
    ]
    for path in pages:
        response = client_of().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login"), path
        assert client_of(org_user).get(path).status_code == 200, path
        assert client_of(city_bureau).get(path).status_code == 403, path
    listing = client_of(org_user).get("/org/certificates")
    assert certificate.number in html(listing)
    assert certificate.number not in html(client_of(other_org_user).get("/org/certificates"))
    assert (
        client_of(other_org_user).get(f"/org/certificates/{certificate.number}").status_code == 404
    )
    assert client_of(other_org_user).get(f"/org/batches/{batch.pk}/photos").status_code == 404


def test_officer_pages_follow_the_city(
    certificate, org_user, city_center, other_city_bureau, province_center, inspector
):
    assert certificate.number in html(client_of(city_center).get("/review/certificates"))
    assert certificate.number in html(client_of(province_center).get("/review/certificates"))
    assert certificate.number not in html(client_of(other_city_bureau).get("/review/certificates"))
    record = f"/review/certificates/{certificate.number}"
    page = client_of(city_center).get(record)
    assert page.status_code == 200 and certificate.id_number in html(page)
    assert client_of(other_city_bureau).get(record).status_code == 404
    assert client_of(inspector).get(record).status_code == 403
    assert client_of(inspector).get("/review/certificates").status_code == 403
    assert client_of(org_user).get(record).status_code == 403
    assert client_of(org_user).get("/review/certificates").status_code == 403
    response = client_of().get("/review/certificates")
    assert response.status_code == 302 and response["Location"].startswith("/login")


def test_seal_review_and_national_outbox_are_for_their_roles(
    organization,
    org_user,
    city_bureau,
    city_center,
    province_dept,
    province_center,
    other_city_bureau,
    inspector,
):
    for user in (city_bureau, province_dept, other_city_bureau):
        assert client_of(user).get("/review/seals").status_code == 200
    for user in (city_center, province_center, inspector, org_user):
        assert client_of(user).get("/review/seals").status_code == 403
    for user in (province_center, province_dept, city_center):
        assert client_of(user).get("/review/national").status_code == 200
    for user in (city_bureau, inspector, org_user):
        assert client_of(user).get("/review/national").status_code == 403


def test_certificate_pdf_for_the_issuer_and_its_officers(
    certificate, org_user, other_org_user, city_center, other_city_bureau
):
    path = f"/certificates/{certificate.number}.pdf"
    for user in (org_user, city_center):
        response = client_of(user).get(path)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert "attachment" in response["Content-Disposition"]
    assert client_of(other_org_user).get(path).status_code == 404
    assert client_of(other_city_bureau).get(path).status_code == 404
    assert client_of().get(path).status_code == 302


def test_dashboard_and_nav_link_the_certificate_pages(
    certificate, org_user, city_bureau, city_center, province_center, inspector
):
    page = html(client_of(org_user).get("/dashboard"))
    assert 'href="/org/certificates"' in page and 'href="/org/seal"' in page
    page = html(client_of(city_bureau).get("/dashboard"))
    assert 'href="/review/certificates"' in page and 'href="/review/seals"' in page
    assert 'href="/review/national"' not in page
    page = html(client_of(city_center).get("/dashboard"))
    assert 'href="/review/national"' in page and 'href="/review/seals"' not in page
    assert 'href="/review/national"' in html(client_of(province_center).get("/dashboard"))
    assert 'href="/review/certificates"' not in html(client_of(inspector).get("/dashboard"))


# --- the public check ------------------------------------------------------------------------


def verify(number: str, name: str, client: Client | None = None):
    return (client or client_of()).get("/verify", {"number": number, "name": name})


def test_the_qr_address_prefills_the_number(certificate):
    page = html(client_of().get(f"/verify/{certificate.number}"))
    assert f'value="{certificate.number}"' in page
    assert "证书有效" not in page and "未查询到" not in page


def test_a_valid_certificate_shows_the_answer_without_the_id_number(certificate):
    response = verify(certificate.number, certificate.name)
    assert response.status_code == 200
    page, words = html(response), text(response)
    assert "证书有效" in words and 'data-status="valid"' in page
    assert certificate.name in words
    assert "S000034010001" in words  # the organization's filing number
    assert "在备案有效期内" in words
    assert certificate.id_number not in page
    assert certificate.id_number[6:14] not in page  # no birth date
    assert certificate.id_number[:3] + "*" in page  # the masked form
    assert "<img" not in page  # never the photo
    assert f"/api/v1/public/certificates/{certificate.number}/credential?name=" in page
    assert "/.well-known/jwks.json" in page
    assert response["Cache-Control"] == "private, no-store"


JARGON = ("Ed25519", "EdDSA", "JWS", "jws", "JWKS", "jwks", "kid", "公钥集")


def test_the_electronic_certificate_is_explained_in_plain_chinese(certificate):
    response = verify(certificate.number, certificate.name)
    page, words = html(response), text(response)
    assert "下载电子证书" in words and "电子签名" in words
    assert "data-credential" in page
    for word in JARGON:
        assert word not in words, word
    assert 'href="/api/docs" data-developer-docs>开发者接口</a>' in page


@pytest.mark.parametrize("change", ["revoke", "correct"])
def test_no_electronic_certificate_for_a_revoked_or_corrected_one(
    certificate, org_user, today, change
):
    today("2026-11-20")
    if change == "revoke":
        lifecycle.revoke_certificate(certificate, reason="冒名顶替", actor=org_user)
    else:
        lifecycle.correct_certificate(
            certificate, {"name": "王小明", "reason": "姓名有误"}, actor=org_user
        )
    response = verify(certificate.number, certificate.name)
    page, words = html(response), text(response)
    assert "/credential" not in page and "data-credential" not in page
    assert "下载电子证书" not in words
    assert "不提供电子证书" in words


def test_a_wrong_name_is_answered_like_an_unknown_number(certificate):
    wrong = text(verify(certificate.number, "无此人"))
    unknown = text(verify("S000034010001263999999", certificate.name))
    for words in (wrong, unknown):
        assert "未查询到该证书" in words and "证书有效" not in words
    assert certificate.id_number[-4:] not in wrong  # nothing of the record leaks


def test_a_malformed_number_is_explained(certificate):
    response = verify("S0000340100", certificate.name)
    assert response.status_code == 200
    assert "证书编号应为 22 位" in text(response)
    assert 'class="error"' in html(response)


def test_a_revoked_certificate_says_so(certificate, org_user, today):
    today("2026-11-20")
    lifecycle.revoke_certificate(certificate, reason="冒名顶替", actor=org_user)
    response = verify(certificate.number, certificate.name)
    page, words = html(response), text(response)
    assert "已撤销" in words and 'data-status="revoked"' in page
    assert "2026年11月20日" in words
    assert "证书有效" not in words
    assert certificate.id_number not in page


def test_a_corrected_certificate_points_to_the_new_one(certificate, org_user, today):
    today("2026-11-20")
    newer = lifecycle.correct_certificate(
        certificate, {"name": "王小明", "reason": "姓名有误"}, actor=org_user
    )
    response = verify(certificate.number, certificate.name)
    page, words = html(response), text(response)
    assert "已更正" in words and 'data-status="superseded"' in page
    assert f'href="/verify/{newer.number}"' in page
    assert certificate.id_number not in page and newer.id_number not in page
    answer = text(verify(newer.number, "王小明"))
    assert "证书有效" in answer


def test_lookups_are_rate_limited_per_client(certificate, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    limited = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "verify": "3/day"},
    }
    with override_settings(REST_FRAMEWORK=limited):
        client = client_of()
        for _ in range(3):
            assert verify(certificate.number, certificate.name, client).status_code == 200
        refused = verify(certificate.number, certificate.name, client)
        assert refused.status_code == 429
        assert "请求过于频繁" in text(refused) and int(refused["Retry-After"]) > 0
        assert certificate.name not in text(refused)
        # Another address still gets its answer; the page itself stays open.
        other = client_of().get(
            "/verify",
            {"number": certificate.number, "name": certificate.name},
            REMOTE_ADDR="10.0.0.9",
        )
        assert other.status_code == 200
        assert client.get(f"/verify/{certificate.number}").status_code == 200


# --- the organization's actions ----------------------------------------------------------------


def act(who, certificate: Certificate, action: str, **fields):
    """POST one of the record page's forms, as a user or through a client of one."""
    client = who if isinstance(who, Client) else client_of(who)
    data = {"action": action, **{f"{action}-{key}": value for key, value in fields.items()}}
    return client.post(f"/org/certificates/{certificate.number}/act", data)


def test_record_page_shows_events_and_document_notes(certificate, org_user):
    page = text(client_of(org_user).get(f"/org/certificates/{certificate.number}"))
    assert certificate.id_number in page  # the full number is fine here
    assert "发证" in page and "无考生照片" in page and "印章未确认" in page
    assert "下载证书 PDF" in page
    assert "补发" in page and "更正" in page and "撤销证书" in page


def test_reissue_needs_a_reason_and_then_counts(certificate, org_user, today):
    today("2026-11-20")
    org = client_of(org_user)
    refused = act(org, certificate, "reissue", reason=" ")
    assert refused.status_code == 400
    assert "请填写补发原因" in text(refused)
    assert fresh(certificate).reissue_count == 0
    assert not CertificateEvent.objects.filter(certificate=certificate).exists()

    done = act(org, certificate, "reissue", reason="证书遗失")
    assert done.status_code == 302
    assert done["Location"] == f"/org/certificates/{certificate.number}"
    assert fresh(certificate).reissue_count == 1
    page = text(org.get(done["Location"]))
    assert "已登记补发" in page and "证书遗失" in page


def test_correction_makes_a_new_certificate(certificate, org_user, today):
    today("2026-11-20")
    before = Certificate.objects.count()
    refused = act(
        org_user,
        certificate,
        "correct",
        name=certificate.name,
        id_type=certificate.id_type,
        id_number="340104199001011230",  # a wrong check digit
        work_unit=certificate.work_unit,
        reason="证件号码有误",
    )
    assert refused.status_code == 400
    assert 'class="field has-error"' in html(refused)
    assert Certificate.objects.count() == before
    assert fresh(certificate).status == CertificateStatus.VALID

    unchanged = act(
        org_user,
        certificate,
        "correct",
        name=certificate.name,
        id_type=certificate.id_type,
        id_number=certificate.id_number,
        work_unit=certificate.work_unit,
        reason="无",
    )
    assert unchanged.status_code == 400 and Certificate.objects.count() == before

    org = client_of(org_user)
    done = act(
        org,
        certificate,
        "correct",
        name="王小明",
        id_type=certificate.id_type,
        id_number=certificate.id_number,
        work_unit=certificate.work_unit,
        reason="姓名录入有误",
    )
    assert done.status_code == 302
    old = fresh(certificate)
    assert old.status == CertificateStatus.SUPERSEDED
    newer = old.superseded_by
    assert newer.name == "王小明" and done["Location"] == f"/org/certificates/{newer.number}"
    page = text(org.get(done["Location"]))
    assert "已更正：新证书编号" in page and certificate.number in page
    old_page = client_of(org_user).get(f"/org/certificates/{certificate.number}")
    assert "该证书已更正" in text(old_page) and "下载证书 PDF" not in text(old_page)


def test_revocation_needs_a_reason_and_stops_the_pdf(certificate, org_user, today):
    today("2026-11-20")
    refused = act(org_user, certificate, "revoke", reason="")
    assert refused.status_code == 400 and "请填写撤销理由" in text(refused)
    assert fresh(certificate).status == CertificateStatus.VALID

    done = act(org_user, certificate, "revoke", reason="冒名顶替参加考核")
    assert done.status_code == 302
    assert fresh(certificate).status == CertificateStatus.REVOKED
    again = act(org_user, certificate, "revoke", reason="再次")
    assert again.status_code == 404 or "不能撤销" in text(again)
    pdf = client_of(org_user).get(f"/certificates/{certificate.number}.pdf")
    assert pdf.status_code == 409
    assert "该证书已于2026年11月20日撤销" in text(pdf) and "冒名顶替参加考核" in text(pdf)
    assert not act(org_user, certificate, "reissue", reason="遗失").status_code == 302
    assert fresh(certificate).reissue_count == 0


def test_an_unknown_action_is_404_and_other_organizations_cannot_act(
    certificate, org_user, other_org_user
):
    assert act(org_user, certificate, "delete").status_code == 404
    assert act(other_org_user, certificate, "revoke", reason="x").status_code == 404
    assert fresh(certificate).status == CertificateStatus.VALID


def test_officers_revoke_from_their_record_page(certificate, city_center, other_city_bureau, today):
    today("2026-11-20")
    path = f"/review/certificates/{certificate.number}/act"
    page = html(client_of(city_center).get(f"/review/certificates/{certificate.number}"))
    assert 'data-action="revoke"' in page and 'data-action="correct"' not in page
    assert (
        client_of(other_city_bureau)
        .post(path, {"action": "revoke", "revoke-reason": "x"})
        .status_code
        == 404
    )
    assert (
        client_of(city_center).post(path, {"action": "correct", "correct-name": "x"}).status_code
        == 404
    )
    refused = client_of(city_center).post(path, {"action": "revoke", "revoke-reason": ""})
    assert refused.status_code == 400 and fresh(certificate).status == CertificateStatus.VALID
    done = client_of(city_center).post(path, {"action": "revoke", "revoke-reason": "核查属实"})
    assert done.status_code == 302
    assert done["Location"] == f"/review/certificates/{certificate.number}"
    assert fresh(certificate).status == CertificateStatus.REVOKED


def test_search_and_filters(certificate, batch, org_user):
    client = client_of(org_user)
    others = Certificate.objects.filter(batch=batch).exclude(pk=certificate.pk)
    for query in (certificate.number.lower(), certificate.name, certificate.id_number):
        page = html(client.get("/org/certificates", {"q": query}))
        assert certificate.number in page, query
        assert all(c.number not in page for c in others if c.name != certificate.name)
    assert certificate.number in html(client.get("/org/certificates", {"batch": batch.pk}))
    assert certificate.number not in html(client.get("/org/certificates", {"status": "revoked"}))
    assert "没有符合条件的证书" in text(client.get("/org/certificates", {"q": "nobody"}))


# --- photos and seals --------------------------------------------------------------------------


def test_photos_upload_per_candidate_and_refuse_a_fake(batch, org_user):
    candidate = batch.candidates.order_by("position").first()
    path = f"/org/batches/{batch.pk}/photos"
    client = client_of(org_user)
    page = text(client.get(path, {"only": "missing"}))
    assert candidate.name in page and "缺照片" in page

    fake = client.post(
        path, {"candidate": candidate.pk, "file": png_file("照片.jpg", b"not a picture at all")}
    )
    assert fake.status_code == 400
    assert "照片未上传" in text(fake)
    assert not CandidatePhoto.objects.exists()

    done = client.post(path, {"candidate": candidate.pk, "file": png_file("照片.jpg", portrait())})
    assert done.status_code == 302
    assert CandidatePhoto.objects.filter(candidate=candidate).exists()
    image = client.get(f"{path}/{candidate.pk}.jpg")
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert client_of().get(f"{path}/{candidate.pk}.jpg").status_code == 302
    listing = html(client.get(path, {"only": "missing"}))
    assert f'id="c{candidate.pk}"' not in listing


def test_other_batches_candidates_cannot_be_given_photos(batch, org_user, other_org_user):
    candidate = batch.candidates.first()
    response = client_of(other_org_user).post(
        f"/org/batches/{batch.pk}/photos",
        {"candidate": candidate.pk, "file": png_file("照片.jpg", portrait())},
    )
    assert response.status_code == 404
    assert not CandidatePhoto.objects.exists()


def test_seal_upload_good_and_fake(organization, org_user):
    client = client_of(org_user)
    fake = client.post("/org/seal", {"file": png_file("印章.png", b"%PDF-1.4 not an image")})
    assert fake.status_code == 400 and "field-error" in html(fake)
    assert not OrganizationSeal.objects.exists()

    done = client.post("/org/seal", {"file": png_file("印章.png", seal_picture())})
    assert done.status_code == 302
    seal = OrganizationSeal.objects.get()
    assert seal.state == SealState.PENDING
    page = text(client.get("/org/seal"))
    assert "待确认" in page and "合肥市人社局" in page and "还没有已确认的印章" in page
    image = client.get(f"/seals/{seal.pk}.png")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"


def test_seal_decisions(
    organization, org_user, city_bureau, other_city_bureau, other_org_user, province_center
):
    seal = upload_seal(organization, png_file("印章.png", seal_picture()), actor=org_user)
    page = html(client_of(city_bureau).get("/review/seals"))
    assert organization.name in page and f"/seals/{seal.pk}.png" in page
    assert organization.name not in html(client_of(other_city_bureau).get("/review/seals"))
    path = f"/review/seals/{seal.pk}/decide"
    assert client_of(other_city_bureau).post(path, {"decision": "confirm"}).status_code == 404
    assert client_of(province_center).post(path, {"decision": "confirm"}).status_code == 403
    assert client_of(other_org_user).get(f"/seals/{seal.pk}.png").status_code == 404
    assert client_of(other_city_bureau).get(f"/seals/{seal.pk}.png").status_code == 404

    refused = client_of(city_bureau).post(path, {"decision": "reject", f"seal{seal.pk}-note": ""})
    assert refused.status_code == 400 and "不予确认时请说明理由" in text(refused)
    assert OrganizationSeal.objects.get().state == SealState.PENDING

    done = client_of(city_bureau).post(
        path, {"decision": "confirm", f"seal{seal.pk}-note": "与备案材料一致"}
    )
    assert done.status_code == 302
    assert OrganizationSeal.objects.get().state == SealState.CONFIRMED
    again = client_of(city_bureau).post(path, {"decision": "reject", f"seal{seal.pk}-note": "x"})
    assert again.status_code == 409
    org_page = text(client_of(org_user).get("/org/seal"))
    assert "已确认" in org_page and "与备案材料一致" in org_page


# --- batch printing ----------------------------------------------------------------------------


def test_batch_page_offers_printing_to_whom_may_print(
    batch, org_user, city_center, inspector, other_city_bureau
):
    assert "data-print-start" in html(client_of(org_user).get(f"/org/batches/{batch.pk}"))
    assert "data-print-start" in html(client_of(city_center).get(f"/review/batches/{batch.pk}"))
    assert "data-print-start" not in html(client_of(inspector).get(f"/review/batches/{batch.pk}"))
    assert client_of(inspector).post(f"/batches/{batch.pk}/print").status_code == 404
    assert client_of(other_city_bureau).post(f"/batches/{batch.pk}/print").status_code == 404
    assert client_of().post(f"/batches/{batch.pk}/print").status_code == 302


def test_batch_print_job_completes_and_the_pdf_downloads(batch, org_user, other_org_user):
    client = client_of(org_user)
    started = client.post(f"/batches/{batch.pk}/print")
    assert started.status_code == 302
    match = re.fullmatch(rf"/batches/{batch.pk}/print/([0-9a-f]{{32}})", started["Location"])
    assert match, started["Location"]
    job = match.group(1)

    page = client.get(started["Location"])
    assert page.status_code == 200 and "100%" in text(page) and "下载 PDF" in text(page)
    assert "web/print.js" in html(page)

    progress = client.get(f"{started['Location']}/progress")
    body = progress.json()
    assert body["phase"] == "done" and body["percent"] == 100
    assert body["done"] == body["total"] == 5
    assert body["file"] == f"/batches/{batch.pk}/print/{job}/file"

    pdf = client.get(body["file"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    data = b"".join(pdf.streaming_content)
    assert data.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(data)).pages) == 5
    record = Job.objects.get(pk=job)
    assert record.phase == "done" and record.subject == f"batch:{batch.pk}"
    assert record.owner == org_user and record.output == f"prints/{job}.pdf"

    assert client_of(other_org_user).get(body["file"]).status_code == 404
    assert client.get(f"/batches/{batch.pk}/print/{'0' * 32}").status_code == 404


def test_a_queued_job_says_whether_a_worker_runs_and_is_not_started_twice(
    batch, org_user, settings
):
    # The queue as in production: the job waits for a worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = client_of(org_user)
    location = client.post(f"/batches/{batch.pk}/print")["Location"]
    body = client.get(f"{location}/progress").json()
    assert body["phase"] == "queued" and body["percent"] == 0 and body["file"] is None
    assert "未运行" in body["error"]  # no worker beats: the page says so instead of spinning
    assert "未运行" in text(client.get(location))
    # Starting again while it waits returns the same job.
    assert client.post(f"/batches/{batch.pk}/print")["Location"] == location
    WorkerBeat.objects.create(
        worker_id="w1", host="h", pid=1, started=timezone.now(), seen=timezone.now()
    )
    assert "排队" in client.get(f"{location}/progress").json()["error"]
    # A worker runs it; the same page then offers the file.
    Worker(burst=True, beat_thread=False, scheduler=False).run()
    body = client.get(f"{location}/progress").json()
    assert body["phase"] == "done" and body["file"]


def test_printing_a_batch_without_valid_certificates_is_explained(batch, org_user, today):
    today("2026-11-20")
    for certificate in Certificate.objects.filter(batch=batch):
        lifecycle.revoke_certificate(certificate, reason="测试", actor=org_user)
    response = client_of(org_user).post(f"/batches/{batch.pk}/print", follow=True)
    assert "该批次没有可打印的有效证书" in text(response)


# --- the national outbox -----------------------------------------------------------------------


def test_national_export_for_a_batch_and_sending(batch, province_center, city_bureau, tmp_path):
    client = client_of(province_center)
    page = html(client.get("/review/national"))
    assert f'value="{batch.pk}"' in page
    empty = client.post("/review/national/new", {"scope": "batch", "batch": ""})
    assert empty.status_code == 400 and not NationalExport.objects.exists()
    done = client.post("/review/national/new", {"scope": "batch", "batch": batch.pk})
    assert done.status_code == 302
    export = NationalExport.objects.get()
    assert export.certificate_count == 5 and export.state == "pending"
    assert client_of(city_bureau).post(f"/review/national/{export.pk}/send").status_code == 403
    sent = client.post(f"/review/national/{export.pk}/send")
    assert sent.status_code == 302
    assert NationalExport.objects.get().state == "sent"
    download = client.get(f"/review/national/{export.pk}/file")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    bad_period = client.post(
        "/review/national/new", {"scope": "period", "start": "2026-12-01", "end": "2026-11-01"}
    )
    assert bad_period.status_code == 400 and "截止日期不能早于起始日期" in text(bad_period)


def test_status_changes_after_reporting_from_the_page(
    batch, province_center, city_center, org_user, certificate
):
    client = client_of(province_center)
    assert 'data-action="export-changes"' not in html(client.get("/review/national"))
    nothing = client.post("/review/national/new", {"scope": "changes"})
    assert nothing.status_code == 409 and "没有可上报的状态变更" in text(nothing)
    client.post("/review/national/new", {"scope": "batch", "batch": batch.pk})
    lifecycle.revoke_certificate(certificate, reason="考生资格不符", actor=org_user)
    page = html(client.get("/review/national"))
    assert 'data-action="export-changes"' in page and "1</strong> 张此后被撤销或更正" in page
    # A city center reports batches only: no changes card, and a forged post is refused.
    assert "证书状态变更" not in html(client_of(city_center).get("/review/national"))
    refused = client_of(city_center).post("/review/national/new", {"scope": "changes"})
    assert refused.status_code == 403 and NationalExport.objects.count() == 1
    done = client.post("/review/national/new", {"scope": "changes"}, follow=True)
    assert "已生成上报文件 changes-" in text(done) and "证书状态变更（撤销、更正）" in text(done)
    assert NationalExport.objects.filter(kind="changes", certificate_count=1).count() == 1


def test_an_export_asked_on_the_page_is_made_by_a_worker_and_followed_there(
    batch, province_center, city_center, settings
):
    # The queue as in production: the export waits for a worker, the page follows its job.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = client_of(province_center)
    started = client.post(
        "/review/national/new", {"scope": "batch", "batch": batch.pk}, follow=True
    )
    assert "已开始生成上报文件" in text(started) and not NationalExport.objects.exists()
    job = Job.objects.get(kind="national_export")
    assert job.subject == f"batch:{batch.pk}" and job.owner == province_center
    page = html(client.get("/review/national"))
    assert f'data-job="{job.pk}"' in page and "后台任务处理程序未运行" in page
    progress = client.get(f"/review/national/jobs/{job.pk}")
    assert progress.status_code == 200 and progress.json()["phase"] == "queued"
    # Asking again while it waits follows the same job; nobody else sees it.
    client.post("/review/national/new", {"scope": "batch", "batch": batch.pk})
    assert Job.objects.filter(kind="national_export").count() == 1
    assert client_of(city_center).get(f"/review/national/jobs/{job.pk}").status_code == 404
    assert f'data-job="{job.pk}"' not in html(client_of(city_center).get("/review/national"))
    assert client.get(f"/review/national/jobs/{'0' * 32}").status_code == 404

    Worker(burst=True, beat_thread=False, scheduler=False).run()
    export = NationalExport.objects.get()
    assert export.certificate_count == 5 and export.created_by == province_center
    body = client.get(f"/review/national/jobs/{job.pk}").json()
    assert body["phase"] == "done" and body["export"] == export.pk
    assert f"已生成上报文件 {export.file_name}（5 张证书）" in body["note"]
    page = html(client.get("/review/national"))
    assert f"已生成上报文件 {export.file_name}" in page and "national-pending" in page


def test_a_period_asked_again_answers_with_its_export_without_a_job(batch, province_center):
    client = client_of(province_center)
    period = {"scope": "period", "start": "2026-01-01", "end": "2026-11-11"}
    first = client.post("/review/national/new", period, follow=True)
    export = NationalExport.objects.get()
    assert f"已生成上报文件 {export.file_name}（5 张证书），待发送。" in text(first)
    again = client.post("/review/national/new", period, follow=True)
    assert f"该范围已有上报记录 #{export.pk}（待发送），未重复生成。" in text(again)
    assert Job.objects.filter(kind="national_export").count() == 1


def test_an_export_request_is_checked_before_it_is_queued(
    batch, province_center, city_center, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = client_of(province_center)
    nothing = client.post("/review/national/new", {"scope": "changes"})
    assert nothing.status_code == 409 and "没有可上报的状态变更" in text(nothing)
    future = client.post(
        "/review/national/new", {"scope": "period", "start": "2026-01-01", "end": "2099-01-01"}
    )
    assert future.status_code == 400 and "截止日期不能晚于今天" in text(future)
    refused = client_of(city_center).post(
        "/review/national/new", {"scope": "period", "start": "2026-01-01", "end": "2026-11-01"}
    )
    assert refused.status_code == 403
    assert not Job.objects.filter(kind="national_export").exists()


def test_an_export_job_whose_officer_left_fails_with_a_reason(batch, province_center, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = client_of(province_center)
    client.post("/review/national/new", {"scope": "batch", "batch": batch.pk})
    job = Job.objects.get(kind="national_export")
    province_center.is_active = False
    province_center.save(update_fields=["is_active"])
    Worker(burst=True, beat_thread=False, scheduler=False).run()
    job.refresh_from_db()
    assert job.phase == "failed" and job.error == "发起人账号已停用，上报文件未生成"
    assert not NationalExport.objects.exists()
