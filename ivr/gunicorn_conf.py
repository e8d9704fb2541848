"""gunicorn's settings for the hotline: every worker's metrics in one folder (`gunicorn.conf.py` in the
checkout loads this; elsewhere pass `-c python:ivr.gunicorn_conf`).

prometheus_client chooses where a process keeps its values when it is first imported, so the folder is
settled here, when gunicorn reads its configuration: before the app is loaded (--preload) and before
any worker is forked. Without PROMETHEUS_MULTIPROC_DIR each gunicorn gets a fresh folder of its own,
removed when it exits; a folder the operator names is emptied at start, as prometheus_client requires.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

_made = None
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    _folder.mkdir(parents=True, exist_ok=True)
    for stale in _folder.glob("*.db"):  # a previous run's counts would be added to this one's
        stale.unlink()
else:
    _made = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="ivr-metrics-")


def child_exit(server, worker) -> None:  # noqa: ANN001
    """A dead worker's gauges stop counting; its counters stay in the totals."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:  # noqa: ANN001
    if _made:
        shutil.rmtree(_made, ignore_errors=True)
