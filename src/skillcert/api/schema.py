"""OpenAPI generation hooks: paths as the contract writes them (without a trailing slash)."""

from __future__ import annotations

from typing import Any


def contract_paths(endpoints: list[tuple[str, str, str, Any]], **kwargs: Any) -> list[Any]:
    """Routes answer with and without a slash; document them without (``/?$`` → nothing)."""
    cleaned = []
    for path, path_regex, method, callback in endpoints:
        if path.endswith("/") and len(path) > 1:
            path = path[:-1]
        cleaned.append((path, path_regex, method, callback))
    return cleaned
