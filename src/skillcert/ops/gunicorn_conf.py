"""gunicorn's hooks for ``skillcert serve`` (``--config python:skillcert.ops.gunicorn_conf``).

The command line carries the settings; this module only adds the hooks.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import multiprocess

MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def child_exit(server: Any, worker: Any) -> None:
    """A worker has exited: drop its live gauges from the metrics directory (its counters and
    histograms stay, so totals do not fall back when gunicorn replaces a worker)."""
    if os.environ.get(MULTIPROC_VARIABLE):
        multiprocess.mark_process_dead(worker.pid)
