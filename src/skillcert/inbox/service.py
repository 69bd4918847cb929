"""Telling people (domain.md §9): ``notify`` writes the inbox messages inside the caller's
transaction; their e-mail and SMS copies are sent by jobs after it commits.

Callers name the recipients: ``organization_users``, ``officers`` help. Everything a person
reads is Chinese; ``link`` is a path on this site (the page where they act)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet

from skillcert.inbox import delivery
from skillcert.inbox.models import Channel, Message, Preference
from skillcert.rules import clock
from skillcert.rules.errors import InvalidInput


def organization_users(organization_id: int | None) -> QuerySet[Any]:
    """The active accounts acting for an organization."""
    User = get_user_model()
    if organization_id is None:
        return User.objects.none()
    return User.objects.filter(membership__organization_id=organization_id, is_active=True)


def officers(roles: Iterable[str], authority_id: int | None) -> QuerySet[Any]:
    """The active accounts of ``roles`` at an authority."""
    User = get_user_model()
    if authority_id is None:
        return User.objects.none()
    return User.objects.filter(role__in=list(roles), authority_id=authority_id, is_active=True)


TITLE_LENGTH = Message._meta.get_field("title").max_length or 200


def fitted_title(title: str) -> str:
    """One line that fits the column: titles quote names people typed (a batch title, an
    organization's name), which may be long or hold line breaks."""
    line = " ".join(str(title).split())
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1] + "…"


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
    ``dedupe_key``, a recipient who already has a message of that key gets none.

    Runs in the caller's transaction; the e-mail or SMS copies the recipients chose are
    planned in it too and sent by jobs once it commits (``inbox.delivery``)."""
    title = fitted_title(title)
    made: list[Message] = []
    seen: dict[int, Any] = {}
    for user in recipients:
        if user.pk in seen:
            continue
        seen[user.pk] = user
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
    delivery.plan(made, seen)
    return made


# --- reading one's own inbox ---------------------------------------------------------------


def messages_of(user: Any) -> QuerySet[Message]:
    """The user's messages, unread first, newest first within each."""
    return Message.objects.filter(recipient_id=user.pk).order_by(
        F("read_at").asc(nulls_first=True), "-at", "-pk"
    )


def unread_count(user: Any) -> int:
    """One indexed COUNT (``inbox_recipient_unread``): the navigation shows it on every page."""
    return Message.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def own_message(user: Any, pk: int) -> Message | None:
    """The user's message ``pk``, or None (someone else's is answered like a missing one)."""
    return Message.objects.filter(recipient_id=user.pk, pk=pk).first()


def mark_read(user: Any, pk: int) -> Message | None:
    """Mark the user's message read (once: the first reading time stays)."""
    Message.objects.filter(recipient_id=user.pk, pk=pk, read_at__isnull=True).update(
        read_at=clock.now()
    )
    return own_message(user, pk)


def mark_all_read(user: Any) -> int:
    return Message.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(
        read_at=clock.now()
    )


# --- preferences -----------------------------------------------------------------------------

PHONE = re.compile(r"^1[3-9]\d{9}$")


def preference_of(user: Any) -> Preference:
    """The user's choice (inbox only until they choose), unsaved when never chosen."""
    found = Preference.objects.filter(user_id=user.pk).first()
    return found or Preference(user_id=user.pk, channel=Channel.INBOX, phone="")


def set_preference(
    user: Any,
    *,
    channel: str,
    phone: str,
    email: str,
    password: str | None = None,
    request: Any = None,
) -> Preference:
    """Save how ``user`` is told (a channel of ``Channel``), the mobile number for SMS and the
    account's e-mail address; checked (400 with ``fields``) and audited, in one transaction.
    E-mail needs an address, SMS a mobile number (11 digits starting with 1).

    The e-mail address is where a forgotten password is reset, so changing it (setting,
    replacing or clearing it) needs the account's current ``password``: a stolen session alone
    cannot point password resets at its own address. ``password=None`` is for the platform's
    own callers (demo, set-up), never for a person's request; a wrong password counts as a
    failed login (``accounts.security.confirm_password``)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from skillcert.audit import service as audit

    channel = (channel or "").strip()
    phone = re.sub(r"[\s-]", "", phone or "")
    email = (email or "").strip()
    errors: dict[str, list[str]] = {}
    if channel not in Channel.values:
        errors["channel"] = ["请选择接收方式"]
    if phone and not PHONE.match(phone):
        errors["phone"] = ["手机号码应为 11 位数字，以 1 开头"]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = ["电子邮箱格式不正确"]
        if len(email) > 254:
            errors["email"] = ["电子邮箱不能超过 254 个字符"]
    if channel == Channel.SMS and not phone and "phone" not in errors:
        errors["phone"] = ["选择短信接收时请填写手机号码"]
    if channel == Channel.EMAIL and not email and "email" not in errors:
        errors["email"] = ["选择电子邮件接收时请填写电子邮箱"]
    if errors:
        raise InvalidInput("消息接收设置有误", fields=errors)
    if password is not None and email != (user.email or ""):
        from skillcert.accounts.security import confirm_password

        if not password:
            raise InvalidInput.for_field("password", "更改电子邮箱需要输入当前登录密码")
        confirm_password(
            user, password, request=request, field="password", wrong="当前登录密码不正确"
        )
    User = get_user_model()
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=user.pk)
        preference = Preference.objects.select_for_update().filter(user_id=user.pk).first()
        if preference is None:
            preference = Preference(user_id=user.pk)
        before = {**audit.snapshot(preference, ["channel", "phone"]), "email": account.email}
        preference.channel = channel
        preference.phone = phone
        preference.updated = clock.now()
        preference.save()
        if account.email != email:
            account.email = email
            account.save(update_fields=["email"])
        after = {**audit.snapshot(preference, ["channel", "phone"]), "email": email}
        audit.record(
            actor=account,
            action="inbox.preference_changed",
            obj=preference,
            before=before,
            after=after,
        )
    user.email = email
    return preference
