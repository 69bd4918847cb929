"""Jobs for the job runner's tests."""

from __future__ import annotations

from django_tasks import task

from skillcert.jobs import service
from skillcert.jobs.models import Job
from skillcert.rules.errors import Conflict

CALLS: list[str] = []


@service.job_task
def count_to_three(job: Job) -> None:
    for done in range(1, 4):
        service.report(job, done, 3)
    CALLS.append(job.subject)
    service.complete(job, output="sample/out.txt", size=3)


@service.job_task
def refuses(job: Job) -> None:
    raise Conflict("该批次没有可打印的有效证书", code="no_certificates")


@service.job_task
def crashes(job: Job) -> None:
    raise RuntimeError("boom")


@task()
def tick() -> str:
    return "tick"
