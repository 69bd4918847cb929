"""The embedded Chinese Kai typeface (楷体) every PDF of the platform is set in.

The font is found once (``font_path``) and registered with reportlab once per process
(``cjk_font``): parsing the TrueType file is done at the first document, never per
document. reportlab embeds a subset of the glyphs actually used (``/FontFile2``).
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from skillcert.rules.errors import DomainError

logger = logging.getLogger(__name__)

FONT_NAME = "SkillcertKai"
ENV_VAR = "SKILLCERT_CJK_FONT"
# Debian's fonts-lxgw-wenkai ships TrueType files only (checked with `dpkg -L`); the
# OpenType path covers other packagings of the same face.
CANDIDATES: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf"),
    Path("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Light.ttf"),
    Path("/usr/share/fonts/opentype/lxgw-wenkai/LXGWWenKai-Regular.ttf"),
)
INSTALL_HINT = (
    "未找到可嵌入的中文楷体字体：请安装 Debian 软件包 fonts-lxgw-wenkai，"
    f"或用环境变量 {ENV_VAR} 指定 .ttf 文件路径"
)

_lock = threading.Lock()


class FontMissing(DomainError, RuntimeError):
    """No usable Chinese font: the server is set up wrongly (not the user's fault).

    A DomainError, so the API answers 503 with the message instead of a blank page or 500.
    """

    status = 503
    default_code = "font_missing"

    def __init__(self, detail: str | None = None) -> None:
        message = f"{detail}。{INSTALL_HINT}" if detail else INSTALL_HINT
        super().__init__(message)


def font_path() -> Path:
    """The TrueType file to embed: ``SKILLCERT_CJK_FONT`` if set, else the Debian package's."""
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise FontMissing(f"环境变量 {ENV_VAR} 指定的字体文件不存在：{path}")
        return path
    for candidate in CANDIDATES:
        if candidate.is_file():
            return candidate
    raise FontMissing()


@functools.cache
def cjk_font() -> str:
    """Register the Kai font with reportlab (once per process) and return its name.

    ``cjk_font.cache_clear()`` makes the next call look for the font again (tests, or a
    changed ``SKILLCERT_CJK_FONT``); the file is parsed again only if the path changed.
    """
    path = font_path()
    # functools.cache does not stop two threads computing the first value together;
    # the lock and the check below keep the parse to one.
    with _lock:
        registered = _registered_file()
        if registered != str(path):
            if registered is not None:
                pdfmetrics.getFont(FONT_NAME).unregister()
            started = time.perf_counter()
            try:
                font = TTFont(FONT_NAME, str(path))
            except (TTFError, OSError) as exc:
                raise FontMissing(f"字体文件无法使用：{path}（{exc}）") from exc
            pdfmetrics.registerFont(font)
            logger.debug(
                "registered font %s from %s in %.1f ms",
                FONT_NAME,
                path,
                (time.perf_counter() - started) * 1000,
            )
    return FONT_NAME


def _registered_file() -> str | None:
    """The file the font name is registered from, or None when it is not registered."""
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        return None
    return str(pdfmetrics.getFont(FONT_NAME).face.filename)
