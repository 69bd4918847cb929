"""Printing a batch's certificates from the batch page, with progress shown in the page.

A print job renders ``render_batch(batch, processes=2, progress=…)`` in a background thread of
the web process that received the request. Its record lives in two files under
``DATA_DIR / "prints"``, never in the process's memory:

- ``<job>.json``: the batch, who started it, ``phase`` (``running`` | ``done`` | ``failed``:
  a job's progress, not a workflow),
  ``done``/``total`` pages, the error, and the process that renders it; rewritten atomically
  (temporary file + rename) at every progress report;
- ``<job>.pdf``: the output, moved into place when complete.

So any worker process of a multi-process server (gunicorn runs several) answers the progress
endpoint the same way: the page may poll whichever worker the load balancer picks. The
rendering itself stays in the process that started it; a job whose process died (a restart)
stops reporting and is answered as interrupted (``STALE_AFTER`` seconds without a report, or
at once when its process is gone on this machine).

The job id is 32 random hex characters; the pages also check that the person may print the
job's batch (``may_download_annexes``). One job per batch runs at a time (starting another
while one runs returns the running one); within a process, renders run one after another
(``render_batch`` keeps module-level state while it forks its workers). Files older than
``KEEP_FOR`` are removed whenever a job starts.

``settings.SKILLCERT_PRINT_INLINE = True`` runs the job in the request itself (tests).
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

from skillcert.accounts.models import User
from skillcert.assessment.models import Batch
from skillcert.certificates.models import Certificate, CertificateStatus
from skillcert.rules.errors import Conflict, DomainError

logger = logging.getLogger(__name__)

PROCESSES = 2
KEEP_FOR = 24 * 3600  # seconds a finished job's files are kept
STALE_AFTER = 15 * 60  # seconds without a progress report before a running job counts as lost
JOB_ID = re.compile(r"[0-9a-f]{32}")
RUNNING, DONE, FAILED = "running", "done", "failed"
INTERRUPTED = "打印任务已中断（服务器重启或进程退出），请重新开始打印"
INTERNAL = "打印失败：服务器内部错误，请稍后重试或联系管理员"

# Renders in one process run one after another: render_batch keeps the chunks of its
# worker processes in a module-level variable while it forks them.
_render_lock = threading.Lock()


def prints_dir() -> Path:
    return Path(settings.DATA_DIR) / "prints"


def _record_path(job: str) -> Path:
    return prints_dir() / f"{job}.json"


def pdf_path(job: str) -> Path:
    return prints_dir() / f"{job}.pdf"


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _save(record: dict[str, Any]) -> None:
    record["updated"] = time.time()
    _write_atomically(
        _record_path(record["job"]), json.dumps(record, ensure_ascii=False).encode("utf-8")
    )


def _load(job: str) -> dict[str, Any] | None:
    if not JOB_ID.fullmatch(job or ""):
        return None
    try:
        record = json.loads(_record_path(job).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if "phase" not in record and "state" in record:  # written before the field was renamed
        record["phase"] = record.pop("state")
    return record if "phase" in record else None


def _process_gone(record: dict[str, Any]) -> bool:
    """Whether the rendering process is known to be gone (only decidable on this machine)."""
    if record.get("host") != socket.gethostname() or not record.get("pid"):
        return False
    try:
        os.kill(int(record["pid"]), 0)
    except ProcessLookupError:
        return True
    except OSError:  # exists, but not ours to signal
        return False
    return False


def read(job: str) -> dict[str, Any] | None:
    """The job's record, or None when there is no such job. A running job that stopped
    reporting is answered as failed (interrupted)."""
    record = _load(job)
    if record is None:
        return None
    if record["phase"] == RUNNING and (
        time.time() - float(record.get("updated", 0)) > STALE_AFTER or _process_gone(record)
    ):
        record = {**record, "phase": FAILED, "error": INTERRUPTED}
    if record["phase"] == DONE and not pdf_path(job).is_file():
        record = {**record, "phase": FAILED, "error": "打印文件已被清理，请重新开始打印"}
    return record


def percent(record: dict[str, Any]) -> int:
    if record["phase"] == DONE:
        return 100
    total = int(record.get("total") or 0)
    return min(100, int(100 * int(record.get("done") or 0) / total)) if total else 0


def _sweep() -> None:
    """Remove the files of jobs older than KEEP_FOR (and leftovers of broken writes)."""
    folder = prints_dir()
    if not folder.is_dir():
        return
    limit = time.time() - KEEP_FOR
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue


def running_job(batch: Batch) -> str | None:
    """A job of this batch that is still running, if any."""
    folder = prints_dir()
    if not folder.is_dir():
        return None
    for path in folder.glob("*.json"):
        record = read(path.stem)
        if record and record["batch"] == batch.pk and record["phase"] == RUNNING:
            return path.stem
    return None


def printable_count(batch: Batch) -> int:
    return Certificate.objects.filter(batch=batch, status=CertificateStatus.VALID).count()


def start(batch: Batch, user: User) -> str:
    """Start printing the batch (or return the job already printing it): the job id."""
    _sweep()
    existing = running_job(batch)
    if existing:
        return existing
    total = printable_count(batch)
    if not total:
        raise Conflict("该批次没有可打印的有效证书", code="no_certificates")
    job = secrets.token_hex(16)
    record = {
        "job": job,
        "batch": batch.pk,
        "batch_title": batch.title,
        "user": user.pk,
        "phase": RUNNING,
        "done": 0,
        "total": total,
        "error": "",
        "started": time.time(),
        "finished": None,
        "size": 0,
        "pid": os.getpid(),
        "host": socket.gethostname(),
    }
    _save(record)
    if getattr(settings, "SKILLCERT_PRINT_INLINE", False):
        run(job)
    else:
        threading.Thread(
            target=_run_in_thread, args=(job,), name=f"print-{job[:8]}", daemon=True
        ).start()
    return job


def _run_in_thread(job: str) -> None:
    try:
        run(job)
    finally:
        connections.close_all()  # this thread's connections only


def run(job: str) -> None:
    """Render the job's batch, reporting progress into its record file."""
    record = _load(job)
    if record is None:
        return
    try:
        batch = Batch.objects.select_related("organization").get(pk=record["batch"])

        def progress(done: int, total: int) -> None:
            record.update(done=done, total=total)
            _save(record)

        with _render_lock:
            data = _render(batch, progress)
        _write_atomically(pdf_path(job), data)
        record.update(phase=DONE, done=record["total"], size=len(data), finished=time.time())
    except DomainError as exc:
        record.update(phase=FAILED, error=exc.message, finished=time.time())
    except Exception:
        logger.exception("print job %s of batch %s failed", job, record.get("batch"))
        record.update(phase=FAILED, error=INTERNAL, finished=time.time())
    _save(record)


def _render(batch: Batch, progress: Any) -> bytes:
    from skillcert.certificates.pdf import render_batch

    return render_batch(batch, processes=PROCESSES, progress=progress)
