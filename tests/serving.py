"""Run the `ivr` command, a real `ivr serve` and gunicorn on loopback, for black-box tests."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]  # the checkout, where wsgi.py is


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
        _wait_until_healthy(base, proc, wait_s, lambda: proc.stdout.read())
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def gunicorn_command(port: int, *options: str) -> list[str]:
    """`gunicorn [options] -b 127.0.0.1:port wsgi:app`, run from the checkout."""
    from gunicorn.config import KNOWN_SETTINGS

    # gunicorn 24+ opens a control socket in ~/.gunicorn: servers of tests running side by side
    # must not share it.
    names = {setting.name for setting in KNOWN_SETTINGS}
    private = ["--no-control-socket"] if "control_socket_disable" in names else []
    return [sys.executable, "-m", "gunicorn", *private, *options, "-b", f"127.0.0.1:{port}", "wsgi:app"]


@contextmanager
def gunicorn(env: dict, port: int, logs: Path, wait_s: float = 60.0,
             healthy: bool = True) -> Iterator[str]:  # fmt: skip
    """The production shape: `gunicorn --preload -w 2 wsgi:app`, its error and access logs and its
    stderr written into the folder `logs` (error.log, access.log, stderr.log); stopped afterwards."""
    base = f"http://127.0.0.1:{port}"
    command = gunicorn_command(port, "--preload", "-w", "2", "--access-logfile", str(logs / "access.log"),
                               "--error-logfile", str(logs / "error.log"))  # fmt: skip
    env = {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))}
    with (logs / "stderr.log").open("w") as stderr:
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=stderr, stderr=subprocess.STDOUT)
        try:
            _wait_until_healthy(base, proc, wait_s, lambda: (logs / "stderr.log").read_text(), healthy)
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def _wait_until_healthy(base: str, proc: subprocess.Popen, wait_s: float, output,
                        healthy: bool = True) -> None:  # noqa: ANN001  # fmt: skip
    """Wait for /healthz to answer 200, or to answer at all when the server is not meant to be healthy."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            if requests.get(base + "/healthz", timeout=1).status_code == 200 or not healthy:
                return
        except requests.ConnectionError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the server did not come up:\n" + output())
        time.sleep(0.1)
