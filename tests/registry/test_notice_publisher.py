"""Who publishes a notice: a result publicity is the organization's own (五(三): 评价组织应对认定
结果进行公示), never the city bureau that did not review it; every other notice its authority's."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from skillcert.registry.models import Notice, NoticeKind
from skillcert.registry.selectors import notice_publisher, public_notices
from tests.assessment.factories import batch_in, filed_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def notices(occupation_catalog, org_user, city_bureau, today):
    """A 合肥 organization filed (its filing publicity by the bureau) and publicizing the
    results of a batch (2026-11-04 to 2026-11-10); the platform's date 2026-11-05."""
    organization = filed_organization(org_user, city_bureau, today)
    batch_in("in_publicity", organization, org_user, today)
    today("2026-11-05")
    result = Notice.objects.get(kind=NoticeKind.RESULT_PUBLICITY)
    filing = Notice.objects.exclude(kind=NoticeKind.RESULT_PUBLICITY).get(filing__isnull=False)
    return organization, result, filing


def test_a_result_publicity_is_published_by_the_organization(notices):
    organization, result, filing = notices
    assert result.authority.name == "合肥市"  # kept for scoping
    assert notice_publisher(result) == organization.name
    assert notice_publisher(filing) == "合肥市人社局"
    annotated = {n.pk: n.publisher for n in public_notices({})}
    assert annotated[result.pk] == organization.name
    assert annotated[filing.pk] == "合肥市人社局"
    assert {n.pk: notice_publisher(n) for n in public_notices({})} == annotated


def test_the_notice_pages_name_the_organization_as_publisher(notices):
    organization, result, _ = notices
    client = Client()
    page = client.get("/notices").content.decode()
    card = page[page.index(f'id="notice-{result.pk}"') :]
    card = card[: card.index("</article>")]
    publisher = re.search(r'<span class="publisher">([^<]*)</span>', card).group(1)
    assert publisher == organization.name
    assert "人社局" not in card.split('class="notice-body"')[0]
    past = page[page.index('id="past-title"') :]
    assert '<span class="publisher">合肥市人社局</span>' in past  # the filing publicity
    objection = client.get(f"/notices/{result.pk}/objection").content.decode()
    assert f'<span class="publisher">{organization.name}</span>' in objection
