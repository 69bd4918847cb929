"""好差评: the applicant rates a finished case once; the officers read their own statistics."""

from __future__ import annotations

import pytest

from skillcert.audit.models import AuditEntry
from skillcert.registry.models import FilingCase
from skillcert.workflow.models import ServiceRating
from tests.support import personas
from tests.support.factories import FilingCaseFactory

pytestmark = pytest.mark.django_db


def _finished(city: str = "01") -> tuple[personas.Persona, object]:
    """An applicant of ``city`` and its case, not accepted (a final state)."""
    applicant = personas.organization_user(city=city)
    case = FilingCaseFactory(organization=applicant.organization, state="not_accepted")
    return applicant, case


def _rate(persona, subject, score=5, comment="办理及时，告知清楚。"):
    return persona.api.post(
        "/api/v1/ratings", {"object": subject, "score": score, "comment": comment}, format="json"
    )


def test_the_applicant_rates_a_finished_case_once():
    applicant, case = _finished()
    response = _rate(applicant, f"filing:{case.pk}", 4)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["object"] == f"filing:{case.pk}"
    assert body["score"] == 4
    assert body["authority"] == "01"
    rating = ServiceRating.objects.get()
    assert rating.rated_by == applicant.user
    entry = AuditEntry.objects.filter(action="workflow.rating_given").latest("seq")
    assert entry.actor_id == applicant.user.pk
    again = _rate(applicant, f"filing:{case.pk}", 1)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_rated"
    assert ServiceRating.objects.get().score == 4


def test_a_case_still_running_cannot_be_rated():
    applicant = personas.organization_user()
    case = FilingCaseFactory(organization=applicant.organization, state="submitted")
    response = _rate(applicant, f"filing:{case.pk}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_final"
    assert not ServiceRating.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"score": 0}, "score"),
        ({"score": 6}, "score"),
        ({"score": "很好"}, "score"),
        ({"score": True}, "score"),
        ({"score": None}, "score"),
        ({"comment": "好" * 501}, "comment"),
        ({"comment": 5}, "comment"),
    ],
)
def test_bad_input_is_400_and_changes_nothing(payload, field):
    applicant, case = _finished()
    body = {"object": f"filing:{case.pk}", "score": 5, "comment": "", **payload}
    response = applicant.api.post("/api/v1/ratings", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not ServiceRating.objects.exists()


@pytest.mark.parametrize("subject", ["", "filing", "filing:x", "case:3", "filing:0", 12])
def test_a_malformed_object_is_400(subject):
    applicant, _case = _finished()
    response = _rate(applicant, subject)
    assert response.status_code == 400
    assert "object" in response.json()["error"]["fields"]


def test_nobody_but_the_applicant_rates():
    _applicant, case = _finished()
    subject = f"filing:{case.pk}"
    for persona in (
        personas.unrelated_organization_user(),
        personas.city_officer("01"),
        personas.province_officer(),
    ):
        response = _rate(persona, subject)
        assert response.status_code == 404, persona.username
    assert _rate(personas.anonymous(), subject).status_code == 401
    assert _rate(_applicant, "filing:999999").status_code == 404
    assert not ServiceRating.objects.exists()


# --- the case page ---------------------------------------------------------------------------


def test_the_case_page_offers_the_rating_only_when_final_and_not_rated():
    applicant, case = _finished()
    running = FilingCaseFactory(organization=applicant.organization, state="submitted")
    assert (
        "data-rating-form" not in applicant.web.get(f"/org/filings/{running.pk}").content.decode()
    )
    page = applicant.web.get(f"/org/filings/{case.pk}").content.decode()
    assert "data-rating-form" in page
    response = applicant.web.post(
        "/ratings", {"object": f"filing:{case.pk}", "score": "3", "comment": "<b>一般</b>"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/org/filings/{case.pk}"
    page = applicant.web.get(f"/org/filings/{case.pk}").content.decode()
    assert "data-rating-form" not in page
    assert "data-rated" in page
    assert "&lt;b&gt;一般&lt;/b&gt;" in page
    # A second post is refused with a message, and keeps the first.
    applicant.web.post("/ratings", {"object": f"filing:{case.pk}", "score": "5"})
    assert ServiceRating.objects.get().score == 3
    # An officer reading the case sees no rating form.
    bureau = personas.city_officer("01")
    assert "data-rating-form" not in bureau.web.get(f"/review/filings/{case.pk}").content.decode()


def test_another_organization_posting_a_rating_gets_404():
    _applicant, case = _finished()
    other = personas.unrelated_organization_user()
    response = other.web.post("/ratings", {"object": f"filing:{case.pk}", "score": "1"})
    assert response.status_code == 404
    assert not ServiceRating.objects.exists()


# --- statistics ------------------------------------------------------------------------------


def _rated(city: str, score: int, comment: str = "") -> None:
    applicant, case = _finished(city)
    assert _rate(applicant, f"filing:{case.pk}", score, comment).status_code == 201


def test_a_city_officer_sees_only_its_city_and_the_province_all():
    _rated("01", 5, "合肥的评价")
    _rated("01", 3)
    _rated("02", 1, "芜湖的评价<script>x</script>")
    hefei = personas.city_officer("01")
    page = hefei.web.get("/review/ratings")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-authority="01"' in html
    assert 'data-authority="02"' not in html
    assert "合肥的评价" in html
    assert "芜湖的评价" not in html
    stats = hefei.api.get("/api/v1/ratings").json()
    assert stats["count"] == 2
    assert stats["average"] == 4.0
    [row] = stats["authorities"]
    assert row["code"] == "01"
    assert row["distribution"] == {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1}
    center = personas.city_officer("01", "city_center")
    assert center.api.get("/api/v1/ratings").json()["count"] == 2

    province = personas.province_officer()
    html = province.web.get("/review/ratings").content.decode()
    assert 'data-authority="01"' in html and 'data-authority="02"' in html
    assert "&lt;script&gt;" in html and "<script>x" not in html
    stats = province.api.get("/api/v1/ratings").json()
    assert stats["count"] == 3
    assert [row["code"] for row in stats["authorities"]] == ["01", "02"]


@pytest.mark.parametrize("who", ["org", "inspector", "admin"])
def test_others_do_not_read_the_statistics(who):
    persona = {
        "org": lambda: personas.organization_user(),
        "inspector": lambda: personas.inspector("01"),
        "admin": lambda: personas.province_officer("system_admin"),
    }[who]()
    assert persona.web.get("/review/ratings").status_code == 403
    assert persona.api.get("/api/v1/ratings").status_code == 403
    assert persona.web.get("/review/ratings.xlsx").status_code == 403
    assert not AuditEntry.objects.filter(action="export").exists()


def test_a_batch_with_its_results_filed_is_rated_for_the_city_that_received_it():
    from tests.support.factories import BatchFactory, member

    batch = BatchFactory(state="results_filed")
    applicant = personas.Persona(member(batch.organization))
    page = applicant.web.get(f"/org/batches/{batch.pk}").content.decode()
    assert "data-rating-form" in page
    response = _rate(applicant, f"batch:{batch.pk}", 5)
    assert response.status_code == 201, response.json()
    assert response.json()["authority"] == batch.site_city.code


def _sheets(content: bytes) -> dict[str, list[list[object]]]:
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content))
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    }


