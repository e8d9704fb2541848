"""Supervisor console: calls, transcripts with audio, flagged readings, dashboard, users."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()

# Always on: browsers keep Secure cookies from http://localhost too, and anything else needs TLS.
SESSION_COOKIE = {
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
}


def init_app(app: Flask) -> None:
    """Mount the console at /console/ with logins, roles and CSRF protection."""
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
    from ivr.console.blueprint import bp

    app.config.update(SESSION_COOKIE)
    csrf.init_app(app)
    auth.login_manager.init_app(app)
    app.register_blueprint(bp)
