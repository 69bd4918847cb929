"""E-mail and SMS copies (domain.md §9): planned inside the transaction that writes the
messages, sent by jobs after it commits, retried after a pause when sending fails.

A copy is a ``Delivery`` row: ``pending`` until a job claims it (one atomic update: two jobs
never send the same copy), ``sending`` while it is sent (outside any transaction: a slow mail
server holds no lock), then ``sent``, or ``pending`` again with ``next_attempt`` after a pause
(1, 5, 30, 120 minutes) and ``last_error``, until ``MAX_ATTEMPTS``: then ``failed``. A copy
left ``sending`` by a worker that died is taken again after ``STALE_AFTER``. The hourly job
``retry_due`` sends what is due and was not picked up (a lost enqueue, a test backend that
cannot defer).

Addresses are read when a copy is sent (the account's e-mail, the preference's phone), so
nothing but the message is copied. Password-reset mails carry a link made when they are sent
(``accounts.reset``): the link is never stored.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from skillcert.inbox.models import (
    Channel,
    Delivery,
    DeliveryChannel,
    DeliveryState,
    Message,
    Preference,
)

logger = logging.getLogger(__name__)

PLATFORM = "安徽省职业技能等级认定服务平台"
SMS_SIGNATURE = "【职业技能等级认定】"
MAX_ATTEMPTS = 5
PAUSES = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
)
STALE_AFTER = dt.timedelta(minutes=10)
PASSWORD_RESET = "password_reset"  # noqa: S105 (a purpose, not a password)
SMS_LENGTH = 200  # characters of a message's text in an SMS (the link follows)


class NoAddress(Exception):
    """The account has no e-mail address or phone number for this copy any more."""


# --- planning (inside the caller's transaction) ---------------------------------------------


def email_enabled() -> bool:
    return bool(getattr(settings, "EMAIL_COPIES_ENABLED", False))


def plan(messages: Sequence[Message], users: dict[int, Any]) -> list[Delivery]:
    """The e-mail or SMS copy each recipient's preference asks for (none for inbox only, for
    e-mail without an address or with e-mail off); their jobs are queued on commit."""
    if not messages:
        return []
    chosen = {
        p.user_id: p
        for p in Preference.objects.filter(user_id__in=[m.recipient_id for m in messages])
    }
    copies = []
    for message in messages:
        preference = chosen.get(message.recipient_id)
        if preference is None or preference.channel == Channel.INBOX:
            continue
        if preference.channel == Channel.EMAIL:
            user = users.get(message.recipient_id)
            if not email_enabled() or not getattr(user, "email", ""):
                continue
            channel = DeliveryChannel.EMAIL
        elif preference.phone:
            channel = DeliveryChannel.SMS
        else:
            continue
        copies.append(Delivery(message=message, user_id=message.recipient_id, channel=channel))
    made = Delivery.objects.bulk_create(copies)
    queue_on_commit(made)
    return made


def queue_password_reset(user: Any) -> Delivery | None:
    """A password-reset mail to ``user`` (its link is made when it is sent)."""
    if not email_enabled() or not getattr(user, "email", ""):
        return None
    with transaction.atomic():
        copy = Delivery.objects.create(
            user_id=user.pk, channel=DeliveryChannel.EMAIL, purpose=PASSWORD_RESET
        )
        queue_on_commit([copy])
    return copy


def recent_password_resets(user: Any, within: dt.timedelta) -> int:
    since = timezone.now() - within
    return Delivery.objects.filter(
        user_id=user.pk, purpose=PASSWORD_RESET, created__gte=since
    ).count()


def queue_on_commit(copies: Iterable[Delivery]) -> None:
    ids = [copy.pk for copy in copies]
    if ids:
        # robust: a queue that refuses (a locked database) must not undo what committed;
        # the hourly ``retry_due`` sends what no job took.
        transaction.on_commit(lambda: enqueue(ids), robust=True)


def enqueue(ids: Iterable[int], run_after: dt.datetime | None = None) -> None:
    from skillcert.inbox.tasks import deliver

    job = deliver if run_after is None else deliver.using(run_after=run_after)
    for pk in ids:
        job.enqueue(pk)


# --- sending (in a job) ---------------------------------------------------------------------


def send(delivery_id: int, *, now: dt.datetime | None = None) -> str:
    """Send one copy if it is due and nobody else is sending it: its state afterwards."""
    moment = now or timezone.now()
    due = Q(state=DeliveryState.PENDING, next_attempt__lte=moment) | Q(
        state=DeliveryState.SENDING, next_attempt__lt=moment - STALE_AFTER
    )
    claimed = (
        Delivery.objects.filter(due, pk=delivery_id)
        .exclude(attempts__gte=MAX_ATTEMPTS)
        .update(state=DeliveryState.SENDING, attempts=F("attempts") + 1, next_attempt=moment)
    )
    copy = Delivery.objects.select_related("message", "user").filter(pk=delivery_id).first()
    if copy is None:
        return ""
    if not claimed:
        return str(copy.state)
    try:
        if copy.channel == DeliveryChannel.EMAIL:
            _send_email(copy)
        else:
            _send_sms(copy)
    except NoAddress:
        _finish(copy, DeliveryState.SKIPPED, error="")
    except Exception as exc:  # any sender's failure: recorded, tried again later
        error = f"{type(exc).__name__}: {exc}"[:2000]
        logger.warning("delivery %s (%s) failed: %s", copy.pk, copy.channel, error)
        if copy.attempts >= MAX_ATTEMPTS:
            _finish(copy, DeliveryState.FAILED, error=error)
        else:
            later = moment + PAUSES[min(copy.attempts, len(PAUSES)) - 1]
            Delivery.objects.filter(pk=copy.pk).update(
                state=DeliveryState.PENDING, next_attempt=later, last_error=error
            )
            _retry_later(copy.pk, later)
            return str(DeliveryState.PENDING)
    else:
        _finish(copy, DeliveryState.SENT, error="", sent=moment)
    return str(Delivery.objects.get(pk=copy.pk).state)


def retry_due(*, now: dt.datetime | None = None) -> int:
    """Send every copy that is due and no job took (the hourly job): how many were sent."""
    moment = now or timezone.now()
    due = Q(state=DeliveryState.PENDING, next_attempt__lte=moment) | Q(
        state=DeliveryState.SENDING, next_attempt__lt=moment - STALE_AFTER
    )
    ids = list(Delivery.objects.filter(due).order_by("pk").values_list("pk", flat=True)[:1000])
    return sum(1 for pk in ids if send(pk, now=moment) == DeliveryState.SENT)


def _finish(copy: Delivery, state: str, *, error: str, sent: dt.datetime | None = None) -> None:
    Delivery.objects.filter(pk=copy.pk).update(state=state, last_error=error, sent_at=sent)


def _retry_later(pk: int, when: dt.datetime) -> None:
    from skillcert.inbox.tasks import deliver

    if deliver.get_backend().supports_defer:
        enqueue([pk], run_after=when)
    # else (the tests' immediate backend): the hourly ``retry_due`` sends it


def absolute(link: str) -> str:
    if not link:
        return f"{settings.BASE_URL}/"
    if link.startswith(("http://", "https://")):
        return link
    return f"{settings.BASE_URL}{link if link.startswith('/') else '/' + link}"


def _greeting(user: Any) -> str:
    name = getattr(user, "display_name", "") or user.username
    return f"{name}，您好："


def compose_email(copy: Delivery) -> tuple[str, str]:
    """The subject and text of an e-mail copy, in Chinese."""
    user = copy.user
    if copy.purpose == PASSWORD_RESET:
        from skillcert.accounts.reset import link_parts

        uidb64, token = link_parts(user)
        url = absolute(reverse("web:password_reset_confirm", args=[uidb64, token]))
        body = (
            f"{_greeting(user)}\n\n"
            f"我们收到了重设您在{PLATFORM}的账号（{user.username}）密码的申请。"
            f"请在 1 小时内打开下面的链接设置新密码，链接只能使用一次：\n\n{url}\n\n"
            "如果不是您本人申请，请忽略本邮件，您的密码不会改变。\n\n"
            f"{PLATFORM}（系统自动发送，请勿回复）"
        )
        return f"【{PLATFORM}】重设密码", body
    message = copy.message
    assert message is not None
    lines = [_greeting(user), "", message.title]
    if message.body:
        lines += ["", message.body]
    if message.link:
        where = "办理地址" if message.asks_action else "详情"
        lines += ["", f"{where}：{absolute(message.link)}"]
    lines += [
        "",
        "登录平台后可在“消息”中查看全部消息，在“消息接收设置”中更改接收方式。",
        f"{PLATFORM}（系统自动发送，请勿回复）",
    ]
    # A header is one line: a title made before titles were fitted may hold a line break.
    return f"【{PLATFORM}】{' '.join(message.title.split())}", "\n".join(lines)


def compose_sms(copy: Delivery) -> str:
    message = copy.message
    assert message is not None
    text = message.title
    if message.body:
        text = f"{text}：{message.body}"
    if len(text) > SMS_LENGTH:
        text = text[: SMS_LENGTH - 1] + "…"
    where = f" 详见 {absolute(message.link)}" if message.link else ""
    return f"{SMS_SIGNATURE}{text}{where}"


def _send_email(copy: Delivery) -> None:
    address = copy.user.email
    if not address or not copy.user.is_active or not email_enabled():
        raise NoAddress
    subject, body = compose_email(copy)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address]).send()


def _send_sms(copy: Delivery) -> None:
    from skillcert.inbox import sms

    preference = Preference.objects.filter(user_id=copy.user_id).first()
    if preference is None or not preference.phone or not copy.user.is_active:
        raise NoAddress
    sms.sender().send(preference.phone, compose_sms(copy))
