"""Printing a batch's certificates: a background job, its progress shown in the batch's pages.

``start`` queues a ``print`` job for the batch (or returns the one already queued or running:
one per batch at a time); a worker (``skillcert worker``, on any host) renders it with
``render_batch(batch, processes=2, progress=…)``, reporting pages done into the job's row, and
saves the PDF in the file storage as ``prints/<job>.pdf``. Any app server answers the progress
and serves the file: nothing lives in a web process's memory or on its disk. A worker that
dies mid-job has the job run again by another (``skillcert.jobs.worker``).

Finished jobs and their files are removed after ``KEEP_FOR`` by a periodic job.
"""

from __future__ import annotations

import datetime as dt
import tempfile

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from skillcert.accounts.models import User
from skillcert.assessment.models import Batch
from skillcert.certificates.models import Certificate, CertificateStatus
from skillcert.jobs import service as jobs
from skillcert.jobs.models import Job, JobPhase
from skillcert.rules.errors import Conflict

PROCESSES = 2
KIND = "print"
KEEP_FOR = dt.timedelta(hours=24)  # a finished job's file is kept this long
WAITING = "正在排队，等待后台任务处理程序"
NO_WORKER = "后台任务处理程序未运行，打印尚未开始；请联系系统管理员启动 skillcert worker"


def subject(batch: Batch) -> str:
    return f"batch:{batch.pk}"


def output_name(job: Job) -> str:
    return f"prints/{job.pk}.pdf"


def printable_count(batch: Batch) -> int:
    return Certificate.objects.filter(batch=batch, status=CertificateStatus.VALID).count()


def start(batch: Batch, user: User) -> Job:
    """Queue printing the batch (or return the job already printing it)."""
    total = printable_count(batch)
    if not total:
        raise Conflict("该批次没有可打印的有效证书", code="no_certificates")
    return jobs.start(
        kind=KIND,
        subject=subject(batch),
        title=f"{batch.title} 证书打印",
        owner_id=user.pk,
        job=render_job,
        total=total,
    )


def job_of(batch: Batch, job_id: str) -> Job | None:
    """The print job ``job_id`` of this batch, or None (unknown, or another batch's)."""
    job = jobs.get(job_id)
    if job is None or job.kind != KIND or job.subject != subject(batch):
        return None
    return job


def file_ready(job: Job) -> bool:
    return job.phase == JobPhase.DONE and bool(job.output) and default_storage.exists(job.output)


def status_note(job: Job, *, ready: bool) -> str:
    """What the page says besides the percentage (empty when the numbers say it all);
    ``ready`` is ``file_ready(job)``, asked once by the caller (a storage round trip)."""
    if job.phase == JobPhase.QUEUED:
        return WAITING if jobs.workers_alive() else NO_WORKER
    if job.phase == JobPhase.FAILED:
        return job.error
    if job.phase == JobPhase.DONE and not ready:
        return "打印文件已被清理，请重新开始打印"
    return ""


@jobs.job_task
def render_job(job: Job) -> None:
    """Render the job's batch into the storage, reporting pages done."""
    from skillcert.certificates.pdf import render_batch

    batch = Batch.objects.select_related("organization").get(pk=int(job.subject.split(":")[1]))

    def progress(done: int, total: int) -> None:
        jobs.report(job, done, total)

    data = render_batch(batch, processes=PROCESSES, progress=progress)
    with tempfile.TemporaryFile() as spooled:
        spooled.write(data)
        spooled.seek(0)
        name = output_name(job)
        if default_storage.exists(name):  # an earlier attempt of a worker that died
            default_storage.delete(name)
        saved = default_storage.save(name, File(spooled, name=name))
    jobs.complete(job, output=saved, size=len(data))


def remove_old(*, now: dt.datetime | None = None) -> int:
    """Remove the print jobs (and their files) finished more than KEEP_FOR ago."""
    limit = (now or timezone.now()) - KEEP_FOR
    old = Job.objects.filter(
        kind=KIND, phase__in=(JobPhase.DONE, JobPhase.FAILED), updated__lt=limit
    )
    removed = 0
    for job in old:
        if job.output and default_storage.exists(job.output):
            default_storage.delete(job.output)
        job.delete()
        removed += 1
    return removed
