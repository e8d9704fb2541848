"""GET /metrics for Prometheus, and the time every request takes, by route."""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable

from flask import Blueprint, Flask, Response, g, request

from ivr import logs, metrics
from ivr.config import Config

log = logging.getLogger(__name__)
# A media stream's request lasts its whole call: it is no webhook latency.
UNTIMED = {"media.stream", "monitoring.scrape", "static"}


def _started() -> None:
    g.ivr_started = time.perf_counter()
    # Every log line of a Twilio request names its call or message (IVR_LOG_FORMAT=json shows it).
    sid = request.values.get("CallSid") or request.values.get("MessageSid")
    logs.CONVERSATION.set(sid[:64] if sid else None)


def _finished(_exc: BaseException | None) -> None:
    # A set, not a reset: teardown also runs in the webhook's worker thread, in a copy of the context.
    logs.CONVERSATION.set(None)
    started = g.pop("ivr_started", None)
    route = request.url_rule.endpoint if request.url_rule else "unmatched"
    if started is not None and route not in UNTIMED:
        metrics.webhook_seconds.labels(route).observe(time.perf_counter() - started)


def _outbox(backlog: Callable[[], dict[str, int]]) -> bytes:
    """The outbox's notices by state (the composition root hands over how to count them)."""
    try:
        return metrics.outbox(backlog())
    except Exception as error:  # noqa: BLE001 - a database down must not cost the other metrics
        log.warning("/metrics: the outbox could not be read (%s)", type(error).__name__)
        return b""


def init_app(app: Flask, config: Config, backlog: Callable[[], dict[str, int]]) -> None:
    bp = Blueprint("monitoring", __name__)
    token = config.metrics_token

    @bp.get("/metrics")
    def scrape() -> Response:
        """Every worker's metrics; with IVR_METRICS_TOKEN, only for a request that bears the token."""
        if token:
            scheme, _, given = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
                return Response("a bearer token is needed\n", 401, {"WWW-Authenticate": "Bearer"},
                                mimetype="text/plain")  # fmt: skip
        return Response(metrics.exposition() + _outbox(backlog), mimetype="text/plain; version=0.0.4")

    app.register_blueprint(bp)
    app.before_request(_started)
    app.teardown_request(_finished)
    if not token:  # a choice for a private network, not a fault
        log.info("IVR_METRICS_TOKEN is not set: /metrics answers anyone who can reach it")
