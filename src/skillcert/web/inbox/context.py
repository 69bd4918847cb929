"""The unread count in the navigation of every page a signed-in person sees."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from skillcert.inbox.service import unread_count


def unread_messages(request: HttpRequest) -> dict[str, Any]:
    """Context processor: ``unread_messages``, one indexed COUNT, only when a page shows it."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    return {"unread_messages": SimpleLazyObject(lambda: unread_count(user))}
