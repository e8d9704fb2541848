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

# What gunicorn can bound itself. It cannot bound how long a client takes to send its headers or body:
# a thread reads them as slowly as they come, so a few hundred slow sockets take every thread. Only a
# proxy in front with header and body timeouts (deploy/nginx-site.conf) keeps the nodes safe to face
# the internet (docs/DEPLOYMENT.md, "Slow clients").
bind = ["127.0.0.1:8000"]  # loopback: the proxy reaches it; -b (or GUNICORN_CMD_ARGS) for another address
timeout = 30  # a worker whose main loop is silent this long is killed and replaced
graceful_timeout = 20  # on stop or reload, requests in flight get this long (the app answers within 9 s)
keepalive = 2  # seconds an idle kept-alive connection is held (nginx opens one per request anyway)
limit_request_line = 4094  # bytes; the longest webhook URL is far below 1 KB
limit_request_fields = 50  # Twilio sends about 15 headers; a browser through nginx about 20
limit_request_field_size = 8190  # bytes; the console's cookie is the largest

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
