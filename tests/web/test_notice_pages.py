"""The public notices: a list of titles paged by itself (running ones, then the earlier
ones), and each notice's own page with its text (a result publicity's names) and the
objection form while the publicity runs (issue 12: the list stays the same size however
many notices run)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from skillcert.accounts.models import Authority
from skillcert.registry.models import Notice, NoticeKind
from skillcert.web.public.views import NOTICES_PAGE_SIZE as PAGE_SIZE
from tests.assessment.factories import batch_in, filed_organization
from tests.support.pages import html

pytestmark = pytest.mark.django_db


def notices_of(authority: Authority, count: int, *, running: bool) -> list[Notice]:
    """``count`` filing publicities of Hefei, running on 2026-11-04 or ended before."""
    start = dt.date(2026, 11, 2) if running else dt.date(2026, 9, 1)
    return Notice.objects.bulk_create(
        Notice(
            kind=NoticeKind.FILING_PUBLICITY,
            title=f"第{index:03d}号备案公示",
            body=f"名单{index:03d}：王某某",
            authority=authority,
            starts_on=start,
            ends_on=start + dt.timedelta(days=7),
        )
        for index in range(count)
    )


def listed_ids(page: str, section: str) -> set[int]:
    """The notices a section of /notices links to."""
    start = page.index(f'id="{section}-title"')
    end = page.find("</section>", start)
    return {int(pk) for pk in re.findall(r'href="/notices/(\d+)"', page[start:end])}


def test_the_running_notices_are_paged_and_show_no_text(authorities, today):
    today("2026-11-04")
    hefei = Authority.objects.get(code="01")
    running = notices_of(hefei, PAGE_SIZE + 1, running=True)
    public = Client()
    first = html(public.get("/notices"))
    second = html(public.get("/notices?page=2"))
    shown = listed_ids(first, "current") | listed_ids(second, "current")
    assert len(listed_ids(first, "current")) == PAGE_SIZE
    assert shown == {n.pk for n in running}
    assert f"共 {PAGE_SIZE + 1} 条" in first and "page=2" in first
    assert "王某某" not in first + second  # the text is on each notice's own page
    assert "目前没有正在公示的事项" not in first


def test_the_earlier_notices_are_paged_by_their_own_number(authorities, today):
    today("2026-11-04")
    hefei = Authority.objects.get(code="01")
    (current,) = notices_of(hefei, 1, running=True)
    earlier = notices_of(hefei, PAGE_SIZE + 2, running=False)
    public = Client()
    first = html(public.get("/notices"))
    assert listed_ids(first, "current") == {current.pk}
    assert len(listed_ids(first, "past")) == PAGE_SIZE
    assert "past=2" in first
    second = html(public.get("/notices?past=2"))
    assert listed_ids(second, "current") == {current.pk}  # the running list stays on page 1
    assert listed_ids(first, "past") | listed_ids(second, "past") == {n.pk for n in earlier}


def test_a_result_publicity_lists_its_names_on_its_own_page(
    occupation_catalog, org_user, city_bureau, today
):
    organization = filed_organization(org_user, city_bureau, today)
    batch = batch_in("in_publicity", organization, org_user, today)
    notice = Notice.objects.get(kind=NoticeKind.RESULT_PUBLICITY, subject_id=batch.pk)
    passed = batch.candidates.filter(passed=True).first()
    public = Client()
    listed = html(public.get("/notices"))
    assert f'href="/notices/{notice.pk}"' in listed and passed.name not in listed
    page = html(public.get(f"/notices/{notice.pk}"))
    assert f"<h1>{notice.title}</h1>" in page
    assert f"<td>{passed.name}</td>" in page and passed.id_number not in page
    assert f'<span class="publisher">{organization.name}</span>' in page
    assert f'action="/notices/{notice.pk}/objection"' in page

    today("2026-11-20")  # the publicity is over: the names go (domain.md §11), the form goes
    page = html(public.get(f"/notices/{notice.pk}"))
    assert passed.name not in page and notice.title in page
    assert "/objection" not in page and "公示期已结束，不能再提出异议" in page


def test_an_unknown_notice_is_404(authorities):
    response = Client().get("/notices/999999")
    assert response.status_code == 404
