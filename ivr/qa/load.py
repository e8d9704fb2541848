"""Load mode: repeat cases as concurrent calls against a loopback server, bounded in count and time."""

from __future__ import annotations

import ipaddress
import itertools
import socket
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ivr.qa.cases import Case
from ivr.qa.driver import HttpTransport
from ivr.qa.replay import run_case
from ivr.qa.targets import Remote

MAX_CONCURRENCY = 500
MAX_DURATION_S = 600.0
MAX_CALLS = 100_000


class NotLoopback(ValueError):
    """Load is only ever sent to this machine."""


def check_loopback(url: str) -> None:
    """Refuse a URL whose host resolves to anything but loopback addresses."""
    host = urlsplit(url).hostname
    if not host:
        raise NotLoopback(f"{url}: no host")
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror as error:
        raise NotLoopback(f"{host}: cannot resolve: {error}") from error
    outside = sorted(a for a in addresses if not ipaddress.ip_address(a.split("%")[0]).is_loopback)
    if outside:
        raise NotLoopback(f"{host} resolves to {', '.join(outside)}: load mode sends traffic "
                          "to loopback only (127.0.0.0/8, ::1)")  # fmt: skip


@dataclass
class LoadStats:
    """What every webhook of every call cost, shared by the worker threads."""

    latencies: list[float] = field(default_factory=list)
    voice: list[float] = field(default_factory=list)  # the webhooks that carried a recording
    errors: Counter = field(default_factory=Counter)
    calls: int = 0
    mismatched: int = 0  # calls that ran but did not go as their case expects
    lock: threading.Lock = field(default_factory=threading.Lock)

    def webhook(self, seconds: float, error: str | None, voice: bool) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if voice:
                self.voice.append(seconds)
            if error:
                self.errors[error] += 1


class MeteredTransport:
    """Time each webhook and count failures; pause before each answer as a listening caller would,
    and wait out a reply's <Pause> as Twilio does before the <Redirect> after it."""

    def __init__(self, stats: LoadStats, think: float) -> None:
        self.inner = HttpTransport()
        self.stats, self.think = stats, think
        self.first = True
        self.pause = 0.0

    def post(self, url: str, params: dict, headers: dict) -> tuple[int, str]:
        if not self.first:
            time.sleep(max(self.think, self.pause))
        self.first = False
        voice = bool(params.get("RecordingUrl"))
        # A fresh connection per webhook, as seconds apart they come: a kept-alive one idle past
        # the server's keep-alive timeout (gunicorn: 2 s) may be closed as the next request goes.
        headers = {**headers, "Connection": "close"}
        started = time.perf_counter()
        try:
            status, body = self.inner.post(url, params, headers)
        except Exception as error:
            self.stats.webhook(time.perf_counter() - started, type(error).__name__, voice)
            raise
        error = None if status < 400 else f"HTTP {status}"
        self.stats.webhook(time.perf_counter() - started, error, voice)
        self.pause = paused(body)
        return status, body


def paused(body: str) -> float:
    """Seconds of <Pause> in a TwiML reply (a retry after an error waits so before coming back)."""
    try:
        return sum(float(p.get("length", "1")) for p in ET.fromstring(body).iter("Pause"))
    except (ET.ParseError, ValueError):
        return 0.0


class LoadTarget(Remote):
    """A Remote whose calls go through metered transports."""

    def __init__(self, url: str, recordings, stats: LoadStats, think: float) -> None:  # noqa: ANN001
        super().__init__(url, recordings)
        self.stats, self.think = stats, think

    def notes(self, case: Case) -> list[str]:
        return []

    def transport(self) -> MeteredTransport:
        return MeteredTransport(self.stats, self.think)


@dataclass(frozen=True)
class Percentiles:
    count: int
    p50: float
    p95: float
    p99: float
    worst: float

    @classmethod
    def of(cls, latencies: list[float]) -> Percentiles:
        ordered = sorted(latencies) or [0.0]

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

        return cls(len(latencies), pct(50), pct(95), pct(99), ordered[-1])

    def __str__(self) -> str:
        ms = [f"{s * 1000:.0f} ms" for s in (self.p50, self.p95, self.p99, self.worst)]
        return "p50 {}, p95 {}, p99 {}, max {}".format(*ms)


@dataclass(frozen=True)
class LoadReport:
    concurrency: int
    seconds: float
    calls: int
    mismatched: int
    errors: dict[str, int]
    webhooks: Percentiles
    voice: Percentiles

    def lines(self) -> list[str]:
        errors = ", ".join(f"{n} {kind}" for kind, n in self.errors.items()) or "0"
        lines = [
            f"calls: {self.calls} in {self.seconds:.1f} s ({self.calls / self.seconds:.1f} calls/s) "
            f"at {self.concurrency} concurrent; {self.mismatched} went otherwise than their case",
            f"webhooks: {self.webhooks.count} ({self.webhooks.count / self.seconds:.1f}/s); "
            f"latency {self.webhooks}",
        ]
        if self.voice.count:
            lines.append(f"  of which with a recording: {self.voice.count}; latency {self.voice}")
        return [*lines, f"errors: {errors}"]


def run_load(cases: list[Case], target: LoadTarget, concurrency: int, duration: float,
             max_calls: int = MAX_CALLS) -> LoadReport:  # fmt: skip
    """Keep `concurrency` calls going until the time or the call count runs out."""
    check_loopback(target.mode)
    if not 1 <= concurrency <= MAX_CONCURRENCY or not 0 < duration <= MAX_DURATION_S:
        raise ValueError(f"concurrency 1..{MAX_CONCURRENCY} and duration up to {MAX_DURATION_S:.0f} s")
    playable = [c for c in cases if target.skip_reason(c) is None]
    if not playable:
        raise ValueError("no case can be played against a URL (say_text cases cannot)")
    stats, order = target.stats, itertools.count()
    started = time.perf_counter()
    deadline = started + duration

    def caller(number: int) -> None:
        time.sleep(number * target.think / concurrency)  # spread the first dials over a pause
        while time.perf_counter() < deadline:
            n = next(order)
            if n >= max_calls:
                return
            result = run_case(playable[n % len(playable)], target)
            with stats.lock:
                stats.calls += 1
                stats.mismatched += not result.passed

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="load") as pool:
        for future in [pool.submit(caller, n) for n in range(concurrency)]:
            future.result()
    seconds = time.perf_counter() - started
    return LoadReport(concurrency, seconds, stats.calls, stats.mismatched, dict(stats.errors),
                      Percentiles.of(stats.latencies), Percentiles.of(stats.voice))  # fmt: skip
