"""X-Twilio-Signature checks against IVR_PUBLIC_URL."""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
from urllib.parse import urlsplit, urlunsplit

from flask import abort, request
from twilio.request_validator import RequestValidator

from ivr.config import Config

log = logging.getLogger(__name__)


def public_url(settings: Config) -> str:
    """The URL Twilio called, as Twilio saw it: IVR_PUBLIC_URL + path + query."""
    base = settings.public_url
    if not base:
        return request.url
    query = request.query_string.decode()
    return base.rstrip("/") + request.path + (f"?{query}" if query else "")


def stream_url(base: str) -> str:
    """The media stream's address as Twilio is given it and signs it: IVR_PUBLIC_URL, wss scheme."""
    parts = urlsplit(base)
    scheme = "wss" if parts.scheme == "https" else "ws"  # ws only for a local test line
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") + "/twilio/stream", "", ""))


def stream_token(auth_token: str, sid: str) -> str:
    """The call's own key to its media stream: an HMAC of the CallSid under a key of the auth token's.

    The upgrade's signature is the same for every call (the URL never changes), so it cannot say
    which call a socket is for; this token, given to Twilio in the call's TwiML and sent back in the
    stream's `start`, does. The key is derived, so a token is never a Twilio signature of anything.
    """
    key = hmac.new(auth_token.encode(), b"ivr media stream token", hashlib.sha256).digest()
    return hmac.new(key, sid.encode(), hashlib.sha256).hexdigest()


def stream_token_matches(auth_token: str, sid: str, token: object) -> bool:
    """Whether a stream's token is the call's, compared in constant time."""
    given = token.encode() if isinstance(token, str) else b""
    return hmac.compare_digest(given, stream_token(auth_token, sid).encode())


def twilio_signed(settings: Config):  # noqa: ANN201
    """A decorator refusing, with 403 and no side effects, a webhook whose signature does not match."""

    def signed(view):  # noqa: ANN001, ANN202
        @functools.wraps(view)
        def checked(*args, **kwargs):  # noqa: ANN202
            if not settings.takes_calls:
                # Anyone could post a reading: without the token only a demo takes calls.
                log.error("refused %s: TWILIO_AUTH_TOKEN is not set and IVR_DEMO is off", request.path)
                abort(503)
            token = settings.auth_token
            if token:
                signature = request.headers.get("X-Twilio-Signature", "")
                params = request.form.to_dict(flat=True)
                if not RequestValidator(token).validate(public_url(settings), params, signature):
                    log.warning("refused a webhook with a bad signature on %s", request.path)
                    abort(403)
            return view(*args, **kwargs)

        return checked

    return signed
