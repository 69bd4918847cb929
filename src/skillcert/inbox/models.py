"""Messages (消息, domain.md §9): what reached each person in the platform."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from skillcert.keystore.fields import SealedCharField
from skillcert.rules import clock

# Events whose message asks its recipient to act (review, receive, correct, refile, decide,
# meet a deadline); every other message only informs. The inbox's button and the e-mail's link
# say 前往办理 for these, 查看详情 for the others.
ACTION_EVENTS = frozenset(
    {
        "filing.submitted",
        "filing.correction_requested",
        "objection.lodged",
        "batch.plan_filed",
        "batch.plan_returned",
        "batch.results_filed",
        "batch.results_returned",
        "segment_request.requested",
        "filing_report.returned",
        "seal.uploaded",
        "seal.rejected",
        "deadline.reminder",
        "inspection.plan_withdrawn",
    }
)


def asks_action(event: str) -> bool:
    """Whether a message of ``event`` asks its recipient to act (an annual report come due is
    ``annual_report.due``: every ``*.due`` event asks)."""
    return event in ACTION_EVENTS or event.endswith(".due")


class Message(models.Model):
    """One message to one user: shown in their inbox; e-mail and SMS copies are sent by jobs."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_messages"
    )
    at = models.DateTimeField("时间", default=clock.now, editable=False)
    # What happened, e.g. ``filing.submitted``; the preferences and tests read it.
    event = models.CharField("事项", max_length=48)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)  # a path on this site
    subject = models.CharField("对象", max_length=48, blank=True)  # "filing:12", "batch:3"
    # Set for messages that must reach a person once only (reminders): unique per recipient.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True)  # noqa: DJ001 (unique)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="inbox_recipient_unread"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="inbox_message_once")
        ]
        verbose_name = "消息"
        verbose_name_plural = "消息"

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient_id}"

    @property
    def read(self) -> bool:
        return self.read_at is not None

    @property
    def asks_action(self) -> bool:
        return asks_action(self.event)

    @property
    def link_label(self) -> str:
        return "前往办理" if self.asks_action else "查看详情"


class Channel(models.TextChoices):
    """How a person wants to be told, besides the inbox (which always holds every message)."""

    INBOX = "inbox", "仅站内消息"
    EMAIL = "email", "站内消息和电子邮件"
    SMS = "sms", "站内消息和手机短信"


class Preference(models.Model):
    """A person's choice of channel and the mobile number SMS copies go to (sealed at rest).
    E-mail copies go to the account's ``email``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_preference"
    )
    channel = models.CharField("接收方式", max_length=8, choices=Channel.choices, default="inbox")
    phone = SealedCharField("手机号码", max_length=20, mask="phone", blank=True)
    updated = models.DateTimeField("修改时间", default=clock.now)

    class Meta:
        verbose_name = "消息接收设置"
        verbose_name_plural = "消息接收设置"

    def __str__(self) -> str:
        return f"{self.user_id}: {self.channel}"


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", "电子邮件"
    SMS = "sms", "手机短信"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    SKIPPED = "skipped", "无需发送"  # no address any more when its turn came


class Delivery(models.Model):
    """One e-mail or SMS copy to send: a message's copy, or a mail of its own (``purpose``:
    ``message`` or ``password_reset``, whose link is made when it is sent, never stored).

    Sent by the ``inbox.tasks.deliver`` job after the transaction that made it commits; a
    failure is recorded (``attempts``, ``last_error``) and retried after a pause until
    ``MAX_ATTEMPTS``, then the copy is ``failed`` (the inbox still holds the message)."""

    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=DeliveryChannel.choices)
    purpose = models.CharField(max_length=24, default="message")
    state = models.CharField(
        max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)
    # When the next attempt is due (pending), or when the running attempt began (sending).
    next_attempt = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "next_attempt"], name="inbox_delivery_due")]
        verbose_name = "消息发送"
        verbose_name_plural = "消息发送"

    def __str__(self) -> str:
        return f"{self.channel} {self.purpose} → {self.user_id} ({self.state})"
