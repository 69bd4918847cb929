"""The embedded Kai font: found once, registered once per process, a clear error when absent."""

from __future__ import annotations

from unittest import mock

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from skillcert.documents import fonts
from skillcert.documents.fonts import FONT_NAME, FontMissing, cjk_font, font_path


@pytest.fixture
def fresh_font(monkeypatch):
    """Forget the cached registration before and after the test (the next caller redoes it)."""
    cjk_font.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    cjk_font.cache_clear()


def test_registered_once_per_process(fresh_font, tmp_path):
    # A path of its own, so that the registration really happens inside this test.
    link = tmp_path / "kai.ttf"
    link.symlink_to(font_path())
    fresh_font.setenv("SKILLCERT_CJK_FONT", str(link))
    with mock.patch.object(fonts, "TTFont", wraps=TTFont) as parse:
        first = cjk_font()
        second = cjk_font()
        cjk_font.cache_clear()  # looked up again, but the same file is not parsed again
        third = cjk_font()
    assert first == second == third == FONT_NAME
    assert parse.call_count == 1
    assert FONT_NAME in pdfmetrics.getRegisteredFontNames()
    assert pdfmetrics.getFont(FONT_NAME).face.filename == str(link)


def test_default_is_the_debian_package(fresh_font):
    fresh_font.delenv("SKILLCERT_CJK_FONT", raising=False)
    path = font_path()
    assert path in fonts.CANDIDATES
    assert path.suffix == ".ttf"


def test_missing_configured_file_names_the_path_and_the_package(fresh_font, tmp_path):
    missing = tmp_path / "nowhere" / "kai.ttf"
    fresh_font.setenv("SKILLCERT_CJK_FONT", str(missing))
    with pytest.raises(FontMissing) as caught:
        cjk_font()
    message = str(caught.value)
    assert str(missing) in message
    assert "未找到可嵌入的中文楷体字体" in message
    assert "fonts-lxgw-wenkai" in message
    assert "SKILLCERT_CJK_FONT" in message
    # The failure is not cached: once the setting is fixed, the font is found.
    fresh_font.delenv("SKILLCERT_CJK_FONT")
    assert cjk_font() == FONT_NAME


def test_no_font_installed(fresh_font):
    fresh_font.delenv("SKILLCERT_CJK_FONT", raising=False)
    fresh_font.setattr(fonts, "CANDIDATES", ())
    with pytest.raises(FontMissing, match="请安装 Debian 软件包 fonts-lxgw-wenkai"):
        cjk_font()


def test_file_that_is_no_truetype_font(fresh_font, tmp_path):
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"not a font at all" * 10)
    fresh_font.setenv("SKILLCERT_CJK_FONT", str(bogus))
    with pytest.raises(FontMissing, match="字体文件无法使用"):
        cjk_font()
