"""/healthz and /readyz for the balancer; a production instance refuses unsafe settings."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from skillcert.env import ConfigError, check_production, environment, production_problems
from skillcert.ops import health

KEY = "k" * 50


def test_healthz_answers_without_the_database(client):
    # No django_db mark: any database access in the request would raise here.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_checks_the_database_the_storage_and_the_queue(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "storage": "ok", "jobs": "ok"},
    }
    assert not list((tmp_path / health.PROBE_DIR).iterdir())  # the probe file is gone


@pytest.mark.django_db
@pytest.mark.parametrize("part", ["database", "storage", "jobs"])
def test_readyz_names_what_failed(client, monkeypatch, part):
    def broken() -> None:
        raise OSError("down")

    monkeypatch.setitem(health.CHECKS, part, broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == [part]
    assert body["checks"][part] == "failed: OSError"


def test_health_takes_no_post(client):
    assert client.post("/healthz").status_code == 405


def test_production_problems_name_each_setting():
    assert production_problems(secret_key=KEY, debug=False, allowed_hosts=["rs.ah.gov.cn"]) == []
    problems = production_problems(secret_key="", debug=True, allowed_hosts=["*"])
    assert [p.split()[0] for p in problems] == [
        "SKILLCERT_SECRET_KEY",
        "SKILLCERT_DEBUG",
        "SKILLCERT_ALLOWED_HOSTS",
    ]
    assert (
        "49 characters"
        in production_problems(secret_key=KEY[:49], debug=False, allowed_hosts=["a"])[0]
    )
    assert production_problems(secret_key=KEY, debug=False, allowed_hosts=[])
    assert (
        production_problems(
            secret_key=KEY, debug=False, allowed_hosts=["a"], base_url="https://rs.ah.gov.cn"
        )
        == []
    )
    assert (
        "SKILLCERT_BASE_URL"
        in production_problems(secret_key=KEY, debug=False, allowed_hosts=["a"], base_url="")[0]
    )
    with pytest.raises(ConfigError, match="refuses to start"):
        check_production(secret_key="", debug=False, allowed_hosts=["a"])


def test_environment_is_development_or_production(monkeypatch):
    monkeypatch.delenv("SKILLCERT_ENV", raising=False)
    assert environment() == "development"
    monkeypatch.setenv("SKILLCERT_ENV", "Production")
    assert environment() == "production"
    monkeypatch.setenv("SKILLCERT_ENV", "staging")
    with pytest.raises(ConfigError, match="staging"):
        environment()


def _start(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SKILLCERT_")}
    clean.update(SKILLCERT_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="skillcert.settings")
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "skillcert.cli", "check"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_production_server_refuses_to_start_and_says_why(tmp_path):
    refused = _start(tmp_path, SKILLCERT_ENV="production", SKILLCERT_ALLOWED_HOSTS="*")
    assert refused.returncode == 2
    assert "SKILLCERT_SECRET_KEY is not set" in refused.stderr
    assert "no '*'" in refused.stderr
    assert "SKILLCERT_MASTER_KEY (or SKILLCERT_MASTER_KEY_FILE) is not set" in refused.stderr
    assert "SKILLCERT_BASE_URL must be the site's address" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (tmp_path / "secret_key").exists()  # no per-host secret was made

    started = _start(
        tmp_path,
        SKILLCERT_ENV="production",
        SKILLCERT_SECRET_KEY=KEY,
        SKILLCERT_ALLOWED_HOSTS="rs.ah.gov.cn",
        SKILLCERT_MASTER_KEY="ab" * 32,
        SKILLCERT_BASE_URL="https://rs.ah.gov.cn",
    )
    assert started.returncode == 0, started.stderr


def _setting(tmp_path, name: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SKILLCERT_")}
    clean.update(SKILLCERT_DATA_DIR=str(tmp_path / "data"), **env)
    code = f"from django.conf import settings; print(getattr(settings, {name!r}, None))"
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "skillcert.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def test_the_proxy_says_whether_a_request_came_over_https_only_when_one_is_trusted(tmp_path):
    # Behind nginx (which overwrites X-Forwarded-Proto) the header tells; without a trusted
    # proxy it would be the client's word, so it is ignored.
    assert _setting(tmp_path, "SECURE_PROXY_SSL_HEADER") == "None"
    behind = _setting(tmp_path, "SECURE_PROXY_SSL_HEADER", SKILLCERT_NUM_PROXIES="1")
    assert behind == "('HTTP_X_FORWARDED_PROTO', 'https')"
