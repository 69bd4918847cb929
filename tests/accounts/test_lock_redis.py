"""The account lock with SKILLCERT_REDIS_URL: axes' cache handler keeps the counts in the
shared Redis, so every app server sees the same lock (docs/security.md, A)."""

from __future__ import annotations

import pytest
import redis
from axes.handlers.proxy import AxesProxyHandler
from rest_framework.test import APIClient

from skillcert.accounts import security
from tests.accounts.test_ratelimit_redis import redis_server  # noqa: F401 - the fixture
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_locks(redis_server, settings):  # noqa: F811 - the imported fixture
    redis.Redis.from_url(redis_server).flushdb()
    settings.CACHES = {
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": redis_server}
    }
    settings.AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
    AxesProxyHandler.get_implementation(force=True)
    yield redis_server
    settings.AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
    AxesProxyHandler.get_implementation(force=True)


def token(username: str, password: str, address: str):
    return APIClient(REMOTE_ADDR=address).post(
        "/api/v1/auth/token", {"username": username, "password": password}, format="json"
    )


def test_the_lock_lives_in_redis_and_the_security_admin_ends_it(redis_locks, city_bureau):
    answers = [token("hf_bureau", "Wrong-pass-1", f"10.2.0.{n}").status_code for n in range(5)]
    assert answers == [401, 401, 401, 401, 403]
    assert token("hf_bureau", PASSWORD, "10.2.0.99").json()["error"]["code"] == "account_locked"
    assert redis.Redis.from_url(redis_locks).keys("*axes*")
    from axes.utils import reset

    reset(username="hf_bureau")
    assert not security.is_locked("hf_bureau")
    assert token("hf_bureau", PASSWORD, "10.2.0.99").status_code == 200
