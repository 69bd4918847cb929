"""Periodic jobs: declared by the apps (``@periodic`` in their ``tasks`` modules), enqueued by
the worker that holds the ``scheduler`` lease.

Time is cut into slots of each job's period (aligned on the epoch, in UTC); a slot is
enqueued once: ``PeriodicRun`` is unique per job and slot, so even two workers that both
believed they held the lease (a clock jump, a pause longer than the lease) enqueue it once.
A worker that starts after a pause enqueues the current slot of each job, not every missed
one: the jobs catch up on their own (they work on what is due, not on what a slot says).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar, cast

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks.base import Task

from skillcert.jobs.models import Lease, PeriodicRun

T = TypeVar("T")
EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
SCHEDULER = "scheduler"
LEASE_FOR = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class Periodic:
    name: str
    task: Task[[], object]
    every: dt.timedelta
    label: str  # what it does, in Chinese, for the operators' listing


PERIODIC: dict[str, Periodic] = {}


def periodic(*, every: dt.timedelta, label: str) -> Callable[[Task[[], T]], Task[[], T]]:
    """Register a django-tasks task (taking no arguments) to run once every ``every``."""

    def register(job: Task[[], T]) -> Task[[], T]:
        name = job.module_path
        PERIODIC[name] = Periodic(name, cast("Task[[], object]", job), every, label)
        return job

    return register


def slot_of(moment: dt.datetime, every: dt.timedelta) -> dt.datetime:
    periods = (moment - EPOCH) // every
    return EPOCH + periods * every


def hold_lease(name: str, holder: str, *, now: dt.datetime | None = None) -> bool:
    """Take or renew the lease ``name`` for ``holder``: True while it is ours."""
    moment = now or timezone.now()
    until = moment + LEASE_FOR
    with transaction.atomic():
        taken = Lease.objects.filter(name=name).filter(holder=holder).update(
            expires=until
        ) or Lease.objects.filter(name=name, expires__lt=moment).update(
            holder=holder, expires=until
        )
        if taken:
            return True
        if Lease.objects.filter(name=name).exists():
            return False
        try:
            with transaction.atomic():
                Lease.objects.create(name=name, holder=holder, expires=until)
        except IntegrityError:
            return False
        return True


def release_lease(name: str, holder: str) -> None:
    Lease.objects.filter(name=name, holder=holder).delete()


def enqueue_due(*, now: dt.datetime | None = None) -> list[str]:
    """Enqueue every periodic job whose current slot has no run yet: the names enqueued."""
    moment = now or timezone.now()
    enqueued = []
    for job in PERIODIC.values():
        slot = slot_of(moment, job.every)
        if PeriodicRun.objects.filter(name=job.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                run = PeriodicRun.objects.create(name=job.name, slot=slot)
                result = job.task.enqueue()
                PeriodicRun.objects.filter(pk=run.pk).update(task_result_id=str(result.id))
        except IntegrityError:
            continue  # another scheduler enqueued this slot
        enqueued.append(job.name)
    return enqueued
