"""What metrics cost a webhook: the instrumentation of one keypad answer against the answer itself.

    python benchmarks/metrics.py [DATABASE_URL]

Runs in prometheus_client's multiprocess mode, as under gunicorn (values in mmapped files). In one
run, interleaved: rounds of keypad calls through the app (greeting, intent, address, reading,
confirmation), and rounds of exactly the metric updates those five webhooks make (five request
timings, five answers, one reading, one call end). Prints both per webhook, and their ratio.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="ivr-metrics-bench-"))

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.statements import BASE, TOKEN, hotline  # noqa: E402
from ivr import metrics  # noqa: E402
from ivr.qa.driver import FlaskTransport, TwilioCall  # noqa: E402

ROUNDS, CALLS = 10, 20


def one_call(app) -> None:  # noqa: ANN001
    call = TwilioCall(FlaskTransport(app), BASE, caller="+79161234567", token=TOKEN)
    call.dial(), call.press("1"), call.press("1"), call.press("1100#"), call.press("1")
    call.hangup()


def instrumentation() -> None:
    """The metric updates of one keypad call's webhooks."""
    for route in ("telephony.voice", "telephony.answer", "telephony.answer", "telephony.answer",
                  "telephony.answer", "telephony.status"):  # fmt: skip
        metrics.webhook_seconds.labels(route).observe(0.01)
    for question in ("intent", "address", "reading", "confirm"):
        metrics.answers.labels(question, "keys").inc()
    metrics.reading_stored("ivr", "accepted", [])
    metrics.calls_ended.labels("completed", "none").inc()


def main(url: str) -> None:
    app = hotline(url)
    calls, updates = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(CALLS):
            one_call(app)
        calls.append((time.perf_counter() - started) / CALLS / 6)
        started = time.perf_counter()
        for _ in range(CALLS * 100):
            instrumentation()
        updates.append((time.perf_counter() - started) / (CALLS * 100) / 6)
    call_ms, metric_ms = statistics.median(calls) * 1000, statistics.median(updates) * 1000
    print(f"webhook, whole:            {call_ms:.3f} ms (median of {ROUNDS} rounds of {CALLS} calls)")
    print(f"its metric updates:        {metric_ms * 1000:.1f} µs")
    print(f"share of the webhook:      {metric_ms / call_ms:.2%}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
