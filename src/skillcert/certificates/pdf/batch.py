"""All valid certificates of a batch in one PDF, rendered by forked worker processes when
there are many, and appended in order with pypdf.
"""

from __future__ import annotations

import gc
import io
import multiprocessing
import os
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.db import connections

from skillcert.assessment.models import Batch
from skillcert.certificates.pdf.drawing import render_faces
from skillcert.certificates.pdf.faces import batch_faces
from skillcert.certificates.pdf.layout import TITLE, CertificateFace, Progress
from skillcert.documents import images  # also sets rl_config.useA85 = 0
from skillcert.documents.fonts import cjk_font
from skillcert.rules.errors import Conflict

MIN_CHUNK = 20  # fewer pages than this per process are rendered in-process
CHUNKS_PER_PROCESS = 4  # so that the parent appends while the workers render


def render_batch(batch: Batch, *, processes: int = 1, progress: Progress | None = None) -> bytes:
    """All valid certificates of ``batch`` in one PDF, in number order.

    With ``processes`` > 1 the certificates are split into contiguous chunks (a few per
    process), each rendered to a PDF by a worker process (forked: the font is registered
    once, before; no database access in the workers); the parent concatenates them in
    order with pypdf as they complete. ``progress(done, total)`` is called
    as pages complete (every ``PROGRESS_EVERY`` pages and at the end).
    """
    faces = batch_faces(batch)
    if not faces:
        raise Conflict("该批次没有可打印的有效证书", code="no_certificates")
    cjk_font()  # fail (503) before any work; register once, before forking
    processes = max(1, min(int(processes), len(faces) // MIN_CHUNK))
    if processes == 1:
        return render_faces(faces, progress=progress)
    # The workers read their chunks from module state and the collector is switched off
    # meanwhile: one multi-process render at a time in a process (web threads included).
    with _PRINT_LOCK:
        return _render_in_processes(faces, processes, progress)


_PRINT_LOCK = threading.Lock()

_progress_queue: Any = None
_chunks: list[Sequence[CertificateFace]] = []


def _split(faces: Sequence[CertificateFace], parts: int) -> list[Sequence[CertificateFace]]:
    """``parts`` contiguous chunks of nearly equal size, in order."""
    size, extra = divmod(len(faces), parts)
    chunks = []
    start = 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        chunks.append(faces[start:end])
        start = end
    return chunks


def _worker_init(queue: Any) -> None:
    global _progress_queue
    _progress_queue = queue
    gc.enable()  # the parent forks with it off (see _render_in_processes)


def _render_chunk(index: int, out: str) -> int:
    """In a worker: render chunk ``index`` to ``out``, reporting pages to the parent."""
    reported = 0

    def report(done: int, _total: int) -> None:
        nonlocal reported
        _progress_queue.put(done - reported)
        reported = done

    Path(out).write_bytes(render_faces(_chunks[index], progress=report))
    return index


def _render_in_processes(
    faces: list[CertificateFace], processes: int, progress: Progress | None
) -> bytes:
    """Chunks rendered by forked workers, appended by the parent in order as they arrive.

    There are a few chunks per process rather than one: the parent reads and appends the
    finished ones (most of pypdf's work) while the workers still render the later ones, so
    little more than the final write is left for the end.
    """
    from pypdf import PdfWriter

    total = len(faces)
    chunks = _split(faces, max(processes, min(processes * CHUNKS_PER_PROCESS, total // MIN_CHUNK)))
    # A forked child must not share the parent's database connections. Inside a
    # transaction (tests, or a caller's atomic block) they cannot be closed without
    # losing it; the children never touch the database and leave through os._exit.
    if not any(c.in_atomic_block for c in connections.all(initialized_only=True)):
        connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    writer = PdfWriter()
    done = 0

    def report(*, wait: bool) -> None:
        nonlocal done
        pages = _drain(queue, wait=wait)
        if pages and progress is not None:
            done += pages
            progress(min(done, total), total)

    global _chunks
    _chunks = chunks  # inherited by the forked workers: only indexes travel through pipes
    # What the workers need is ready before they fork: the seal compressed, the heap
    # frozen (a child's collector then does not write to, and so copy, the pages it
    # shares with the parent). The parent's collector stays off until the end: pypdf
    # makes hundreds of thousands of short-lived objects, and collecting among them
    # costs about a fifth of the merge.
    for seal in {face.seal for face in faces if face.seal}:
        images.prepared_stamp(seal)
    collecting = gc.isenabled()
    gc.freeze()  # no collection first: it would cost the parent more than it saves
    gc.disable()
    try:
        with tempfile.TemporaryDirectory(prefix="skillcert-print-") as folder:
            outputs = [os.path.join(folder, f"{index:04d}.pdf") for index in range(len(chunks))]
            with context.Pool(processes, initializer=_worker_init, initargs=(queue,)) as pool:
                pending = [
                    pool.apply_async(_render_chunk, (index, outputs[index]))
                    for index in range(len(chunks))
                ]
                for result, output in zip(pending, outputs, strict=True):
                    while not result.ready():
                        report(wait=True)
                    result.get()  # re-raises a worker's exception here
                    writer.append(output)  # read into memory: the file may go
                    os.unlink(output)
                    report(wait=False)
        if progress is not None and done < total:
            progress(total, total)  # the last reports may still be in the pipe
        writer.add_metadata({"/Title": TITLE, "/Creator": "skillcert"})
        buffer = io.BytesIO()
        writer.write(buffer)
    finally:
        if collecting:
            gc.enable()
        gc.unfreeze()
        _chunks = []
    return buffer.getvalue()


def _drain(queue: Any, *, wait: bool) -> int:
    """Pages reported since the last call (waits up to 0.2 s for the first when asked)."""
    import queue as queues

    pages = 0
    try:
        pages += queue.get(timeout=0.2) if wait else queue.get_nowait()
        while True:
            pages += queue.get_nowait()
    except queues.Empty:
        pass
    return pages
