"""The master key: from the environment or a file, generated once in development, required
in production."""

from __future__ import annotations

import base64
import stat

import pytest

from skillcert.env import ConfigError, check_production, production_problems
from skillcert.keystore.errors import KeyUnavailable
from skillcert.keystore.master import master_key

KEY = bytes(range(32))
SECRET = "s" * 60


def test_hex_and_base64_spellings_give_the_same_key(settings):
    settings.SKILLCERT_MASTER_KEY_FILE = ""
    for spelling in (
        KEY.hex(),
        KEY.hex().upper(),
        base64.b64encode(KEY).decode(),
        base64.urlsafe_b64encode(KEY).decode().rstrip("="),
    ):
        settings.SKILLCERT_MASTER_KEY = spelling
        assert master_key() == KEY


@pytest.mark.parametrize("value", ["abc", "11" * 31, base64.b64encode(b"x" * 16).decode()])
def test_a_key_that_is_not_32_bytes_is_refused_by_name(settings, value):
    settings.SKILLCERT_MASTER_KEY = value
    with pytest.raises(KeyUnavailable, match=r"SKILLCERT_MASTER_KEY.*格式不正确"):
        master_key()


def test_the_key_file_is_read(settings, tmp_path):
    path = tmp_path / "master"
    path.write_text(KEY.hex() + "\n", encoding="ascii")
    settings.SKILLCERT_MASTER_KEY = ""
    settings.SKILLCERT_MASTER_KEY_FILE = str(path)
    assert master_key() == KEY
    settings.SKILLCERT_MASTER_KEY_FILE = str(tmp_path / "missing")
    with pytest.raises(KeyUnavailable, match="无法读取主密钥文件"):
        master_key()


def test_development_generates_one_key_into_the_data_directory(settings, tmp_path):
    settings.SKILLCERT_MASTER_KEY = ""
    settings.SKILLCERT_MASTER_KEY_FILE = ""
    settings.DATA_DIR = tmp_path
    first = master_key()
    assert len(first) == 32 and master_key() == first
    path = tmp_path / "master_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["master_key"]  # no drafts left behind


def test_production_never_generates_a_key(settings, tmp_path):
    settings.SKILLCERT_MASTER_KEY = ""
    settings.SKILLCERT_MASTER_KEY_FILE = ""
    settings.DATA_DIR = tmp_path
    settings.ENVIRONMENT = "production"
    with pytest.raises(KeyUnavailable, match="未配置主密钥"):
        master_key()
    assert not (tmp_path / "master_key").exists()


def test_production_without_a_master_key_is_refused_with_the_problem_named(tmp_path):
    problems = production_problems(
        secret_key=SECRET, debug=False, allowed_hosts=["rs.ah.gov.cn"], master_key=""
    )
    assert len(problems) == 1 and "SKILLCERT_MASTER_KEY" in problems[0]
    with pytest.raises(ConfigError, match="SKILLCERT_MASTER_KEY"):
        check_production(
            secret_key=SECRET, debug=False, allowed_hosts=["rs.ah.gov.cn"], master_key=""
        )
    missing = str(tmp_path / "nowhere")
    assert (
        "SKILLCERT_MASTER_KEY_FILE"
        in production_problems(
            secret_key=SECRET,
            debug=False,
            allowed_hosts=["a"],
            master_key="",
            master_key_file=missing,
        )[0]
    )
    (tmp_path / "master").write_text(KEY.hex(), encoding="ascii")
    for given in ({"master_key": KEY.hex()}, {"master_key_file": str(tmp_path / "master")}):
        arguments = {"master_key": "", **given}
        assert (
            production_problems(secret_key=SECRET, debug=False, allowed_hosts=["a"], **arguments)
            == []
        )


def test_derived_keys_follow_the_master_key_and_their_label(settings):
    from skillcert.keystore.master import derived_key

    settings.SKILLCERT_MASTER_KEY = "ab" * 32
    first = derived_key("audit-mac-v1")
    assert len(first) == 32 and derived_key("audit-mac-v1") == first
    assert derived_key("personal-data-enc-v1") != first
    assert len(derived_key("personal-data-enc-v1", 16)) == 16
    settings.SKILLCERT_MASTER_KEY = "cd" * 32
    assert derived_key("audit-mac-v1") != first
