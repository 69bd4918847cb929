"""The pages that take a form from anyone are rate-limited per client, like the API.

Login (the ``auth`` rate), registration (``register``), objections to a publicity (``public``)
and the certificate check (``verify``, see test_certificate_pages): over the limit the page
answers 429 in Chinese with Retry-After, and nothing happens: no login, no organization, no
objection. Another address is not affected; reading the pages is not counted.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

from skillcert.registry.models import Objection, Organization
from tests.assessment.factories import batch_in, filed_organization
from tests.conftest import PASSWORD
from tests.support.factories import credit_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    """Set some scopes' rates for the test: ``rates(auth="2/min")``."""

    def limit(**changes: str):
        current = settings.REST_FRAMEWORK
        merged = {**current["DEFAULT_THROTTLE_RATES"], **changes}
        return override_settings(REST_FRAMEWORK={**current, "DEFAULT_THROTTLE_RATES": merged})

    return limit


@pytest.fixture
def organization(occupation_catalog, org_user, city_bureau, today):
    return filed_organization(org_user, city_bureau, today)


def refused(response) -> bool:
    page = response.content.decode()
    return (
        response.status_code == 429
        and int(response["Retry-After"]) > 0
        and "请求过于频繁" in page
        and "请约" in page
    )


def test_login_attempts_are_limited_and_the_last_one_does_not_log_in(city_bureau, rates):
    with rates(auth="2/min"):
        client = Client()
        assert client.get("/login").status_code == 200  # reading the page is not counted
        for _ in range(2):
            assert (
                client.post("/login", {"username": "hf_bureau", "password": "wrong"}).status_code
                == 200
            )
        right = client.post("/login", {"username": "hf_bureau", "password": PASSWORD})
        assert refused(right) and "暂停登录尝试" in right.content.decode()
        assert "_auth_user_id" not in client.session
        assert client.get("/login").status_code == 200
        other = Client(REMOTE_ADDR="10.0.0.9")
        response = other.post("/login", {"username": "hf_bureau", "password": PASSWORD})
        assert response.status_code == 302 and "_auth_user_id" in other.session


def test_registrations_are_limited_and_the_refused_one_writes_nothing(authorities, rates):
    def form(index: int) -> dict[str, str]:
        return {
            "name": f"合肥限流测试培训学校{index}",
            "credit_code": credit_code("340104", f"RL00000{index}"),
            "username": f"rl_org{index}",
            "password": "Web-pass-2026",
            "password_again": "Web-pass-2026",
        }

    with rates(register="1/hour"):
        assert Client().post("/register", form(1)).status_code == 302
        response = Client().post("/register", form(2))
        assert refused(response)
    assert Organization.objects.filter(name__startswith="合肥限流测试").count() == 1


def test_objections_are_limited_and_the_refused_one_is_not_lodged(
    organization, org_user, today, rates
):
    batch_in("in_publicity", organization, org_user, today)
    page = Client().get("/notices").content.decode()
    notice = re.search(r'href="/notices/(\d+)"', page).group(1)
    page = Client().get(f"/notices/{notice}").content.decode()
    assert f'action="/notices/{notice}/objection"' in page
    objection = {"content": "第二名考生未参加操作技能考试。", "contact": "王先生 13800000000"}
    with rates(public="1/min"):
        client = Client()
        assert client.post(f"/notices/{notice}/objection", objection).status_code in (200, 302)
        response = client.post(f"/notices/{notice}/objection", objection)
        assert refused(response) and "返回公示公告" in response.content.decode()
    assert Objection.objects.count() == 1
