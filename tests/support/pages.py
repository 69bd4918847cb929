"""Reading pages in tests: a signed-in client, the HTML, the buttons the page offers."""

from __future__ import annotations

import re

from tests.support.personas import web_client as client_of

ACTION = re.compile(r'data-action="([^"]+)"')

__all__ = ["ACTION", "buttons", "client_of", "html"]


def html(response) -> str:
    return response.content.decode()


def buttons(response) -> set[str]:
    """The workflow actions the page offers (``data-action`` of its buttons)."""
    return set(ACTION.findall(html(response)))
