"""Routes that answer with and without a trailing slash (never redirecting a POST)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, re_path


def route(pattern: str, view: Callable[..., Any], name: str) -> URLPattern:
    """``pattern`` is a regex body without anchors or slash, e.g. ``r"filings/(?P<pk>\\d+)"``."""
    return re_path(rf"^{pattern}/?$", view, name=name)
