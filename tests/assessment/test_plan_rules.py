"""Plan filing refusals (五(一)), each naming its rule; results and publicity rules."""

from __future__ import annotations

import pytest

from skillcert.assessment.models import Batch
from skillcert.audit.models import AuditEntry
from skillcert.ops.samples import sample_batch
from skillcert.registry.models import Organization
from tests.assessment.factories import PLAN_DAY, START, batch_in, filed_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization(occupation_catalog, org_user, city_bureau, today):
    return filed_organization(org_user, city_bureau, today)


def post(client, path, data=None):
    return client.post(path, data or {}, format="json")


def refused(client, batch_id: int) -> dict:
    before = (Batch.objects.get(pk=batch_id).state, AuditEntry.objects.count())
    response = post(client, f"/api/v1/batches/{batch_id}/submit")
    assert response.status_code == 409, response.json()
    assert (Batch.objects.get(pk=batch_id).state, AuditEntry.objects.count()) == before
    return response.json()["error"]


def draft(client, **changes) -> int:
    body = sample_batch(START)
    body.update(changes)
    response = post(client, "/api/v1/batches", body)
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def rules_of(error: dict) -> set[str]:
    return {item["rule"] for item in error["rules"]}


def test_plan_later_than_ten_working_days_before_the_start(
    organization, org_user, client_for, today
):
    client = client_for(org_user)
    today(PLAN_DAY)
    batch = draft(client)
    today("2026-10-20")  # the last day was 2026-10-19
    error = refused(client, batch)
    assert error["code"] == "plan_too_late" and "2026-10-19" in error["message"]
    today("2026-10-19")
    assert post(client, f"/api/v1/batches/{batch}/submit").status_code == 200


def test_occupation_or_level_outside_the_filed_scope(organization, org_user, client_for, today):
    client = client_for(org_user)
    today(PLAN_DAY)
    items = [
        {"occupation_code": "6-18-02-04", "occupation_name": "焊工", "level": 1},
        {"occupation_code": "6-18-01-01", "occupation_name": "车工", "level": 5},
    ]
    batch = draft(client, items=items, candidates=[])
    error = refused(client, batch)
    assert "outside_scope" in rules_of(error)
    assert "一级/高级技师" in error["message"] and "车工" in error["message"]
    assert "no_candidates" in rules_of(error)


@pytest.mark.parametrize("status", ["applying", "pilot_failed", "revoked", "expired"])
def test_organizations_that_may_not_certify(organization, org_user, client_for, today, status):
    client = client_for(org_user)
    today(PLAN_DAY)
    batch = draft(client)
    Organization.objects.filter(pk=organization.pk).update(status=status)
    assert "cannot_certify" in rules_of(refused(client, batch))


def test_site_in_a_city_where_it_is_not_filed(organization, org_user, client_for, today):
    client = client_for(org_user)
    today(PLAN_DAY)
    batch = draft(client, site_city="02")
    assert rules_of(refused(client, batch)) == {"site_not_filed"}


def test_province_channel_must_stay_in_its_industry(organization, org_user, client_for, today):
    client = client_for(org_user)
    today(PLAN_DAY)
    Organization.objects.filter(pk=organization.pk).update(
        channel="province", scope="province", industry="通信行业"
    )
    batch = draft(client)
    assert rules_of(refused(client, batch)) == {"outside_industry"}
    client.patch(f"/api/v1/batches/{batch}", {"industry_only": True}, format="json")
    assert post(client, f"/api/v1/batches/{batch}/submit").status_code == 200


def test_missing_staff_roles(organization, org_user, client_for, today):
    client = client_for(org_user)
    today(PLAN_DAY)
    body = sample_batch(START)
    batch = draft(client, staff=body["staff"][:1])
    error = refused(client, batch)
    assert rules_of(error) == {"staff_missing"}
    assert "考评人员" in error["message"] and "内部质量督导员" in error["message"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start_date": "2026-13-01"}, "start_date"),
        ({"end_date": "2026-10-01"}, "end_date"),
        ({"site_city": "09"}, "site_city"),
        ({"subjects": []}, "subjects"),
        ({"subjects": ["理论知识", "理论知识"]}, "subjects"),
        ({"pass_mark": 120}, "pass_mark"),
        (
            {"items": [{"occupation_code": "618", "occupation_name": "焊工", "level": 3}]},
            "items[0]",
        ),
        (
            {"items": [{"occupation_code": "6-18-02-04", "occupation_name": "焊工", "level": 7}]},
            "items[0].level",
        ),
        (
            {"staff": [{"role": "boss", "name": "x", "id_type": "201", "id_number": "1"}]},
            "staff[0].role",
        ),
    ],
)
def test_bad_plans_are_400_with_the_field(organization, org_user, client_for, today, change, field):
    client = client_for(org_user)
    today(PLAN_DAY)
    body = sample_batch(START)
    body.update(change)
    response = post(client, "/api/v1/batches", body)
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]
    assert not Batch.objects.exists()


def test_bad_candidates_list_every_row(organization, org_user, client_for, today):
    client = client_for(org_user)
    today(PLAN_DAY)
    body = sample_batch(START)
    body["candidates"][1]["id_number"] = body["candidates"][1]["id_number"][:-1] + "0"
    body["candidates"][2]["id_number"] = body["candidates"][0]["id_number"]
    body["candidates"][3]["city"] = "火星市"
    body["candidates"][4]["level"] = 1
    response = post(client, "/api/v1/batches", body)
    assert response.status_code == 400
    rows = {(r["row"], r["column"]) for r in response.json()["error"]["rows"]}
    assert {(2, "证件号码"), (3, "证件号码"), (4, "考生所在地市"), (5, "申报等级")} <= rows
    assert not Batch.objects.exists()


