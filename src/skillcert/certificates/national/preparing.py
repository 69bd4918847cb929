"""Exports asked for on the outbox page are made by a background job (``skillcert worker``).

A province-wide period holds up to a million certificates: listing, locking and writing them
takes minutes, longer than a page request may hold a web worker. ``start`` checks the request
at once (who may report what, a valid period, something to report) and answers with the export
that already has the key, or queues a ``national_export`` job (one per scope at a time: a
second officer asking for the same scope follows the same job). The job makes the export
through ``exports.make`` — the same transaction as the API's synchronous ``prepare`` — and
records the export's number in the job's result, which the page shows.

The export is one transaction, so its progress cannot be told row by row; the job says how
many certificates it is writing and the page shows that it runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from skillcert.accounts.models import User
from skillcert.assessment.models import Batch
from skillcert.certificates.models import NationalExport
from skillcert.certificates.national.exports import (
    NOTHING_TO_REPORT,
    Scope,
    certificates_of,
    make,
    resolve,
)
from skillcert.certificates.national.outbox import export_name
from skillcert.jobs import service as jobs
from skillcert.jobs.models import Job, JobPhase
from skillcert.rules.errors import Conflict, Forbidden

KIND = "national_export"
SHOWN_FOR = dt.timedelta(minutes=30)  # a finished job stays on its owner's page this long
OWNER_GONE = "发起人账号已停用，上报文件未生成"


@dataclass(frozen=True)
class Started:
    job: Job | None = None  # the job making the export
    existing: NationalExport | None = None  # or the export that already has this key


def subject(scope: Scope) -> str:
    return "changes" if scope.changes else scope.key


def title(scope: Scope) -> str:
    if scope.changes:
        return "证书状态变更（撤销、更正）"
    if scope.batch is not None:
        return f"认定批次：{scope.batch.title}"
    assert scope.period is not None
    return f"发证日期 {scope.period[0]:%Y-%m-%d} 至 {scope.period[1]:%Y-%m-%d}"


def start(
    *,
    batch: Batch | int | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    changes: bool = False,
    actor: User,
) -> Started:
    """Check the request and queue the job that makes its export (or find the export)."""
    scope = resolve(batch=batch, period=period, changes=changes, actor=actor)
    if scope.key:
        existing = NationalExport.objects.filter(key=scope.key).first()
        if existing is not None:
            return Started(existing=existing)
    if not certificates_of(scope).exists():
        raise Conflict(NOTHING_TO_REPORT[scope.kind], code="nothing_to_report")
    job = jobs.start(
        kind=KIND,
        subject=subject(scope),
        title=title(scope),
        owner_id=actor.pk,
        job=prepare_job,
    )
    return Started(job=job)


def _scope_of(job: Job, actor: User) -> Scope:
    """The scope a job's subject names, checked again for its owner as of now."""
    text = job.subject
    if text == "changes":
        return resolve(changes=True, actor=actor)
    if text.startswith("batch:"):
        return resolve(batch=int(text.split(":")[1]), actor=actor)
    _, start_day, end_day = text.split(":")
    period = (dt.date.fromisoformat(start_day), dt.date.fromisoformat(end_day))
    return resolve(period=period, actor=actor)


@jobs.job_task
def prepare_job(job: Job) -> None:
    """Make the export of the job's scope for its owner (a DomainError becomes the page's error)."""
    actor = (
        User.objects.filter(pk=job.owner_id, is_active=True).first()
        if job.owner_id is not None
        else None
    )
    if actor is None:
        raise Forbidden(OWNER_GONE, code="forbidden")
    scope = _scope_of(job, actor)
    jobs.report(job, 0, certificates_of(scope).count())
    prepared = make(scope, actor)
    export = prepared.export
    jobs.report(job, export.certificate_count, export.certificate_count)
    jobs.complete(
        job,
        output=export_name(export),
        result={
            "export": export.pk,
            "created": prepared.created,
            "file_name": export.file_name,
            "count": export.certificate_count,
        },
    )


def recent_for(user: User) -> QuerySet[Job]:
    """The user's export jobs still running, or finished lately (shown on the outbox page)."""
    since = timezone.now() - SHOWN_FOR
    return (
        Job.objects.filter(kind=KIND, owner_id=user.pk)
        .filter(Q(phase__in=jobs.ACTIVE) | Q(finished__gte=since))
        .order_by("-created")
    )


def job_for(user: User, job_id: str) -> Job | None:
    """The user's own export job ``job_id``, or None."""
    job = jobs.get(job_id)
    if job is None or job.kind != KIND or job.owner_id != user.pk:
        return None
    return job


def status_note(job: Job) -> str:
    """What the page says of a job, in the officer's words."""
    if job.phase == JobPhase.QUEUED:
        if jobs.workers_alive():
            return "正在排队，等待后台任务处理程序"
        return "后台任务处理程序未运行，上报文件尚未开始生成；请联系系统管理员启动 skillcert worker"
    if job.phase == JobPhase.RUNNING:
        return f"正在生成上报文件（{job.total} 张证书）…" if job.total else "正在生成上报文件…"
    if job.phase == JobPhase.FAILED:
        return job.error
    result = job.result or {}
    if result.get("created"):
        return f"已生成上报文件 {result.get('file_name')}（{result.get('count')} 张证书），待发送。"
    return f"该范围已有上报记录 #{result.get('export')}，未重复生成。"
