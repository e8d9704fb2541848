"""`kill -9` the deliverer (a real `ivr outbox send --loop`) again and again while it sends notices to a
stand-in for Twilio's Messages API, restart it each time, and find every notice delivered; a second
copy only of a notice the provider had answered for when the kill came, and that was not yet marked
sent. The numbers go into docs/RELIABILITY.md."""

from __future__ import annotations

import os
import random
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from sqlalchemy import create_engine
from sqlalchemy import select as query

from ivr.calls import outbox
from ivr.store.models import Notice
from tests.conftest import ACCOUNT_SID, NOW, TOKEN
from tests.serving import ROOT

pytestmark = pytest.mark.both_databases

NOTICES = 150
KILLS = ("at random", "in flight", "after the answer") * 3  # how each run of the deliverer ends
LEASE_S = 4  # a dead deliverer's notice waits this long; its sends are cut at a third of it
STALL_S = 0.3  # how long the provider holds a request that the test kills in flight
DRAIN_S = 40.0  # the last run's time to deliver the rest


class Provider(ThreadingHTTPServer):
    """Twilio's Messages API, as far as the deliverer sees it: it takes a notice when it answers."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.delivered: Counter[str] = Counter()  # recipient -> copies the provider answered for
        self.dropped = 0  # requests whose sender was gone before the answer: never taken
        self.requests = 0
        self.first = threading.Event()  # a request came (in this run)
        self.stall = False  # hold the next request STALL_S ...
        self.stalled = threading.Event()  # ... and say when it is held
        self.kill_after_answer: int | None = None  # a pid to kill -9 right after the next answer

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: Provider

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        assert self.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json", self.path
        provider = self.server
        with provider.lock:
            provider.requests += 1
            stall, provider.stall = provider.stall, False
        provider.first.set()
        if stall:
            provider.stalled.set()
            threading.Event().wait(STALL_S)  # the test kills the deliverer meanwhile
            if gone(self.connection):
                with provider.lock:
                    provider.dropped += 1
                return
        with provider.lock:
            provider.delivered[form["To"][0]] += 1
            victim, provider.kill_after_answer = provider.kill_after_answer, None
        body = b'{"sid": "SM%032d"}' % provider.requests
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if victim is not None:
            os.kill(victim, signal.SIGKILL)

    def log_message(self, *args: object) -> None:
        pass


def gone(connection: socket.socket) -> bool:
    """Whether the other end closed (a killed process's sockets are closed by the kernel)."""
    readable, _, _ = select.select([connection], [], [], 0)
    return bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""


@pytest.fixture
def provider():
    server = Provider()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def deliverer(env: dict, log) -> subprocess.Popen:  # noqa: ANN001
    command = [sys.executable, "-m", "ivr", "outbox", "send", "--loop", "--lease", str(LEASE_S)]
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def test_every_notice_is_delivered_through_kills_and_only_a_kill_after_the_answer_sends_twice(
    db_url, provider, tmp_path, record_property
):
    engine = create_engine(db_url)

    def unsent() -> set[str]:
        with engine.connect() as conn:
            return set(conn.scalars(query(Notice.recipient).where(Notice.sent_at.is_(None))))

    with engine.begin() as conn:
        conn.execute(Notice.__table__.insert(), [
            {"channel": "sms", "recipient": f"+7916{n:07d}", "text": f"notice {n}", "kind": outbox.Kind.EXPIRED,
             "created_at": NOW, "due_at": NOW, "attempts": 0} for n in range(NOTICES)])  # fmt: skip
    env = {**os.environ, "IVR_DATABASE_URL": db_url, "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": TOKEN,
           "IVR_TWILIO_FROM": "+74950000000", "IVR_TWILIO_API_URL": provider.base}  # fmt: skip
    rng = random.Random(os.environ.get("IVR_TEST_SEED", "kill"))
    windows: Counter[str] = Counter()  # recipient -> kills that fell after its answer, before its commit
    duplicates_by_kill: Counter[str] = Counter()
    with open(tmp_path / "deliverer.log", "wb") as log:
        for kind in KILLS:
            with provider.lock:
                before = Counter(provider.delivered)
            provider.first.clear()
            proc = deliverer(env, log)
            if kind == "at random":
                assert provider.first.wait(30), "the deliverer sent nothing"
                threading.Event().wait(rng.uniform(0, 0.25))
                proc.kill()
            elif kind == "in flight":
                provider.stalled.clear()
                provider.stall = True
                assert provider.stalled.wait(30), "the deliverer sent nothing"
                proc.kill()
            else:
                assert provider.first.wait(30), "the deliverer sent nothing"
                provider.kill_after_answer = proc.pid
            proc.wait(timeout=30)
            assert proc.returncode == -signal.SIGKILL, f"the deliverer ended by itself ({kind})"
            with provider.lock:  # answered for in this run, and not marked sent when it died
                answered = set(provider.delivered - before)
            caught = answered & unsent()
            windows.update(caught)
            duplicates_by_kill[kind] += len(caught)
        proc = deliverer(env, log)  # the last restart delivers the rest
        try:
            deadline = time.monotonic() + DRAIN_S
            while unsent() and time.monotonic() < deadline and proc.poll() is None:
                threading.Event().wait(0.2)
        finally:
            proc.terminate()  # as systemd stops it: between two notices
            stopped = proc.wait(timeout=30)
    with engine.connect() as conn:
        rows = conn.execute(query(Notice.recipient, Notice.sent_at, Notice.failed_at, Notice.attempts)).all()
    engine.dispose()
    copies = dict(provider.delivered)
    duplicates = sum(copies.values()) - len(copies)
    numbers = {"runs": len(KILLS) + 1, "kills": len(KILLS), "notices": NOTICES, "requests": provider.requests,
               "dropped in flight": provider.dropped, "duplicates": duplicates,
               "duplicates by kill": dict(duplicates_by_kill)}  # fmt: skip
    print(f"\nkill test on {db_url.split(':')[0]}: {numbers}")
    record_property("outbox_kill", numbers)
    assert [r for r in rows if r.sent_at is None or r.failed_at is not None] == [], (
        tmp_path / "deliverer.log"
    ).read_text()
    assert sorted(copies) == sorted(r.recipient for r in rows)  # every notice reached the provider
    # A notice went out again exactly once for each kill that fell between its answer and its commit.
    assert {to: n - 1 for to, n in copies.items() if n > 1} == dict(windows), numbers
    assert provider.dropped >= KILLS.count("in flight")  # the kills in flight came while a request was held
    assert stopped == 0  # SIGTERM ends the loop cleanly
