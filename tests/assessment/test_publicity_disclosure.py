"""Minimal disclosure of result publicities (domain.md §11, issue 13 item 6): names and masked
ID numbers are public only while the publicity runs; afterwards the notice keeps its dates and
counts, on the page and in the API at once (render time), and in the database once the hourly
job has run (one audit entry per notice)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from skillcert.assessment.services.disclosure import ACTION, remove_names_from_ended_notices
from skillcert.audit.models import AuditEntry
from skillcert.audit.service import SYSTEM
from skillcert.jobs.schedule import PERIODIC
from skillcert.registry.models import Notice, NoticeKind, Objection
from skillcert.rules.disclosure import NAMES_REMOVED, without_name_list
from skillcert.rules.idtypes import mask_id_number
from tests.assessment.factories import batch_in, filed_organization
from tests.support.pages import html

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(occupation_catalog, org_user, city_bureau, today):
    """A result publicity running 2026-11-04 to its last day; the batch and its notice."""
    organization = filed_organization(org_user, city_bureau, today)
    batch = batch_in("in_publicity", organization, org_user, today)
    notice = Notice.objects.get(kind=NoticeKind.RESULT_PUBLICITY, subject_id=batch.pk)
    return batch, notice


def api_notice(pk: int) -> dict:
    response = Client().get("/api/v1/public/notices", {"kind": "result_publicity"})
    assert response.status_code == 200
    (found,) = [n for n in response.json()["results"] if n["id"] == pk]
    return found


def test_names_show_while_the_publicity_runs_and_objections_work(published, today):
    batch, notice = published
    passed = list(batch.candidates.filter(passed=True))
    today(notice.ends_on.isoformat())  # the last day still counts
    page = html(Client().get(f"/notices/{notice.pk}"))
    body = api_notice(notice.pk)["body"]
    for candidate in passed:
        assert f"<td>{candidate.name}</td>" in page
        assert mask_id_number(candidate.id_number) in page
        assert candidate.name in body
    response = Client().post(
        f"/notices/{notice.pk}/objection",
        {"content": "该考生未参加操作技能考核。", "contact": "13812341234"},
    )
    # The answer shows the objector's reference and code, once (domain.md §9).
    assert response.status_code == 200
    objection = Objection.objects.get(batch=batch)
    assert objection.case_number and objection.case_number in html(response)


def test_after_the_publicity_the_names_are_gone_before_the_job_runs(published, today):
    batch, notice = published
    passed = list(batch.candidates.filter(passed=True))
    today((notice.ends_on + dt.timedelta(days=1)).isoformat())
    page = html(Client().get(f"/notices/{notice.pk}"))
    body = api_notice(notice.pk)["body"]
    for candidate in passed:
        assert candidate.name not in page and candidate.name not in body
        assert mask_id_number(candidate.id_number) not in page + body
    # Its dates and counts stay.
    assert f"合格人数：{len(passed)}" in page and f"合格人数：{len(passed)}" in body
    assert notice.ends_on.isoformat() in page
    assert NAMES_REMOVED in page and NAMES_REMOVED in body
    assert "公示期已结束，不能再提出异议" in page
    # Only hidden so far: the stored text still holds the list until the job runs.
    notice.refresh_from_db()
    assert passed[0].name in notice.body


def test_the_job_removes_the_names_from_the_stored_notice_once(published, today):
    batch, notice = published
    passed = list(batch.candidates.filter(passed=True))
    running = Notice.objects.create(
        kind=NoticeKind.RESULT_PUBLICITY,
        title="另一批次结果公示",
        body="合格人数：1\n姓名\t证件号码\n张三\t3401**********1234",
        authority=notice.authority,
        subject_id=None,
        starts_on=notice.ends_on,
        ends_on=notice.ends_on + dt.timedelta(days=7),
    )
    today(notice.ends_on.isoformat())
    assert remove_names_from_ended_notices(actor=SYSTEM) == 0  # the last day: nothing yet

    today((notice.ends_on + dt.timedelta(days=1)).isoformat())
    before = AuditEntry.objects.count()
    assert remove_names_from_ended_notices(actor=SYSTEM) == 1
    notice.refresh_from_db()
    for candidate in passed:
        assert candidate.name not in notice.body
        assert mask_id_number(candidate.id_number) not in notice.body
    assert f"合格人数：{len(passed)}" in notice.body and NAMES_REMOVED in notice.body
    (entry,) = AuditEntry.objects.filter(seq__gt=before)
    assert entry.action == ACTION and entry.object_id == str(notice.pk)
    assert f'"names_listed":{len(passed)}' in entry.before
    assert passed[0].name not in entry.before + entry.after  # the record keeps no names
    running.refresh_from_db()
    assert "张三" in running.body  # its publicity still runs

    # Twice changes nothing; the candidates' own records are untouched.
    assert remove_names_from_ended_notices(actor=SYSTEM) == 0
    assert AuditEntry.objects.count() == before + 1
    assert batch.candidates.filter(passed=True).count() == len(passed)


def test_other_notices_keep_their_text_after_their_period(authorities, today):
    from skillcert.accounts.models import Authority

    filing = Notice.objects.create(
        kind=NoticeKind.FILING_PUBLICITY,
        title="备案公示",
        body="评价机构\t备案类别\n合肥某学校\t社会培训评价组织",
        authority=Authority.objects.get(code="01"),
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 9, 8),
    )
    today("2026-12-01")
    assert remove_names_from_ended_notices(actor=SYSTEM) == 0
    page = html(Client().get(f"/notices/{filing.pk}"))
    assert "合肥某学校" in page


def test_the_job_is_scheduled_hourly():
    import skillcert.assessment.tasks  # noqa: F401  (the worker imports it: registers the job)

    job = PERIODIC["skillcert.assessment.tasks.remove_publicity_names"]
    assert job.every == dt.timedelta(hours=1)


def test_removing_the_list_keeps_the_rest_and_is_idempotent():
    body = "评价机构：某学校\n合格人数：2\n姓名\t证件号码\n甲\t1\n乙\t2"
    once = without_name_list(body)
    assert once == f"评价机构：某学校\n合格人数：2\n{NAMES_REMOVED}"
    assert without_name_list(once) == once
    assert without_name_list("") == ""
