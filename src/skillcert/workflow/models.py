"""The history of every workflow: one row per state change (healthchecks' ``Flip``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from skillcert.rules import clock


class StateChange(models.Model):
    """One transition of one object (a filing case, a batch, a certificate…), in order."""

    workflow = models.CharField("流程", max_length=32)
    object_id = models.PositiveBigIntegerField()
    action = models.CharField("事项", max_length=32)
    from_state = models.CharField(max_length=24)
    to_state = models.CharField(max_length=24)
    actor = models.CharField("办理人", max_length=150)
    at = models.DateTimeField(default=clock.now, editable=False)
    business_date = models.DateField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]  # append-only: insertion order (see rules.clock.now)
        indexes = [models.Index(fields=["workflow", "object_id"], name="state_change_object_idx")]
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"

    def __str__(self) -> str:
        return f"{self.workflow}:{self.object_id} {self.from_state}→{self.to_state}"


class CaseCounter(models.Model):
    """The last case number's serial per type, authority and year (办件编号, domain.md §9).
    Locked while numbering; never reused."""

    kind = models.CharField(max_length=4)
    authority = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "authority", "year"], name="case_counter_unique"
            )
        ]
        verbose_name = "办件编号计数器"

    def __str__(self) -> str:
        return f"{self.kind}-{self.authority}-{self.year}: {self.last_serial}"


class ServiceRating(models.Model):
    """A service rating (好差评, domain.md §9) of one finished case by its applicant: 1-5 and an
    optional comment, once per case. ``subject`` names the case as messages and documents do
    (``filing:12``, ``batch:3``, ``segment_request:5``); ``authority`` is the one that handled
    it, whose officers see the statistics. Made by ``supervision.ratings.rate``."""

    subject = models.CharField("办件", max_length=48, unique=True)
    authority = models.ForeignKey(
        "accounts.Authority",
        verbose_name="办理部门",
        on_delete=models.PROTECT,
        related_name="service_ratings",
    )
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评价人",
        on_delete=models.PROTECT,
        related_name="service_ratings",
    )
    score = models.PositiveSmallIntegerField("评分")
    comment = models.TextField("评价内容", max_length=500, blank=True)
    at = models.DateTimeField("评价时间", default=clock.now, editable=False)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="service_rating_score_1_5"
            )
        ]
        verbose_name = "好差评"
        verbose_name_plural = "好差评"

    def __str__(self) -> str:
        return f"{self.subject} {self.score}"
