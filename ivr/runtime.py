"""What the app holds once built: settings, sessions, speech, windows, the services, the streams' cap
and the outbox's deliverer.

The composition root (`ivr/app.py`) builds it once and hands its parts to the blueprints and services;
importing this module loads none of them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy.orm import sessionmaker

    from ivr.calls import CallService
    from ivr.calls.messages import MessageService
    from ivr.calls.outbox import Deliverer
    from ivr.clock import Clock
    from ivr.config import Config
    from ivr.flows import Regions
    from ivr.speech.service import Speech

KEY = "ivr"


@dataclass(frozen=True)
class Runtime:
    config: Config
    sessions: sessionmaker
    speech: Speech
    regions: Regions
    calls: CallService
    messages: MessageService  # every text channel of the registry
    clock: Clock  # the one clock; tests and QA replays set its source so windows are deterministic
    streams: threading.BoundedSemaphore  # the media streams this process may hold open at once
    outbox: Deliverer  # sends the notices waiting in the outbox (`ivr outbox send`), never a web worker


def runtime(app: Flask | None = None) -> Runtime:
    """The app's runtime, for what builds the app (the CLI's app context, `ivr serve`, wsgi.py, the QA
    tools) and for tests; everything else is handed its parts."""
    from flask import current_app

    return (app or current_app).extensions[KEY]
