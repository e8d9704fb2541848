"""Meter-reading hotline: Twilio webhooks, offline speech, supervisor console."""
from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from flask import Flask

__version__ = "0.1.0"

log = logging.getLogger("ivr")


def create_app(config: dict | None = None) -> Flask:
    """Create the hotline app: storage, speech, webhooks and console."""
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    from ivr.config import from_env

    app.config.update(from_env(app.instance_path))
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))

    from ivr import console, health
    from ivr.flows import regions
    from ivr.speech import service as speech
    from ivr.store import database
    from ivr.telephony import webhooks

    database.init_app(app)
    regions.init_app(app)
    speech.init_app(app)
    webhooks.init_app(app)
    health.init_app(app)
    console.init_app(app)
    console.trust_proxies(app)
    return app


def _instance_secret(instance: Path) -> str:
    """Keep one secret per instance folder, so every worker signs sessions alike."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        os.chmod(path, 0o600)
    return path.read_text().strip()
