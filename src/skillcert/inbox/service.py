"""Telling people (domain.md §9): ``notify`` writes the inbox messages inside the caller's
transaction; their e-mail and SMS copies are sent by jobs after it commits.

Callers name the recipients: ``organization_users``, ``officers`` help. Everything a person
reads is Chinese; ``link`` is a path on this site (the page where they act)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from skillcert.inbox.models import Message


def organization_users(organization_id: int | None) -> QuerySet[Any]:
    """The active accounts acting for an organization."""
    User = get_user_model()
    return User.objects.filter(membership__organization_id=organization_id, is_active=True)


def officers(roles: Iterable[str], authority_id: int | None) -> QuerySet[Any]:
    """The active accounts of ``roles`` at an authority."""
    User = get_user_model()
    return User.objects.filter(role__in=list(roles), authority_id=authority_id, is_active=True)


def notify(
    recipients: Iterable[Any],
    *,
    event: str,
    title: str,
    body: str = "",
    link: str = "",
    subject: str = "",
    dedupe_key: str | None = None,
) -> list[Message]:
    """Write one message per recipient (each once: a user named twice gets one). With
    ``dedupe_key``, a recipient who already has a message of that key gets none."""
    made: list[Message] = []
    seen: set[int] = set()
    for user in recipients:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        if dedupe_key is not None:
            if Message.objects.filter(recipient_id=user.pk, dedupe_key=dedupe_key).exists():
                continue
            try:
                with transaction.atomic():
                    message = Message.objects.create(
                        recipient_id=user.pk,
                        event=event,
                        title=title,
                        body=body,
                        link=link,
                        subject=subject,
                        dedupe_key=dedupe_key,
                    )
            except IntegrityError:
                continue
        else:
            message = Message.objects.create(
                recipient_id=user.pk,
                event=event,
                title=title,
                body=body,
                link=link,
                subject=subject,
            )
        made.append(message)
    return made
