"""Supervisor console: calls, transcripts with audio, flagged readings, dashboard, users."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask
from flask_wtf.csrf import CSRFProtect

if TYPE_CHECKING:
    from ivr.console.parts import ConsoleParts

csrf = CSRFProtect()

# Always on: browsers keep Secure cookies from http://localhost too, and anything else needs TLS.
SESSION_COOKIE = {
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
}


def init_app(app: Flask, parts: ConsoleParts) -> None:
    """Mount the console at /console/ with logins, roles and CSRF protection; its pages use `parts`."""
    from ivr.console import (  # noqa: F401 - the view modules register their routes
        auth,
        call_detail,
        call_list,
        dashboard,
        export,
        imports,
        messages,
        readings,
        users,
    )
    from ivr.console.blueprint import blueprint

    app.config.update(SESSION_COOKIE)
    csrf.init_app(app)
    logins = auth.logins(parts)
    logins.init_app(app)
    app.register_blueprint(blueprint(parts, logins))