def test_the_statistics_go_to_excel_with_every_comment_and_only_the_readers_own():
    _rated("01", 5, "合肥的评价")
    _rated("01", 3)
    _rated("02", 1, '=HYPERLINK("http://x")')  # text stays text
    hefei = personas.city_officer("01")
    answer = hefei.web.get("/review/ratings.xlsx")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "attachment" in answer["Content-Disposition"]
    sheets = _sheets(answer.content)
    summary, detail = sheets["评价汇总"], sheets["评价明细"]
    assert summary[0][:4] == ["办理部门", "评价数", "平均分", "好评（4-5 分）"]
    assert summary[1][:4] == ["合肥市", 2, 4, 1] and summary[1][4:] == [1, 0, 1, 0, 0]
    assert summary[-1][:3] == ["合计", 2, 4]
    assert detail[0] == [
        "评价时间",
        "办理部门",
        "办理事项",
        "办件编号",
        "评分",
        "评价等级",
        "评价内容",
        "评价单位",
    ]
    assert sorted(row[4] for row in detail[1:]) == [3, 5]
    commented = next(row for row in detail[1:] if row[4] == 5)
    assert commented[1:3] == ["合肥市", "备案申请"] and commented[5:7] == ["非常满意", "合肥的评价"]
    rating = ServiceRating.objects.get(comment="合肥的评价")
    case = FilingCase.objects.get(pk=int(rating.subject.split(":")[1]))
    assert commented[3] == (case.case_number or None)  # an empty cell when it had none
    assert commented[7] == case.organization.name
    assert "芜湖" not in str(sheets)
    export = AuditEntry.objects.filter(action="export").order_by("pk").last()
    assert export is not None and "好差评统计（合肥市）" in export.after

    province = _sheets(personas.province_officer().web.get("/review/ratings.xlsx").content)
    assert [row[0] for row in province["评价汇总"][1:]] == ["合肥市", "芜湖市", "合计"]
    formula = next(row for row in province["评价明细"][1:] if row[4] == 1)
    assert formula[6] == '=HYPERLINK("http://x")'  # a string, never a formula


def test_rated_cases_are_named_by_their_case_numbers():
    from skillcert.assessment.models import Batch
    from skillcert.supervision.ratings import case_numbers
    from tests.support.factories import BatchFactory

    _applicant, case = _finished()
    FilingCase.objects.filter(pk=case.pk).update(case_number="BA-3401-2026-000123")
    planned, finished = BatchFactory(), BatchFactory()
    Batch.objects.filter(pk=planned.pk).update(plan_case_number="JH-3401-2026-000001")
    Batch.objects.filter(pk=finished.pk).update(
        plan_case_number="JH-3401-2026-000002", results_case_number="JG-3401-2026-000002"
    )
    assert case_numbers(
        [f"filing:{case.pk}", f"batch:{planned.pk}", f"batch:{finished.pk}", "x:1", "batch:abc"]
    ) == {
        f"filing:{case.pk}": "BA-3401-2026-000123",
        f"batch:{planned.pk}": "JH-3401-2026-000001",
        f"batch:{finished.pk}": "JG-3401-2026-000002",
    }
