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
from ivr.config import Config
from ivr.runtime import Runtime
from ivr.store import database


def intake(config: Config) -> str:
    """Whether the webhooks take calls, and how they are protected."""
    if config.signed:
        return "signed"
    if config.demo:
        return "demo: webhooks are not signature-checked"
    return "refusing calls: TWILIO_AUTH_TOKEN is not set"


def _check(probe) -> str:  # noqa: ANN001
    try:
        probe()
        return "ok"
    except Exception as e:  # noqa: BLE001 - any failure means not ready
        return f"error: {type(e).__name__}"


def init_app(app: Flask, rt: Runtime) -> None:
    bp = Blueprint("health", __name__)
    config, speech = rt.config, rt.speech

    @bp.get("/healthz/live")
    def live():  # noqa: ANN202
        """The process answers requests: nothing else is asked."""
        return jsonify({"status": "ok", "version": __version__})

    @bp.get("/healthz")
    @bp.get("/healthz/ready")
    def ready():  # noqa: ANN202
        """Report the database, each locale's speech model, the audio store, the call intake, the version."""
        db = _check(lambda: database.session(rt.sessions).execute(text("SELECT 1")))
        storage = _check(lambda: recordings.store(config).check_writable())  # caller audio can be kept
        # A model that is configured must be loaded; a locale without one runs on the keypad, by choice.
        models_ok = all(speech.has(locale) for locale in config.vosk_models)
        ok = db == "ok" and storage == "ok" and models_ok and config.takes_calls
        body = {"status": "ok" if ok else "error", "database": db, "twilio": intake(config),
                "speech": speech.status(), "storage": storage, "version": __version__}  # fmt: skip
        return jsonify(body), 200 if ok else 503

    app.register_blueprint(bp)
