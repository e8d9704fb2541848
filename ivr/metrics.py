"""The hotline's Prometheus metrics: what a hotline manager watches (docs/DESIGN.md, "Observability").

Under gunicorn every worker is a process of its own, so the values live in prometheus_client's
multiprocess files (PROMETHEUS_MULTIPROC_DIR, set up by gunicorn.conf.py before any worker starts)
and `/metrics` adds them up. Without that folder (`ivr serve`, tests) they live in this process.

Labels are bounded and carry no personal data: route names, question names, outcomes, flags, channels.
Counts that belong to a transaction are made after its commit, so a retried transaction counts once.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

# Webhooks answer in tens of milliseconds; Twilio gives up at 15 s.
WEBHOOK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15)
SPEECH_BUCKETS = (0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5)

calls_ended = Counter("ivr_calls_ended_total", "Calls ended, by outcome and transfer reason",
                      ["outcome", "reason"])  # fmt: skip
webhook_seconds = Histogram("ivr_webhook_duration_seconds", "Time to answer a request, by route",
                            ["route"], buckets=WEBHOOK_BUCKETS)  # fmt: skip
recognition_seconds = Histogram("ivr_recognition_duration_seconds", "Time to recognise one answer "
                                "(recorded or streamed)", buckets=SPEECH_BUCKETS)  # fmt: skip
answers = Counter("ivr_answers_total", "Answers to each question, by outcome (answered, no-input, "
                  "no-match, keys, ...)", ["question", "outcome"])  # fmt: skip
readings_stored = Counter("ivr_readings_stored_total", "Readings stored, by channel, status and flag "
                          "(flag 'none' for a clean reading)", ["channel", "status", "flag"])  # fmt: skip
messages = Counter("ivr_messages_total", "Text messages taken, by channel and what came of them",
                   ["channel", "status"])  # fmt: skip
notices = Counter("ivr_notices_total", "Outbox notices by channel and kind: sent, retried (failed for "
                  "now, tried again later) or failed (given up)", ["channel", "kind", "outcome"])  # fmt: skip
login_failures = Counter("ivr_console_login_failures_total", "Failed console logins (wrong password, "
                         "or refused by the throttle)", ["reason"])  # fmt: skip
streams_active = Gauge("ivr_streams_active", "Media streams open now", multiprocess_mode="livesum")
end_of_speech_seconds = Histogram("ivr_end_of_speech_seconds", "Streamed answer: the end of speech "
                                  "heard to the live call moved on", buckets=SPEECH_BUCKETS)  # fmt: skip


def exposition() -> bytes:
    """Every worker's metrics in the text format, added up across processes when there are several."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        from prometheus_client import REGISTRY

        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=folder)
    return generate_latest(registry)


def outbox(counts: dict[str, int]) -> bytes:
    """The outbox's notices by state, read from the database at each scrape: the deliverer that
    counts ivr_notices_total is a process of its own, outside gunicorn's metrics folder."""
    registry = CollectorRegistry()
    gauge = Gauge("ivr_outbox_notices", "Notices in the outbox: waiting to be sent, or given up (failed)",
                  ["state"], registry=registry)  # fmt: skip
    for state, count in counts.items():
        gauge.labels(state).set(count)
    return generate_latest(registry)


def reading_stored(channel: str, status: str, flags: list[str]) -> None:
    for flag in flags or ["none"]:
        readings_stored.labels(channel, status, flag).inc()
