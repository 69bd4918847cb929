"""The user account behind an actor, for the ``…_by`` foreign keys the services fill in.

``Actor`` (audit) is a signed-in user, the anonymous visitor or a reference for the system, a
command line or the public; only a saved ``User`` can stand in a foreign key to the user model.
"""

from __future__ import annotations

from typing import TypeGuard

from skillcert.accounts.models import User
from skillcert.audit.service import Actor, signed_in


def is_signed_in(actor: Actor | None) -> TypeGuard[User]:
    """Whether ``actor`` is a signed-in user (``audit.service.signed_in``), typed as the user
    model: every signed-in actor is a ``User``. For the access helpers, which read its role
    and authority."""
    return signed_in(actor)


def user_or_none(actor: Actor | None) -> User | None:
    """The saved account behind ``actor``, or None for the system, a command line, the public
    and the anonymous visitor (the optional ``uploaded_by``, ``recorded_by`` …)."""
    return actor if isinstance(actor, User) and actor.pk else None


def acting_user(actor: Actor) -> User:
    """The account behind ``actor`` for a step only a user takes (its machine or role check let
    no one else through). Anything else is a programming error: a ``ValueError``, as assigning
    it to the foreign key would raise."""
    if not isinstance(actor, User):
        raise ValueError(f"{actor!r} is not a user account")
    return actor
