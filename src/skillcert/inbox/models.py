"""Messages (消息, domain.md §9): what reached each person in the platform."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from skillcert.rules import clock


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
