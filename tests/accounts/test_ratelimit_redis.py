"""Rate limits shared through Redis (SKILLCERT_REDIS_URL): what several app servers count together.

A real ``redis-server`` runs for the session on a free loopback port, without persistence, in a
temporary directory. Without the binary these tests are skipped, except under CI (``CI`` set),
which must have it (``.ci/run`` installs it).
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import redis
from django.test import Client, override_settings
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from skillcert.accounts import ratelimit
from skillcert.accounts.ratelimit import RedisCounters

UNKNOWN = "/api/v1/public/certificates/S000034010001263000001"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[str]:
    """The URL of a redis-server started for this test session (stopped at its end)."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed: CI must have it (.ci/run installs it)")
        pytest.skip("redis-server is not installed (apt-get install redis-server to run these)")
    directory = tmp_path_factory.mktemp("redis")
    port = _free_port()
    options = ["--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    files = ["--dir", str(directory), "--logfile", str(directory / "redis.log")]
    server = subprocess.Popen(
        [binary, *options, *files],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 15
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log = (directory / "redis.log").read_text(errors="replace")
                    pytest.fail(f"redis-server did not start on port {port}:\n{log}")
                time.sleep(0.05)
        client.close()
        yield url
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def redis_url(redis_server, settings, monkeypatch) -> str:
    """The product configured with the session's Redis, emptied before the test."""
    redis.Redis.from_url(redis_server).flushdb()
    monkeypatch.setattr(ratelimit, "_redis_counters", {})  # no client kept between tests
    settings.SKILLCERT_REDIS_URL = redis_server
    return redis_server


@pytest.fixture
def dead_redis_url(settings, monkeypatch) -> str:
    """The product configured with a Redis that does not answer (nothing listens there)."""
    monkeypatch.setattr(ratelimit, "_redis_counters", {})
    url = f"redis://127.0.0.1:{_free_port()}/0"
    settings.SKILLCERT_REDIS_URL = url
    return url


@pytest.fixture
def verify_rate(monkeypatch):
    """The API's verify scope at 2 a minute."""
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "verify": "2/min"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)


def test_two_servers_count_together(redis_url):
    """Two limiters (two app servers, each its own connection) count one client together."""
    one, two = RedisCounters(redis_url), RedisCounters(redis_url)
    window = int(time.time() // 60)
    assert [server.hit("web-verify:203.0.113.7", window, 60) for server in (one, two)] == [1, 2]
    # Over a limit of 2: refused whichever server gets the next request.
    assert one.hit("web-verify:203.0.113.7", window, 60) == 3
    assert two.hit("web-verify:203.0.113.7", window, 60) == 4
    assert two.hit("web-verify:198.51.100.1", window, 60) == 1  # another client on its own


def test_windows_are_fixed_as_in_the_table(redis_url):
    counters = RedisCounters(redis_url)
    assert [counters.hit("a", 10, 60) for _ in range(3)] == [1, 2, 3]
    assert counters.hit("a", 11, 60) == 1  # a new window starts again
    assert counters.hit("a", 10, 3600) == 1  # an hourly count is another count


def test_a_window_expires(redis_url):
    counters = RedisCounters(redis_url)
    window = int(time.time())
    key = counters.key("a", window, 1)
    assert counters.hit("a", window, 1) == 1
    assert counters.hit("a", window, 1) == 2
    assert 0 < counters.client.pttl(key) <= 1000  # the key ends with its window
    deadline = time.monotonic() + 3
    while counters.client.exists(key) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not counters.client.exists(key)
    assert counters.hit("a", int(time.time()), 1) == 1


@pytest.mark.django_db
def test_the_api_refuses_the_request_after_the_limit_whichever_server_gets_it(
    redis_url, verify_rate, monkeypatch
):
    codes = []
    for _ in range(3):
        # Each request as if on another app server: a new client, nothing shared but Redis.
        monkeypatch.setattr(ratelimit, "_redis_counters", {})
        codes.append(Client().get(UNKNOWN, {"name": "张三"}).status_code)
    assert codes == [404, 404, 429]
    # Counted in Redis only: this host's table has not seen the client.
    window = int(time.time() // 60)
    assert ratelimit._table_hit("throttle_verify_127.0.0.1", window, 60) == 1


@pytest.mark.django_db
def test_login_attempts_count_in_redis(redis_url, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    limited = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "auth": "2/min"}}
    with override_settings(REST_FRAMEWORK=limited):
        codes = []
        for _ in range(3):
            ratelimit._redis_counters.clear()  # another app server
            answer = Client().post("/login", {"username": "nobody", "password": "wrong"})
            codes.append(answer.status_code)
    assert codes[:2] != [429, 429] and codes[2] == 429
    keys = redis.Redis.from_url(redis_url).keys(f"{ratelimit.REDIS_PREFIX}*web-login*")
    assert len(keys) == 1


@pytest.mark.django_db
def test_redis_down_lets_requests_through_and_warns(dead_redis_url, verify_rate, caplog):
    with caplog.at_level(logging.WARNING, logger="skillcert.accounts.ratelimit"):
        api = [Client().get(UNKNOWN, {"name": "张三"}).status_code for _ in range(3)]
        page = [
            Client().get("/verify", {"number": "S000034010001263000001", "name": "张三"})
            for _ in range(3)
        ]
    assert api == [404, 404, 404]  # over the limit of 2, but nothing counts: none refused
    assert [answer.status_code for answer in page] == [200, 200, 200]
    warnings = [r for r in caplog.records if r.name == "skillcert.accounts.ratelimit"]
    assert warnings and warnings[0].levelno == logging.WARNING
    assert "Redis" in warnings[0].getMessage() and "放行" in warnings[0].getMessage()
    # One warning, then a pause before Redis is asked again: not a timeout per request.
    assert len(warnings) == 1


@pytest.mark.django_db
def test_readyz_names_the_cache_when_redis_is_down(dead_redis_url, client):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["cache"]
    assert body["checks"]["cache"].startswith("failed: ")
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_readyz_asks_redis_when_configured(redis_url, client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["cache"] == "ok"


_ROUND_TRIP = """
from django.conf import settings
from django.core.cache import cache
from skillcert.accounts import ratelimit
cache.set("round-trip", {"证书": 1}, 30)
print(settings.CACHES["default"]["BACKEND"], type(ratelimit.counters()).__name__)
print(cache.get("round-trip"))
"""


def _settings_of(tmp_path, **env: str) -> list[str]:
    """The product's settings in a fresh process with ``env``: what it prints of them."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SKILLCERT_")}
    clean.update(SKILLCERT_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="skillcert.settings")
    clean.update(SKILLCERT_SECRET_KEY="k" * 50, **env)
    code = "import django; django.setup()\n" + _ROUND_TRIP
    done = subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_cache_goes_through_django_redis(redis_url, tmp_path):
    printed = _settings_of(tmp_path, SKILLCERT_REDIS_URL=redis_url)
    assert printed == ["django_redis.cache.RedisCache RedisCounters", "{'证书': 1}"]
    assert redis.Redis.from_url(redis_url).keys("*round-trip")  # stored in Redis itself


def test_without_redis_the_single_host_default_stays(tmp_path):
    printed = _settings_of(tmp_path)
    assert printed == [
        "django.core.cache.backends.filebased.FileBasedCache TableCounters",
        "{'证书': 1}",
    ]
