"""Jobs a person starts and follows on a page: start one, report its progress, finish it.

A job is a ``Job`` row (what the page shows) and a queue row of django-tasks (what a worker
runs). ``start`` makes both in one transaction, so a worker sees the job once it is
committed; with the immediate backend (tests) the job runs inside ``start``.

A job function is declared with ``@job_task`` in a ``tasks`` module of its app; it receives
the ``Job`` and reports with ``report``/``complete``. A ``DomainError`` it raises becomes the
job's error as the person reads it; any other exception a generic message (the traceback
goes to the log and to the queue row).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import secrets
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

from skillcert.jobs.models import Job, JobPhase, WorkerBeat
from skillcert.rules.errors import DomainError

logger = logging.getLogger(__name__)

INTERNAL = "任务失败：服务器内部错误，请稍后重试或联系管理员"
INTERRUPTED = "任务多次中断（处理程序退出），已停止重试，请重新开始"
# A worker that has not beaten for this long is taken for dead: its running job goes back to
# the queue. Workers beat every BEAT_EVERY seconds, from a thread, also while a job runs.
BEAT_EVERY = settings.SKILLCERT_WORKER_BEAT_SECONDS
STALE_AFTER = dt.timedelta(seconds=settings.SKILLCERT_WORKER_STALE_SECONDS)
MAX_ATTEMPTS = 3  # a job whose worker died this many times fails instead of running again
ACTIVE = (JobPhase.QUEUED, JobPhase.RUNNING)

JobFunction = Callable[[Job], None]


def job_task(function: JobFunction) -> Task[[str], None]:
    """Declare ``function(job)`` as a queued job (a django-tasks task taking the job id).

    The decorated name must stay a module-level name: the queue finds the task by it."""

    @functools.wraps(function)
    def run(job_id: str) -> None:
        job = _begin(job_id)
        if job is None:
            return
        try:
            function(job)
        except DomainError as exc:
            fail(job, exc.message)
        except Exception:
            logger.exception("job %s (%s %s) failed", job.pk, job.kind, job.subject)
            fail(job, INTERNAL)
            raise

    return task()(run)


def start(
    *,
    kind: str,
    subject: str,
    title: str,
    owner_id: int | None,
    job: Task[[str], None],
    total: int = 0,
) -> Job:
    """Queue ``job`` for ``subject`` — or return the job of the same kind and subject that is
    still queued or running (one at a time per subject)."""
    with transaction.atomic():
        existing = (
            Job.objects.select_for_update()
            .filter(kind=kind, subject=subject, phase__in=ACTIVE)
            .order_by("-created")
            .first()
        )
        if existing is not None:
            return existing
        record = Job.objects.create(
            id=secrets.token_hex(16),
            kind=kind,
            subject=subject,
            title=title,
            owner_id=owner_id,
            total=total,
        )
        result = job.enqueue(record.pk)
        Job.objects.filter(pk=record.pk).update(task_result_id=str(result.id))
    record.refresh_from_db()
    return record


def get(job_id: str) -> Job | None:
    if len(job_id or "") != 32:
        return None
    return Job.objects.filter(pk=job_id).first()


def _begin(job_id: str) -> Job | None:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.phase not in ACTIVE:
            return None  # removed, or already finished by an earlier attempt
        job.phase = JobPhase.RUNNING
        job.attempts += 1
        job.started = timezone.now()
        job.done = 0
        job.error = ""
        job.save(update_fields=["phase", "attempts", "started", "done", "error", "updated"])
    return job


def report(job: Job, done: int, total: int) -> None:
    job.done, job.total = done, total
    Job.objects.filter(pk=job.pk).update(done=done, total=total, updated=timezone.now())


def complete(
    job: Job, *, output: str = "", size: int = 0, result: dict[str, object] | None = None
) -> None:
    """Mark the job done: ``output`` a file in the storage, ``result`` what its page shows."""
    now = timezone.now()
    job.phase, job.done, job.output, job.output_size, job.finished = (
        JobPhase.DONE,
        job.total,
        output,
        size,
        now,
    )
    job.result = result or {}
    Job.objects.filter(pk=job.pk).update(
        phase=JobPhase.DONE,
        done=job.total,
        output=output,
        output_size=size,
        result=job.result,
        finished=now,
        updated=now,
    )


def fail(job: Job, message: str) -> None:
    now = timezone.now()
    job.phase, job.error, job.finished = JobPhase.FAILED, message, now
    Job.objects.filter(pk=job.pk).update(
        phase=JobPhase.FAILED, error=message, finished=now, updated=now
    )


def workers_alive(now: dt.datetime | None = None) -> int:
    """How many workers beat recently (the pages say so when a job waits and none runs)."""
    moment = now or timezone.now()
    return WorkerBeat.objects.filter(seen__gte=moment - STALE_AFTER).count()
