"""What the job runner keeps in the database besides django-tasks' own queue table.

- ``Job``: a piece of work a person started and follows on a page (a batch print, an
  export): its progress (``done`` of ``total``), its result (a file in the storage) or its
  error. The queue row that runs it is django-tasks' ``DBTaskResult``.
- ``WorkerBeat``: each running worker's heartbeat; a running queue row whose worker stopped
  beating is given back to the queue (the worker died).
- ``Lease``: a named lease; the worker holding ``scheduler`` enqueues the periodic jobs.
- ``PeriodicRun``: one row per periodic job and time slot, unique, so a slot is enqueued once
  however many workers (or leases that overlapped) tried.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class JobPhase(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class Job(models.Model):
    id = models.CharField(primary_key=True, max_length=32)  # 32 random hex characters
    kind = models.CharField(max_length=40)  # e.g. "print"
    subject = models.CharField(max_length=80)  # what it works on, e.g. "batch:12"
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phase = models.CharField(max_length=10, choices=JobPhase.choices, default=JobPhase.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    output = models.CharField(max_length=200, blank=True)  # a name in the file storage
    output_size = models.BigIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)  # what the page shows once done
    attempts = models.PositiveSmallIntegerField(default=0)
    task_result_id = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "subject", "phase"], name="job_kind_subject")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} ({self.phase})"

    @property
    def percent(self) -> int:
        if self.phase == JobPhase.DONE:
            return 100
        return min(100, int(100 * self.done / self.total)) if self.total else 0


class WorkerBeat(models.Model):
    worker_id = models.CharField(primary_key=True, max_length=64)
    host = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started = models.DateTimeField()
    seen = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker_id} {self.host}:{self.pid}"


class Lease(models.Model):
    name = models.CharField(primary_key=True, max_length=40)
    holder = models.CharField(max_length=64)
    expires = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} → {self.holder}"


class PeriodicRun(models.Model):
    name = models.CharField(max_length=80)
    slot = models.DateTimeField()  # the start of the period this run belongs to
    enqueued = models.DateTimeField(auto_now_add=True)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="periodic_run_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot}"
