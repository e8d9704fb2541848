"""Supervisor console: calls, transcripts with audio, flagged readings, dashboard, users."""
from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()

SECURITY_DEFAULTS = {
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 12 * 3600,  # one working shift
    "IVR_LOGIN_MAX_FAILURES": 5,
    "IVR_LOGIN_WINDOW_S": 15 * 60,
}


def init_app(app: Flask) -> None:
    """Mount the console at /console/ with logins, roles and CSRF protection."""
    from ivr.console import (  # noqa: F401 - the view modules register their routes
        auth, call_detail, call_list, dashboard, export, i18n, readings, users,
    )
    from ivr.console.blueprint import bp
    from ivr.telephony.webhooks import bp as webhooks

    for key, value in SECURITY_DEFAULTS.items():
        app.config.setdefault(key, value)
    csrf.init_app(app)
    csrf.exempt(webhooks)  # Twilio cannot send our token; its signature is checked instead
    auth.login_manager.init_app(app)
    i18n.init_blueprint(bp)
    app.register_blueprint(bp)
