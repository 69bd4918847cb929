"""Printing a batch of 1,000 certificates into one PDF: one process against two.

Run: .venv/bin/python bench/batch_print.py [--n 1000] [--repeat 3] [--processes 2]

Set-up as in certificate_pdf.py (a temporary SQLite data directory): one organization with a
confirmed seal, a batch of N certificates (default 1,000), each candidate with a JPEG photo
of its own. Each figure is the median of ``--repeat`` interleaved rounds (one warm-up each):

- ``render_batch(batch, processes=1)``: one canvas, every page in this process;
- ``render_batch(batch, processes=P)`` (default 2): P contiguous chunks rendered by forked
  worker processes, concatenated in order with pypdf by the parent;
- for the record, the parts of the second: the same chunks rendered one after the other in
  this process, and the pypdf concatenation alone;
- the machine's own ceiling in the same rounds: a pure-Python CPU loop run twice in this
  process against the same two loops in two forked processes. The workplace's 2-core
  machines are shared, so what 2 processes can gain at that moment is printed next to the
  figure (with the load average), and the CPU seconds of each variant (this process and its
  children) show the work itself, whatever the load.

Aim on this 2-core machine: processes=2 >= 1.7 x the rate of processes=1. Also checks that
both give the same pages in the same order.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from certificate_pdf import add_photos_and_seal
from export_annex5 import (
    make_batch,
    make_candidates,
    make_certificates,
    make_organization,
    setup_django,
)


def main() -> None:
    data_dir = None
    try:
        data_dir = run()
    finally:
        if data_dir is not None:
            shutil.rmtree(data_dir, ignore_errors=True)


def run() -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    n = max(1, min(args.n, 10_000))

    started = time.perf_counter()
    data_dir = setup_django()
    from pypdf import PdfReader, PdfWriter

    from skillcert.certificates import pdf as P

    organization = make_organization()
    batch = make_batch(organization, state="certificates_issued")
    make_certificates(batch, make_candidates(batch, n=n))
    add_photos_and_seal(batch)
    print(
        f"setup: {n} certificates with photos and a confirmed seal in "
        f"{time.perf_counter() - started:.1f} s ({data_dir}); cores: {os.cpu_count()}; "
        f"rl_accel active: {'yes' if P.rl_accel_active() else 'NO'}"
    )

    results: dict[str, bytes] = {}

    def one() -> None:
        results["one"] = P.render_batch(batch, processes=1)

    def many() -> None:
        results["many"] = P.render_batch(batch, processes=args.processes)

    faces = P.batch_faces(batch)
    chunks = P.batch._split(faces, args.processes)
    folder = Path(tempfile.mkdtemp(prefix="skillcert-bench-chunks-"))
    chunk_files = [folder / f"{index}.pdf" for index in range(len(chunks))]

    def chunks_in_turn() -> None:
        for chunk, path in zip(chunks, chunk_files, strict=True):
            path.write_bytes(P.render_faces(chunk))

    def concatenate() -> None:
        writer = PdfWriter()
        for path in chunk_files:
            writer.append(str(path))
        writer.write(io.BytesIO())

    def burn_here() -> None:
        for _ in range(args.processes):
            burn()

    def burn_forked() -> None:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(args.processes) as pool:
            pool.map(burn, [BURN] * args.processes)

    chunks_in_turn()  # the files the concatenation reads
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    figures, cpu = interleaved(
        {
            "render_batch(processes=1)": one,
            f"render_batch(processes={args.processes})": many,
            f"the {len(chunks)} chunks in turn, in this process": chunks_in_turn,
            "pypdf concatenation of the chunks alone": concatenate,
            f"ceiling: CPU loop x{args.processes} in this process": burn_here,
            f"ceiling: CPU loop in {args.processes} forked processes": burn_forked,
        },
        args.repeat,
    )
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    shutil.rmtree(folder, ignore_errors=True)

    first, second = (PdfReader(io.BytesIO(results[key])) for key in ("one", "many"))
    assert len(first.pages) == len(second.pages) == n
    for index in (0, n // 2, n - 1):  # spot checks; the test suite compares every page
        assert first.pages[index].extract_text() == second.pages[index].extract_text()

    print(f"{n} pages, median of {args.repeat} interleaved rounds (after one warm-up each)")
    for name, seconds in figures.items():
        rate = f"{n / seconds:7.1f} pages/s" if "ceiling" not in name else " " * 13
        print(f"  {name:<46} {seconds:7.2f} s  {rate}  CPU {cpu[name]:6.2f} s")
    single = figures["render_batch(processes=1)"]
    multi = figures[f"render_batch(processes={args.processes})"]
    ratio = single / multi
    ceiling = (
        figures[f"ceiling: CPU loop x{args.processes} in this process"]
        / figures[f"ceiling: CPU loop in {args.processes} forked processes"]
    )
    print(
        f"processes={args.processes} / processes=1 = {ratio:.2f} x (aim >= 1.70): "
        f"{'OK' if ratio >= 1.7 else 'BELOW'}; the machine's ceiling in the same rounds: "
        f"{ceiling:.2f} x, so {ratio / ceiling:.0%} of what {args.processes} processes could gain"
    )
    sizes = ", ".join(f"{key}: {len(value) / 2**20:.1f} MiB" for key, value in results.items())
    print(f"file sizes: {sizes}")
    return data_dir


BURN = 15_000_000  # loop steps: about half a second of one core


def burn(steps: int = BURN) -> int:
    total = 0
    for step in range(steps):
        total += step
    return total


def interleaved(
    functions: dict[str, Callable[[], object]], repeat: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Median wall seconds and median CPU seconds (this process and its children) of each
    function over ``repeat`` rounds, one warm-up call each first."""
    for function in functions.values():
        function()
    times: dict[str, list[float]] = {name: [] for name in functions}
    cpus: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            before = os.times()
            started = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - started)
            after = os.times()
            cpus[name].append(sum(after[:4]) - sum(before[:4]))
    return (
        {name: statistics.median(values) for name, values in times.items()},
        {name: statistics.median(values) for name, values in cpus.items()},
    )


if __name__ == "__main__":
    main()
