"""The job runner: the queue in the database, workers, their heartbeats, the scheduler lease."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from skillcert.jobs import schedule, service
from skillcert.jobs.models import Job, JobPhase, Lease, PeriodicRun, WorkerBeat
from skillcert.jobs.worker import Worker, recover_stale
from tests.jobs import sample_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    sample_tasks.CALLS.clear()


def burst(worker_id: str = "w-test", **options: object) -> int:
    return Worker(worker_id=worker_id, burst=True, beat_thread=False, **options).run()


def start_sample(subject: str = "thing:1", **kwargs: object) -> Job:
    return service.start(
        kind="sample",
        subject=subject,
        title="示例",
        owner_id=None,
        job=sample_tasks.count_to_three,
        **kwargs,
    )


def test_a_started_job_waits_in_the_queue_until_a_worker_runs_it():
    job = start_sample()
    assert job.phase == JobPhase.QUEUED and sample_tasks.CALLS == []
    assert DBTaskResult.objects.get(id=job.task_result_id).status == TaskResultStatus.READY
    assert burst(scheduler=False) == 1
    job.refresh_from_db()
    assert job.phase == JobPhase.DONE and (job.done, job.total) == (3, 3)
    assert job.output == "sample/out.txt" and job.attempts == 1
    assert sample_tasks.CALLS == ["thing:1"]
    assert DBTaskResult.objects.get(id=job.task_result_id).status == TaskResultStatus.SUCCESSFUL
    assert not WorkerBeat.objects.exists()  # a stopped worker leaves no heartbeat behind


def test_one_job_per_subject_at_a_time():
    first = start_sample()
    assert start_sample().pk == first.pk
    assert start_sample("thing:2").pk != first.pk
    burst(scheduler=False)
    assert start_sample().pk != first.pk  # finished: a new one may start


def test_a_domain_error_is_the_job_error_and_a_crash_a_generic_one():
    refused = service.start(
        kind="sample", subject="x:1", title="t", owner_id=None, job=sample_tasks.refuses
    )
    crashed = service.start(
        kind="sample", subject="x:2", title="t", owner_id=None, job=sample_tasks.crashes
    )
    burst(scheduler=False)
    refused.refresh_from_db()
    crashed.refresh_from_db()
    assert refused.phase == JobPhase.FAILED and refused.error == "该批次没有可打印的有效证书"
    assert crashed.phase == JobPhase.FAILED and crashed.error == service.INTERNAL
    assert "boom" not in crashed.error  # the traceback goes to the log and the queue row
    row = DBTaskResult.objects.get(id=crashed.task_result_id)
    assert row.status == TaskResultStatus.FAILED and "boom" in row.traceback


def claimed_by_dead_worker(job: Job, worker_id: str = "dead", attempts: int = 1) -> None:
    """As if ``worker_id`` had claimed the job and been killed (no beat since long ago)."""
    long_ago = timezone.now() - 2 * service.STALE_AFTER
    WorkerBeat.objects.create(worker_id=worker_id, host="h", pid=1, started=long_ago, seen=long_ago)
    DBTaskResult.objects.filter(id=job.task_result_id).update(
        status=TaskResultStatus.RUNNING,
        started_at=long_ago,
        worker_ids=[f"earlier-{n}" for n in range(attempts - 1)] + [worker_id],
    )
    Job.objects.filter(pk=job.pk).update(phase=JobPhase.RUNNING, attempts=attempts, done=1)


def test_the_job_of_a_dead_worker_is_run_again_once_by_another():
    job = start_sample()
    claimed_by_dead_worker(job)
    assert burst("w-other", scheduler=False) == 1
    job.refresh_from_db()
    assert job.phase == JobPhase.DONE and job.attempts == 2
    assert sample_tasks.CALLS == ["thing:1"]  # finished once
    row = DBTaskResult.objects.get(id=job.task_result_id)
    assert row.worker_ids == ["dead", "w-other"]


def test_a_live_worker_keeps_its_job():
    job = start_sample()
    claimed_by_dead_worker(job, "alive")
    WorkerBeat.objects.filter(pk="alive").update(seen=timezone.now())
    assert recover_stale() == 0
    assert burst("w-other", scheduler=False) == 0  # nothing to take: it is running elsewhere
    assert Job.objects.get(pk=job.pk).phase == JobPhase.RUNNING


def test_a_job_whose_workers_keep_dying_fails_instead_of_looping():
    job = start_sample()
    claimed_by_dead_worker(job, attempts=service.MAX_ATTEMPTS)
    assert recover_stale() == 1
    job.refresh_from_db()
    assert job.phase == JobPhase.FAILED and job.error == service.INTERRUPTED
    assert DBTaskResult.objects.get(id=job.task_result_id).status == TaskResultStatus.FAILED
    assert burst(scheduler=False) == 0 and sample_tasks.CALLS == []


def test_one_scheduler_holds_the_lease_until_it_lapses():
    now = timezone.now()
    assert schedule.hold_lease("scheduler", "a", now=now)
    assert not schedule.hold_lease("scheduler", "b", now=now + dt.timedelta(seconds=30))
    assert schedule.hold_lease("scheduler", "a", now=now + dt.timedelta(seconds=30))  # renewed
    later = now + dt.timedelta(seconds=30) + schedule.LEASE_FOR + dt.timedelta(seconds=1)
    assert schedule.hold_lease("scheduler", "b", now=later)  # a's lapsed: b takes over
    assert Lease.objects.get().holder == "b"


def test_periodic_jobs_are_enqueued_once_per_slot_however_many_schedule(monkeypatch):
    periodic = schedule.Periodic(
        "tests.jobs.sample_tasks.tick", sample_tasks.tick, dt.timedelta(hours=1), "测试"
    )
    monkeypatch.setattr(schedule, "PERIODIC", {periodic.name: periodic})
    moment = dt.datetime(2026, 12, 2, 10, 30, tzinfo=dt.UTC)
    assert schedule.enqueue_due(now=moment) == [periodic.name]
    assert schedule.enqueue_due(now=moment + dt.timedelta(minutes=20)) == []  # same slot
    assert schedule.enqueue_due(now=moment + dt.timedelta(hours=1)) == [periodic.name]
    assert PeriodicRun.objects.count() == 2
    assert DBTaskResult.objects.filter(task_path=periodic.name).count() == 2


def test_the_worker_schedules_the_declared_periodic_jobs_and_runs_them():
    burst("w-scheduler")
    names = set(PeriodicRun.objects.values_list("name", flat=True))
    assert {
        "skillcert.assessment.tasks.sweep",
        "skillcert.certificates.tasks.remove_old_prints",
        "skillcert.certificates.tasks.retry_national_sends",
        "skillcert.supervision.tasks.recount_statistics",
        "skillcert.supervision.tasks.settle_ended",
    } <= names
    sweep = DBTaskResult.objects.get(task_path="skillcert.assessment.tasks.sweep")
    assert sweep.status == TaskResultStatus.SUCCESSFUL
    assert set(sweep.return_value) == {
        "overdue_flagged",
        "expired",
        "publicities_closed",
        "received_by_time",
    }
    # A second worker in the same hour schedules nothing again.
    runs = PeriodicRun.objects.count()
    Lease.objects.all().delete()
    burst("w-second")
    assert PeriodicRun.objects.count() == runs


def test_workers_alive_counts_recent_heartbeats():
    now = timezone.now()
    WorkerBeat.objects.create(worker_id="a", host="h", pid=1, started=now, seen=now)
    WorkerBeat.objects.create(
        worker_id="b", host="h", pid=2, started=now, seen=now - 2 * service.STALE_AFTER
    )
    assert service.workers_alive(now) == 1


def test_the_worker_command_in_burst_mode_runs_what_is_due_and_exits(capsys):
    from django.core.management import call_command

    job = start_sample()
    call_command("worker", "--burst", "--worker-id", "w-command")
    job.refresh_from_db()
    assert job.phase == JobPhase.DONE
    out = capsys.readouterr().out
    assert "已处理" in out and "个后台任务" in out
    assert not WorkerBeat.objects.exists() and not Lease.objects.exists()
