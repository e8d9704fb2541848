"""Run the `ivr` command and a real `ivr serve` on loopback, for black-box tests."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ivr(env: dict, *args: str) -> subprocess.CompletedProcess:
    """Run `ivr ARGS` and insist that it succeeds."""
    done = subprocess.run([sys.executable, "-m", "ivr", *args], env=env, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done


@contextmanager
def serving(env: dict, port: int, wait_s: float = 30.0) -> Iterator[str]:
    """Start `ivr serve` on a port, wait until /healthz answers, and stop it afterwards."""
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "ivr", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                if requests.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError("ivr serve did not come up:\n" + proc.stdout.read())
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
