"""``skillcert serve``: the address it prints is the one certificates and QR codes carry."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from skillcert.env import served_base_url
from skillcert.ops.management.commands import serve


class Exec(Exception):
    """Raised instead of replacing the test process with gunicorn."""


@pytest.fixture
def started(monkeypatch):
    """Run ``serve`` up to the exec; return the environment gunicorn would have inherited."""
    seen: dict[str, object] = {}

    def fake_exec(path, argv):
        seen["argv"] = argv
        seen["env"] = dict(os.environ)
        raise Exec

    monkeypatch.setattr(serve.os, "execv", fake_exec)
    monkeypatch.setattr(serve, "call_command", lambda *args, **kwargs: None)  # collectstatic
    # serve writes the variable for its workers; monkeypatch restores it after the test.
    monkeypatch.setenv(serve.BASE_URL_VARIABLE, "placeholder")
    monkeypatch.delenv(serve.BASE_URL_VARIABLE)
    return seen


def run_serve(capsys, *args: str) -> str:
    with pytest.raises(Exec):
        call_command("serve", *args, "--workers", "1")
    return capsys.readouterr().out


def settings_base_url(environment: dict[str, str]) -> str:
    """settings.BASE_URL as a gunicorn worker started with this environment reads it."""
    env = {**environment, "DJANGO_SETTINGS_MODULE": "skillcert.settings"}
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.BASE_URL)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_make_run_port_is_printed_and_encoded(started, capsys):
    """`make run PORT=8611` runs `skillcert serve --host 127.0.0.1 --port 8611`."""
    out = run_serve(capsys, "--host", "127.0.0.1", "--port", "8611")
    assert "服务地址：http://127.0.0.1:8611/" in out
    assert "8000" not in out
    assert started["env"]["SKILLCERT_BASE_URL"] == "http://127.0.0.1:8611"
    assert "127.0.0.1:8611" in started["argv"]
    # What a worker's settings (and so the certificate's QR code and query address) read.
    assert settings_base_url(started["env"]) == "http://127.0.0.1:8611"


def test_an_explicit_base_url_is_kept_and_printed(started, capsys, monkeypatch):
    monkeypatch.setenv("SKILLCERT_BASE_URL", "https://zs.example.cn/")
    out = run_serve(capsys, "--host", "127.0.0.1", "--port", "8611")
    assert "服务地址：http://127.0.0.1:8611/" in out
    assert "https://zs.example.cn/verify" in out
    assert started["env"]["SKILLCERT_BASE_URL"] == "https://zs.example.cn"
    assert settings_base_url(started["env"]) == "https://zs.example.cn"


def test_listening_everywhere_asks_for_the_public_address(started, capsys):
    out = run_serve(capsys, "--host", "0.0.0.0", "--port", "8611")
    assert "服务地址：http://127.0.0.1:8611/" in out
    assert "SKILLCERT_BASE_URL" in out
    assert "0.0.0.0:8611" in started["argv"]


def test_settings_default_follows_host_and_port(tmp_path):
    """Without SKILLCERT_BASE_URL, commands other than serve read the same host and port."""
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SKILLCERT_") and key not in {"PORT", "DATABASE_URL"}
    }
    base.update(SKILLCERT_DATA_DIR=str(tmp_path), SKILLCERT_SECRET_KEY="test-only")
    assert settings_base_url(base) == "http://127.0.0.1:8000"
    assert settings_base_url({**base, "PORT": "8611"}) == "http://127.0.0.1:8611"


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("127.0.0.1", 8611, "http://127.0.0.1:8611"),
        ("localhost", 80, "http://localhost:80"),
        ("0.0.0.0", 8000, "http://127.0.0.1:8000"),
        ("::", 8000, "http://127.0.0.1:8000"),
        ("::1", 8000, "http://[::1]:8000"),
        ("[::1]", 8000, "http://[::1]:8000"),
    ],
)
def test_served_base_url(host, port, expected):
    assert served_base_url(host, port) == expected
