"""Meter-reading hotline: Twilio webhooks, offline speech, supervisor console.

Importing the package loads nothing else: `create_app` is built by the composition root, `ivr/app.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

__version__ = "0.1.0"


def create_app(config: dict | None = None) -> Flask:
    """Create the hotline app: settings, storage, speech, webhooks and console (`ivr.app.create_app`)."""
    from ivr.app import create_app as build

    return build(config)


def warn_if_refusing_calls(app: Flask) -> None:
    """Log that the webhooks refuse every call (`ivr.app.warn_if_refusing_calls`)."""
    from ivr.app import warn_if_refusing_calls as warn

    warn(app)
