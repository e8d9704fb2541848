"""GET /healthz: liveness and readiness of the database, the speech models and the call intake."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify
from sqlalchemy import text

from ivr import __version__
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


@bp.get("/healthz")
def healthz():  # noqa: ANN201
    """Report the database, each locale's speech model, the call intake and the version."""
    try:
        database.session().execute(text("SELECT 1"))
        db = "ok"
    except Exception as e:  # noqa: BLE001 - any failure means not ready
        db = f"error: {type(e).__name__}"
    ready = db == "ok" and runtime().config.takes_calls
    body = {"status": "ok" if ready else "error", "database": db, "twilio": intake(),
            "speech": runtime().speech.status(), "version": __version__}  # fmt: skip
    return jsonify(body), 200 if ready else 503


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
