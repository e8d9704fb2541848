"""Liveness and readiness: /healthz/live, /healthz/ready, and /healthz (readiness, with the details).

Live means the process answers; a restart is the cure only when it does not. Ready means it can take a
call now: the database answers, every configured speech model is loaded, caller audio can be stored,
and the webhooks take calls (a Twilio token, or demo mode). A load balancer sends calls only to ready
nodes.
"""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify
from sqlalchemy import text

from ivr import __version__, recordings
from ivr.runtime import runtime
from ivr.store import database

bp = Blueprint("health", __name__)


def intake() -> str:
    """Whether the webhooks take calls, and how they are protected."""
    config = runtime().config
    if config.signed:
        return "signed"
    if config.demo:
        return "demo: webhooks are not signature-checked"
    return "refusing calls: TWILIO_AUTH_TOKEN is not set"


@bp.get("/healthz/live")
def live():  # noqa: ANN201
    """The process answers requests: nothing else is asked."""
    return jsonify({"status": "ok", "version": __version__})


@bp.get("/healthz")
@bp.get("/healthz/ready")
def ready():  # noqa: ANN201
    """Report the database, each locale's speech model, the audio store, the call intake, the version."""
    db = _check(lambda: database.session().execute(text("SELECT 1")))
    speech = runtime().speech.status()
    storage = _check(_recordings_writable)
    # A model that is configured must be loaded; a locale without one runs on the keypad, by choice.
    models_ok = all(runtime().speech.has(locale) for locale in runtime().config.vosk_models)
    ok = db == "ok" and storage == "ok" and models_ok and runtime().config.takes_calls
    body = {"status": "ok" if ok else "error", "database": db, "twilio": intake(), "speech": speech,
            "storage": storage, "version": __version__}  # fmt: skip
    return jsonify(body), 200 if ok else 503


def _recordings_writable() -> None:
    """Caller audio can be kept: the store (folder or S3) takes a probe and gives it back."""
    recordings.store(runtime().config).check_writable()


def _check(probe) -> str:  # noqa: ANN001
    try:
        probe()
        return "ok"
    except Exception as e:  # noqa: BLE001 - any failure means not ready
        return f"error: {type(e).__name__}"


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
