"""GET /healthz: liveness and readiness of the database and the speech models."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy import text

from ivr import __version__
from ivr.store import database

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():  # noqa: ANN201
    """Report the database, each locale's speech model and the version."""
    try:
        database.session().execute(text("SELECT 1"))
        db = "ok"
    except Exception as e:  # noqa: BLE001 - any failure means not ready
        db = f"error: {type(e).__name__}"
    speech = current_app.extensions["ivr.speech"].status()
    body = {"status": "ok" if db == "ok" else "error", "database": db, "speech": speech,
            "version": __version__}  # fmt: skip
    return jsonify(body), 200 if db == "ok" else 503


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
