"""The console's settings, with their defaults in this one place."""

from __future__ import annotations

from flask import Flask, current_app

DEFAULTS: dict[str, object] = {
    "IVR_LOGIN_MAX_FAILURES": 5,  # failed logins per user name, from any address, per window
    "IVR_LOGIN_WINDOW_S": 15 * 60,
    "IVR_TRUSTED_PROXIES": 0,  # reverse proxies in front of the app whose X-Forwarded-For counts
    "IVR_TIMEZONE": "Europe/Moscow",  # stored times are UTC; supervisors see this zone's
}


def setting(name: str, app: Flask | None = None) -> object:
    """A console setting from the app's configuration, or its default, of the default's type."""
    default = DEFAULTS[name]
    value = (app or current_app).config.get(name)
    return default if value in (None, "") else type(default)(value)
