"""Run the `ivr` command, a real `ivr serve` and gunicorn on loopback, for black-box tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]  # where wsgi.py is


def blank_database(kind: str, folder: Path, pg_url: Callable[[], str]) -> str:
    """An empty database for a server the test starts: a SQLite file in `folder`, or the worker's
    PostgreSQL database (`pg_url()`, asked only then) with its schema dropped."""
    if kind == "sqlite":
        return f"sqlite:///{folder / 'ivr.sqlite3'}"
    url = pg_url()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


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
def serving(env: dict, port: int, wait_s: float = 120.0) -> Iterator[str]:
    """Start `ivr serve` on a port, wait until /healthz answers, and stop it afterwards. The wait is
    long: loading a model on a loaded 2-core machine takes far more than its usual 2 s."""
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "ivr", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        if not healthy(base, proc, wait_s):
            proc.kill()
            raise AssertionError("ivr serve did not come up:\n" + proc.stdout.read())
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def healthy(base: str, proc: subprocess.Popen, wait_s: float) -> bool:
    """Wait until /healthz answers 200; False if the server died or the time ran out."""
    deadline = time.monotonic() + wait_s
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if requests.get(base + "/healthz", timeout=1).status_code == 200:
                return True
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    return False


@dataclass
class Gunicorn:
    """A running gunicorn: its URL, its master process and its log."""

    base: str
    master: subprocess.Popen
    log: Path

    def workers(self) -> list[int]:
        """The pids of the workers now running (the master forks them from its main thread)."""
        pid = self.master.pid
        return sorted(int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())


def no_control_socket() -> list[str]:
    """gunicorn 27 opens a control socket at one path in the home folder for every server: not here."""
    import gunicorn as package

    return ["--no-control-socket"] if package.version_info >= (27,) else []


@contextmanager
def gunicorn(env: dict, port: int, workers: int = 2, threads: int = 4,
             wait_s: float = 60.0) -> Iterator[Gunicorn]:  # fmt: skip
    """Serve wsgi:app of this checkout with gunicorn on loopback, as in production; log to a file."""
    log = Path(env["IVR_INSTANCE_DIR"]) / f"gunicorn-{port}.log"
    command = [sys.executable, "-m", "gunicorn", "--preload", "-w", str(workers), "--threads",
               str(threads), "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT), *no_control_socket(),
               "wsgi:app"]  # fmt: skip
    with log.open("w") as output:
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    server = Gunicorn(f"http://127.0.0.1:{port}", proc, log)
    try:
        deadline = time.monotonic() + wait_s
        if not healthy(server.base, proc, wait_s):
            proc.kill()
            raise AssertionError("gunicorn did not come up:\n" + log.read_text())
        while len(server.workers()) < workers and time.monotonic() < deadline:
            time.sleep(0.1)
        yield server
    finally:
        stop(proc)


def stop(proc: subprocess.Popen, wait_s: float = 30.0) -> None:
    """Ask a server to stop (SIGTERM), and kill it if it has not within wait_s."""
    proc.terminate()
    try:
        proc.wait(timeout=wait_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Relay:
    """A loopback TCP relay to a server's port that can go down and come back, as a restart does."""

    def __init__(self, target_port: int) -> None:
        self.port, self.target = free_port(), target_port
        self._listener: socket.socket | None = None
        self._links: list[socket.socket] = []

    def up(self) -> Relay:
        self._listener = socket.create_server(("127.0.0.1", self.port))  # SO_REUSEADDR: the same port
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()
        return self

    def down(self) -> None:
        """Refuse new connections and cut the open ones, as a server shutting down does."""
        for s in [self._listener, *self._links]:
            _close(s)
        self._links.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # the relay went down
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self._links += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        _close(sink)


def _close(s: socket.socket | None) -> None:
    if s is None:
        return
    try:
        s.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in accept() or recv()
    except OSError:
        pass
    s.close()


def gunicorn_command(port: int, *options: str) -> list[str]:
    """`gunicorn [options] -b 127.0.0.1:port wsgi:app`, run from the checkout."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        *no_control_socket(),
        *options,
        "-b",
        f"127.0.0.1:{port}",
        "wsgi:app",
    ]


@contextmanager
def gunicorn_logged(env: dict, port: int, logs: Path, wait_s: float = 60.0,
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
