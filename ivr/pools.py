"""Thread pools that survive gunicorn's fork: each process makes its own on first use."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

_pools: dict[tuple[int, str], ThreadPoolExecutor] = {}
_lock = threading.Lock()


def pool(name: str, size: int) -> ThreadPoolExecutor:
    """The process's pool of that name; threads of a parent process do not exist after a fork."""
    key = (os.getpid(), name)
    with _lock:
        if key not in _pools:
            _pools[key] = ThreadPoolExecutor(max_workers=size, thread_name_prefix=name)
        return _pools[key]
