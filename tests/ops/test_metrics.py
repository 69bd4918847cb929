"""/metrics: only a scraper reads it; requests, verifications, 429s, certificates and the queue."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import subprocess
import sys
import textwrap

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from skillcert.certificates.models import Certificate
from skillcert.certificates.services import lifecycle
from skillcert.ops.management.commands import serve
from tests.assessment.factories import filed_organization, issued

pytestmark = pytest.mark.django_db
OUTSIDE = "203.0.113.7"
UNKNOWN = "/api/v1/public/certificates/S000034010001264000501"


def scrape(**extra: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = Client().get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# --- access ---------------------------------------------------------------------------------


def test_an_outside_address_without_token_is_refused_and_sees_no_names():
    refused = Client().get("/metrics", REMOTE_ADDR=OUTSIDE)
    assert refused.status_code == 403
    assert b"skillcert_" not in refused.content and b"# HELP" not in refused.content


def test_loopback_may_scrape_when_nothing_is_configured():
    assert Client().get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert Client().get("/metrics", REMOTE_ADDR="::1").status_code == 200


def test_the_token_opens_it_from_anywhere_and_closes_loopback(settings):
    settings.SKILLCERT_METRICS_TOKEN = "scrape-token-2026"
    good = Client().get(
        "/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer scrape-token-2026"
    )
    assert good.status_code == 200 and b"skillcert_http_request_duration_seconds" in good.content
    wrong = Client().get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer scrape-token")
    assert wrong.status_code == 403
    # A token is configured: an address no longer suffices unless it is allowed explicitly.
    assert Client().get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_allowed_networks_replace_loopback(settings):
    settings.SKILLCERT_METRICS_ALLOW = (ipaddress.ip_network("10.0.0.0/8"),)
    assert Client().get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert Client().get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_behind_a_proxy_the_client_address_counts_not_the_proxys(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    from_outside = Client().get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=OUTSIDE)
    assert from_outside.status_code == 403
    local = Client().get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert local.status_code == 200


def test_a_bad_allow_list_stops_the_program():
    code = "import skillcert.settings"
    env = {**os.environ, "SKILLCERT_METRICS_ALLOW": "10.0.0.0/8,not-an-address"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode != 0 and "SKILLCERT_METRICS_ALLOW" in done.stderr


# --- what is counted ------------------------------------------------------------------------


def test_verifications_and_429s_are_counted_by_route_not_path(monkeypatch):
    before = scrape()
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "verify": "1/min"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
    public = Client()
    assert public.get(UNKNOWN, {"name": "张三"}).status_code == 404  # through the fast path
    assert public.get(UNKNOWN, {"name": "张三"}).status_code == 429
    page = Client().get("/verify/S000034010001264000501")
    assert page.status_code == 200
    after = scrape()

    api = {"channel": "api"}
    assert value(after, "skillcert_verification_requests_total", **api, status="4xx") == (
        value(before, "skillcert_verification_requests_total", **api, status="4xx") + 2
    )
    assert value(after, "skillcert_verification_requests_total", channel="page", status="2xx") == (
        value(before, "skillcert_verification_requests_total", channel="page", status="2xx") + 1
    )
    route = "api:public-certificate"
    assert value(after, "skillcert_http_throttled_responses_total", route=route) == (
        value(before, "skillcert_http_throttled_responses_total", route=route) + 1
    )
    latency = "skillcert_http_request_duration_seconds_count"
    labels = {"route": route, "method": "GET", "status": "4xx"}
    assert value(after, latency, **labels) == value(before, latency, **labels) + 2
    routes = {dict(labels_).get("route") for (_name, labels_) in after}
    assert "web:verify_number" in routes
    assert not any("S000034010001264000501" in (r or "") for r in routes)


def test_an_unknown_path_is_one_series_whatever_the_path():
    Client().get("/no-such-page/1")
    Client().get("/no-such-page/2")
    routes = {dict(labels).get("route") for (_name, labels) in scrape()}
    assert "unmatched" in routes
    assert not any("no-such-page" in (r or "") for r in routes)


def test_certificates_issued_are_read_from_the_statistics_summary(
    occupation_catalog, org_user, city_bureau, province_center, today
):
    assert value(scrape(), "skillcert_certificates_issued_total") == 0
    organization = filed_organization(org_user, city_bureau, today)
    batch = issued(organization, org_user, province_center, today)
    assert value(scrape(), "skillcert_certificates_issued_total") == 5
    first, second = Certificate.objects.filter(batch=batch).order_by("number")[:2]
    lifecycle.revoke_certificate(first, reason="考生资格不符", actor=org_user)
    lifecycle.correct_certificate(
        second, {"name": "王更正", "reason": "姓名录入有误"}, actor=org_user
    )
    # Six rows in the register; the corrected certificate counts once, as its replacement.
    assert Certificate.objects.count() == 6
    assert value(scrape(), "skillcert_certificates_issued_total") == 5
    with CaptureQueriesContext(connection) as queries:
        scrape()
    assert not any("certificates_certificate" in q["sql"] for q in queries.captured_queries)


def _queued(enqueued_at: dt.datetime, **fields: object) -> DBTaskResult:
    row = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="skillcert.certificates.tasks.remove_old_prints",
        backend_name="default",
        run_after=fields.pop("run_after", enqueued_at),
        exception_class_path="",
        traceback="",
        **fields,
    )
    DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=enqueued_at)
    return row


def test_queue_depth_and_the_oldest_ready_jobs_age():
    now = timezone.now()
    empty = scrape()
    assert value(empty, "skillcert_job_queue_ready") == 0
    assert value(empty, "skillcert_job_queue_oldest_ready_age_seconds") == 0
    _queued(now - dt.timedelta(minutes=10))
    _queued(now - dt.timedelta(minutes=1))
    _queued(now - dt.timedelta(hours=5), status="SUCCESSFUL")  # done: no backlog
    _queued(now - dt.timedelta(hours=3), run_after=now + dt.timedelta(days=1))  # not due yet
    samples = scrape()
    assert value(samples, "skillcert_job_queue_ready") == 2
    age = value(samples, "skillcert_job_queue_oldest_ready_age_seconds")
    assert 600 <= age < 700
    assert value(samples, "skillcert_metrics_database_up") == 1


# --- several gunicorn workers ---------------------------------------------------------------


def test_serve_gives_each_server_a_fresh_metrics_directory(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    monkeypatch.setenv(serve.METRICS_VARIABLE, "placeholder")  # restored after the test
    stale = tmp_path / "metrics" / "127.0.0.1-8611" / "counter_4242.db"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    directory = serve.export_metrics_dir("127.0.0.1", 8611)
    assert os.environ[serve.METRICS_VARIABLE] == str(directory) == str(stale.parent)
    assert directory.is_dir() and not stale.exists()
    other = serve.export_metrics_dir("::", 8612)
    assert other != directory and other.parent == directory.parent


def test_workers_values_add_up_in_multiprocess_mode(tmp_path):
    """Two processes count into one directory; a third reads the sum through the view's
    registry (as one gunicorn worker answers a scrape for all of them)."""
    count = textwrap.dedent(
        """
        import django; django.setup()
        from django.test import RequestFactory
        from skillcert.ops import metrics
        request = RequestFactory().get("/verify/X")
        metrics.observe(request, 429, 0.01)
        """
    )
    read = textwrap.dedent(
        """
        import django; django.setup()
        from prometheus_client import generate_latest
        from skillcert.ops import metrics, gunicorn_conf
        class Worker: pid = 1
        gunicorn_conf.child_exit(None, Worker())
        names = [c.__class__.__name__ for c in metrics.scrape_registry()._collector_to_names]
        print(names)
        registry = metrics.CollectorRegistry()
        metrics.multiprocess.MultiProcessCollector(registry)
        print(generate_latest(registry).decode())
        """
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.testsettings",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, check=True, capture_output=True)
    done = subprocess.run(
        [sys.executable, "-c", read], env=env, check=True, capture_output=True, text=True
    )
    assert "MultiProcessCollector" in done.stdout and "_ProcessCollector" not in done.stdout
    assert 'skillcert_http_throttled_responses_total{route="unmatched"} 2.0' in done.stdout
