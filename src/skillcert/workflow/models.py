"""The history of every workflow: one row per state change (healthchecks' ``Flip``)."""

from __future__ import annotations

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
