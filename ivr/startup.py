"""Start-up: a bad setting, an unreachable database or an old schema stop the start in one line."""
from __future__ import annotations

import logging
import sys
from typing import NoReturn

from flask import Flask

from ivr.settings import ConfigError
from ivr.store.migrate import StartupError

log = logging.getLogger(__name__)
# What stops the start: each message names the variable or the fix, so no traceback is needed.
ERRORS = (ConfigError, StartupError)
# gunicorn halts ("App failed to load.") when a worker exits with this code, instead of booting
# worker after worker on the same bad setting.
APP_LOAD_ERROR = 4


def serving_app() -> Flask:
    """The app for gunicorn, checked ready to take calls."""
    from ivr import create_app

    app = create_app()
    ready(app)
    return app


def ready(app: Flask) -> None:
    """Check that the database answers with this build's schema, and say whether calls are taken."""
    from ivr.runtime import config
    from ivr.store.database import engine
    from ivr.store.migrate import check_ready

    with app.app_context():
        check_ready()
        engine().dispose()  # gunicorn --preload forks the workers from here: none may share a connection
    settings = config(app)
    if not settings.takes_calls:
        log.error("TWILIO_AUTH_TOKEN is not set and IVR_DEMO is off: every webhook answers 503 "
                  "until it is set (or IVR_DEMO=1, for a demo)")  # fmt: skip
    elif not settings.signed:
        log.warning("demo mode: webhooks are taken without TWILIO_AUTH_TOKEN, their signatures "
                    "NOT checked")  # fmt: skip


def stop(error: Exception, code: int = 1) -> NoReturn:
    """Say what is wrong in one line, `ivr: ...`, and exit."""
    print(f"ivr: {error}", file=sys.stderr, flush=True)
    raise SystemExit(code)
