"""The soak's nodes (benchmarks/soak.py) and what is done to them: workers killed, database sessions
terminated, a node stopped and started again on its port; memory and CPU sampled by pid."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.deployment.topology import node
from tests.serving import free_port

TICKS = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def rss_mb(pid: int) -> float | None:
    """VmRSS in MB; None once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def stat(pid: int) -> tuple[float, int] | None:
    """(CPU seconds used, start time in ticks since boot) of a process; None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS, int(fields[19])


class Node:
    """One gunicorn node of the deployment, on a port of its own that it keeps across a restart."""

    def __init__(self, env: dict, name: str, folder: Path, threads: int) -> None:
        self.env, self.name, self.folder, self.port = env, name, folder, free_port()
        self.options = ("--preload", "-w", "2", "-k", "gthread", "--threads", str(threads),
                        "--pid", str(folder / "master.pid"))  # fmt: skip
        self.masters: list[int] = []
        self.running = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self.running = node(self.env, self.name, self.folder, self.options, port=self.port)
        self.running.__enter__()
        self.masters.append(int((self.folder / "master.pid").read_text()))

    def stop(self) -> None:
        running, self.running = self.running, None
        if running:
            running.__exit__(None, None, None)

    def workers(self) -> list[int]:
        return children(self.masters[-1]) if self.running else []


class Watch:
    """Memory and CPU of every master and worker, sampled every `every_s` seconds, and what was done."""

    def __init__(self, nodes: list[Node], started: float, others, every_s: float = 15.0) -> None:  # noqa: ANN001
        """`others()`: the soak's other processes ({pid: role}), whose CPU is counted too."""
        self.nodes, self.started, self.others, self.every_s = nodes, started, others, every_s
        self.rss: dict[int, list[tuple[float, float]]] = {}  # pid: [(seconds into the run, MB)]
        self.role: dict[int, str] = {}  # pid: "master a", "worker b"
        self.cpu: dict[int, float] = {}  # pid: CPU seconds at its last sample
        self.events: list[str] = []
        self.stop = threading.Event()

    def at(self) -> float:
        return time.monotonic() - self.started

    def sample(self) -> None:
        for n in self.nodes:
            for pid, role in [(m, "master") for m in n.masters[-1:] if n.running] + [
                (w, "worker") for w in n.workers()
            ]:
                mb, used = rss_mb(pid), stat(pid)
                if mb is not None and used is not None:
                    self.rss.setdefault(pid, []).append((self.at(), mb))
                    self.role[pid], self.cpu[pid] = f"{role} {n.name}", used[0]
        for pid, role in self.others().items():
            if used := stat(pid):
                self.role[pid], self.cpu[pid] = role, used[0]

    def note(self, what: str) -> None:
        self.events.append(f"{self.at():.0f} s: {what}")
        print(f"[soak] {self.events[-1]}", flush=True)

    def loop(self) -> None:
        while not self.stop.wait(self.every_s):
            self.sample()


def kill_youngest_worker(n: Node, watch: Watch) -> None:
    """kill -9 the node's most recently forked worker, so that the oldest lives the whole run."""
    workers = [(stat(w)[1], w) for w in n.workers() if stat(w)]
    if not workers:
        watch.note(f"node {n.name}: no worker to kill")
        return
    victim = max(workers)[1]
    os.kill(victim, signal.SIGKILL)
    began = time.monotonic()
    while time.monotonic() - began < 60 and (len(n.workers()) < 2 or victim in n.workers()):
        time.sleep(0.05)
    watch.note(f"kill -9 worker {victim} of node {n.name}; replaced after {time.monotonic() - began:.1f} s")


def socket_ports(pids: list[int], server_port: int) -> set[int]:
    """The local ports of the TCP connections these processes hold to a server port on loopback."""
    ports: set[int] = set()
    for pid in pids:
        try:
            inodes = {os.readlink(f"/proc/{pid}/fd/{fd}")[8:-1] for fd in os.listdir(f"/proc/{pid}/fd")}
            table = Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]
        except OSError:
            continue
        for row in table:
            fields = row.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if int(remote.split(":")[1], 16) == server_port and inode in inodes:
                ports.add(int(local.split(":")[1], 16))
    return ports


def terminate_sessions(n: Node, database_url: str, watch: Watch) -> None:
    """pg_terminate_backend on every database session the node's workers hold."""
    url = make_url(database_url)
    ports = socket_ports(n.workers(), url.port or 5432)
    engine = create_engine(url)
    with engine.connect() as conn:
        ended = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                  "WHERE datname = current_database() AND client_port = ANY(:ports)"),
                             {"ports": sorted(ports)}).scalar()  # fmt: skip
    engine.dispose()
    watch.note(
        f"pg_terminate_backend: {ended} database sessions of node {n.name} ({len(ports)} sockets seen)"
    )


def restart(n: Node, watch: Watch) -> None:
    began = time.monotonic()
    n.stop()
    stopped = time.monotonic() - began
    n.start()
    watch.note(f"node {n.name} stopped (SIGTERM, {stopped:.1f} s) and started again on its port "
               f"(ready after {time.monotonic() - began:.1f} s in all)")  # fmt: skip