def test_results_for_people_not_in_the_batch_or_out_of_range(
    organization, org_user, client_for, today
):
    batch = batch_in("plan_filed", organization, org_user, today)
    client = client_for(org_user)
    today("2026-11-03")
    first = batch.candidates.first().id_number
    for entries, field in [
        (
            [{"id_number": "110101199001011237", "scores": {"理论知识": 70, "操作技能": 70}}],
            "results[0].id_number",
        ),
        (
            [{"id_number": first, "scores": {"理论知识": 101, "操作技能": 70}}],
            "results[0].scores.理论知识",
        ),
        (
            [{"id_number": first, "scores": {"理论知识": -1, "操作技能": 70}}],
            "results[0].scores.理论知识",
        ),
        ([{"id_number": first, "scores": {"理论知识": 70}}], "results[0].scores"),
        (
            [{"id_number": first, "scores": {"理论知识": 70, "操作技能": 70, "面试": 80}}],
            "results[0].scores",
        ),
    ]:
        response = post(client, f"/api/v1/batches/{batch.pk}/results", {"results": entries})
        assert response.status_code == 400, response.json()
        assert field in response.json()["error"]["fields"]
    assert Batch.objects.get(pk=batch.pk).state == "plan_filed"
    assert not Batch.objects.get(pk=batch.pk).candidates.exclude(scores={}).exists()


def test_results_before_the_start_are_409(organization, org_user, client_for, today):
    batch = batch_in("plan_filed", organization, org_user, today)
    today("2026-11-01")
    entries = [
        {
            "id_number": batch.candidates.first().id_number,
            "scores": {"理论知识": 70, "操作技能": 70},
        }
    ]
    response = post(
        client_for(org_user), f"/api/v1/batches/{batch.pk}/results", {"results": entries}
    )
    assert response.status_code == 409


def test_pass_marks_per_subject(organization, org_user, today):
    from skillcert.assessment.services import results

    today(PLAN_DAY)
    body = sample_batch(START)
    body["pass_marks"] = {"操作技能": 70}
    from skillcert.assessment.services.plans import create_batch, submit_plan

    batch = create_batch(organization, body, actor=org_user)
    assert batch.pass_marks == {"理论知识": "60", "操作技能": "70"}
    submit_plan(batch, actor=org_user)
    today("2026-11-03")
    numbers = list(batch.candidates.values_list("id_number", flat=True))
    results.enter_results(
        batch,
        {
            "results": [
                {"id_number": numbers[0], "scores": {"理论知识": 60, "操作技能": 70}},
                {"id_number": numbers[1], "scores": {"理论知识": 95, "操作技能": 69.5}},
            ]
        },
        actor=org_user,
    )
    passed = dict(batch.candidates.values_list("id_number", "passed"))
    assert passed[numbers[0]] is True and passed[numbers[1]] is False
    assert passed[numbers[2]] is None  # no scores yet: nothing computed


def test_publicize_needs_every_result(organization, org_user, client_for, today):
    from skillcert.assessment.services import results

    batch = batch_in("plan_filed", organization, org_user, today)
    today("2026-11-03")
    first = batch.candidates.first().id_number
    results.enter_results(
        batch,
        {"results": [{"id_number": first, "scores": {"理论知识": 80, "操作技能": 80}}]},
        actor=org_user,
    )
    response = post(client_for(org_user), f"/api/v1/batches/{batch.pk}/publicize")
    assert response.status_code == 409 and response.json()["error"]["code"] == "results_incomplete"
    absent = list(batch.candidates.exclude(id_number=first).values_list("id_number", flat=True))
    assert (
        post(
            client_for(org_user), f"/api/v1/batches/{batch.pk}/attendance", {"absent": absent}
        ).status_code
        == 200
    )
    assert post(client_for(org_user), f"/api/v1/batches/{batch.pk}/publicize").status_code == 200


def test_upheld_objection_sends_results_back(
    organization, org_user, city_center, client_for, public_client, today
):
    batch = batch_in("in_publicity", organization, org_user, today)
    lodged = post(
        public_client,
        f"/api/v1/batches/{batch.pk}/objections",
        {"content": "张三未参加操作技能考试。", "contact": "0551-1234567"},
    )
    assert lodged.status_code == 201
    today("2026-11-11")
    blocked = post(client_for(org_user), f"/api/v1/batches/{batch.pk}/issue")
    assert blocked.status_code == 409 and blocked.json()["error"]["code"] == "objection_open"
    wrong = post(
        client_for(org_user),
        f"/api/v1/objections/{lodged.json()['id']}/resolve",
        {"upheld": True, "reason": "自己处理"},
    )
    assert wrong.status_code == 403
    resolved = post(
        client_for(city_center),
        f"/api/v1/objections/{lodged.json()['id']}/resolve",
        {"upheld": True, "reason": "经核实属实，成绩需更正。"},
    )
    assert resolved.status_code == 200 and resolved.json()["state"] == "upheld"
    assert Batch.objects.get(pk=batch.pk).state == "results_entered"


def test_objection_after_the_publicity_is_409(organization, org_user, public_client, today):
    batch = batch_in("in_publicity", organization, org_user, today)
    today("2026-11-11")
    response = post(
        public_client, f"/api/v1/batches/{batch.pk}/objections", {"content": "x", "contact": "y"}
    )
    assert response.status_code == 409
