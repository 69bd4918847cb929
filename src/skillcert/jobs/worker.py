"""``skillcert worker``: runs the queued jobs, beats, gives back the jobs of dead workers, and
(when it holds the lease) enqueues the periodic jobs.

Several workers on several hosts share the queue table. A queue row is claimed inside an
exclusive transaction (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, an exclusive
transaction on SQLite), so two workers never take the same job. A worker beats every
``BEAT_EVERY`` seconds from a thread, also while a long job runs; when its beat is older than
``STALE_AFTER`` any other worker puts its running job back in the queue (the worker died:
killed, the host lost) — up to ``MAX_ATTEMPTS`` runs, then the job fails. A job can run again
after a death, never twice at once (a live worker keeps beating).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
import time
from types import FrameType

from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import autodiscover_modules
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker as QueueRunner
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from skillcert.jobs import schedule
from skillcert.jobs.models import Job, JobPhase, WorkerBeat
from skillcert.jobs.service import BEAT_EVERY, INTERRUPTED, MAX_ATTEMPTS, STALE_AFTER

logger = logging.getLogger(__name__)


class WorkerDied(Exception):
    """The worker running this job stopped beating (recorded on the queue row)."""


def discover() -> None:
    """Import every app's ``tasks`` module: the jobs and the periodic schedule."""
    autodiscover_modules("tasks")


def recover_stale(*, now: dt.datetime | None = None) -> int:
    """Put back in the queue the running jobs of workers that stopped beating: how many."""
    moment = now or timezone.now()
    limit = moment - STALE_AFTER
    alive = set(WorkerBeat.objects.filter(seen__gte=limit).values_list("worker_id", flat=True))
    recovered = 0
    with exclusive_transaction(DBTaskResult.objects.db):
        running = DBTaskResult.objects.running().select_for_update(skip_locked=True)
        for row in running:
            owner = row.worker_ids[-1] if row.worker_ids else None
            if owner in alive or (row.started_at and row.started_at >= limit):
                continue
            jobs = Job.objects.filter(task_result_id=str(row.id), phase=JobPhase.RUNNING)
            if len(row.worker_ids) >= MAX_ATTEMPTS:
                row.set_failed(WorkerDied(f"worker {owner} stopped beating"))
                jobs.update(
                    phase=JobPhase.FAILED, error=INTERRUPTED, finished=moment, updated=moment
                )
            else:
                row.status = TaskResultStatus.READY
                row.started_at = None
                row.save(update_fields=["status", "started_at"])
                jobs.update(phase=JobPhase.QUEUED, updated=moment)
            logger.warning("job %s of dead worker %s given back to the queue", row.id, owner)
            recovered += 1
    WorkerBeat.objects.filter(seen__lt=moment - 10 * STALE_AFTER).delete()
    return recovered


class Worker:
    def __init__(
        self,
        *,
        worker_id: str | None = None,
        interval: float = 1.0,
        burst: bool = False,
        scheduler: bool = True,
        beat_thread: bool = True,
        backend_name: str = "default",
    ) -> None:
        self.worker_id = worker_id or f"{socket.gethostname()[:30]}-{get_random_string(12)}"
        self.interval = interval
        self.burst = burst
        self.scheduler = scheduler
        self.beat_thread = beat_thread
        self.backend_name = backend_name
        self.running = True
        self.in_task = False
        self.ran = 0
        self._maintained = -float("inf")  # the first turn recovers and schedules
        self._stop_beating = threading.Event()
        self._runner = QueueRunner(
            queue_names=["*"],
            interval=interval,
            batch=burst,
            backend_name=backend_name,
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )

    # --- heartbeat ------------------------------------------------------------------------

    def beat(self) -> None:
        now = timezone.now()
        updated = WorkerBeat.objects.filter(pk=self.worker_id).update(seen=now)
        if not updated:
            WorkerBeat.objects.create(
                worker_id=self.worker_id,
                host=socket.gethostname()[:200],
                pid=os.getpid(),
                started=now,
                seen=now,
            )

    def _beat_forever(self) -> None:
        try:
            while not self._stop_beating.wait(BEAT_EVERY):
                try:
                    self.beat()
                except OperationalError as exc:  # a locked SQLite file: beat next time
                    logger.warning("heartbeat of %s failed: %s", self.worker_id, exc)
        finally:
            connection.close()  # this thread's own connection

    # --- the loop ---------------------------------------------------------------------------

    def run(self) -> int:
        """Run until stopped (or, with ``burst``, until nothing is due): the jobs run."""
        discover()
        self.beat()
        beating = None
        if self.beat_thread:
            beating = threading.Thread(target=self._beat_forever, name="heartbeat", daemon=True)
            beating.start()
        logger.info("worker %s started", self.worker_id)
        try:
            while self.running:
                if not self.run_once() and self.running:
                    if self.burst:
                        break
                    time.sleep(self.interval)
        finally:
            self._stop_beating.set()
            if beating is not None:
                beating.join(timeout=BEAT_EVERY + 1)
            if self.scheduler:
                schedule.release_lease(schedule.SCHEDULER, self.worker_id)
            WorkerBeat.objects.filter(pk=self.worker_id).delete()
            logger.info("worker %s stopped after %d jobs", self.worker_id, self.ran)
        return self.ran

    def run_once(self) -> bool:
        """One turn: run one job (whether one ran); every BEAT_EVERY seconds first beat
        (without a thread), give back dead workers' jobs and schedule the periodic ones."""
        if not connection.in_atomic_block:  # (a test's transaction: keep its connection)
            close_old_connections()  # a connection past its age or broken: a fresh one
        now = time.monotonic()
        if now - self._maintained >= BEAT_EVERY:  # every few seconds, not at every poll
            self._maintained = now
            if not self.beat_thread:
                self.beat()
            recover_stale()
            if self.scheduler and schedule.hold_lease(schedule.SCHEDULER, self.worker_id):
                schedule.enqueue_due()
        row = self._claim()
        if row is None:
            return False
        self.in_task = True
        try:
            self._runner.run_task(row)
        finally:
            self.in_task = False
            self.ran += 1
        return True

    def _claim(self) -> DBTaskResult | None:
        ready = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        try:
            with exclusive_transaction(ready.db):
                row = ready.get_locked()
                if row is not None:
                    row.claim(self.worker_id)
                return row
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return None
            raise

    # --- signals --------------------------------------------------------------------------

    def stop(self, signum: int, frame: FrameType | None) -> None:
        if not self.running or not self.in_task:
            raise SystemExit(0 if self.running else 1)
        logger.warning("stopping after the current job (%s)", signal.strsignal(signum))
        self.running = False

    def install_signals(self) -> None:
        for name in ("SIGINT", "SIGTERM"):
            signal.signal(getattr(signal, name), self.stop)
