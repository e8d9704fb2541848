"""Download a caller's Twilio recording, safely and within the webhook's time."""
from __future__ import annotations

import time
from collections.abc import Mapping
from urllib.parse import urlsplit

import requests

DEFAULT_PREFIXES = ("https://api.twilio.com/",)
MAX_BYTES = 2 * 1024 * 1024  # a minute of 16 kHz 16-bit audio is 1.9 MB
# Twilio gives up on a webhook after 15 s; recognition and the reply need the rest.
BUDGET_S = 6.0
FIRST_BACKOFF_S = 0.25


class RecordingError(Exception):
    """The recording could not be fetched; the flow asks again."""


def fetch_recording(url: str, config: Mapping) -> bytes:
    """Fetch a RecordingUrl as WAV bytes, or raise RecordingError."""
    prefixes = config.get("IVR_RECORDING_URL_PREFIXES") or DEFAULT_PREFIXES
    if isinstance(prefixes, str):
        prefixes = [p.strip() for p in prefixes.split(",") if p.strip()]
    if not url or not any(url.startswith(prefix) for prefix in prefixes) or any(c.isspace() for c in url):
        raise RecordingError(f"recording URL refused: {redact(url)} starts with none of {', '.join(prefixes)}")
    max_bytes = int(config.get("IVR_RECORDING_MAX_BYTES") or MAX_BYTES)
    deadline = time.monotonic() + float(config.get("IVR_RECORDING_BUDGET_S") or BUDGET_S)
    sid, token = config.get("TWILIO_ACCOUNT_SID"), config.get("TWILIO_AUTH_TOKEN")
    auth = (sid, token) if sid and token else None
    backoff, tries = FIRST_BACKOFF_S, 0
    while True:
        tries += 1
        body = _get(url, auth, max_bytes, deadline)
        if body is not None:
            return body
        # 404: Twilio may post the action before the file is stored; wait and ask again.
        if time.monotonic() + backoff >= deadline:
            raise RecordingError(f"recording {redact(url)} still missing (404) after {tries} tries")
        time.sleep(backoff)
        backoff *= 2


def _get(url: str, auth: tuple[str, str] | None, max_bytes: int, deadline: float) -> bytes | None:
    """GET once, streaming under the size cap and the deadline; None means 404."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise RecordingError(f"recording {redact(url)}: no time left in the budget")
    try:
        with requests.get(
            url,
            auth=auth,
            headers={"Accept": "audio/wav, audio/x-wav"},
            allow_redirects=False,  # credentials must not follow a redirect to another host
            stream=True,
            timeout=(min(remaining, 3.0), remaining),
        ) as response:
            if response.status_code == 404:
                return None
            if response.is_redirect or 300 <= response.status_code < 400:
                raise RecordingError(f"recording {redact(url)} redirected (HTTP {response.status_code}); not followed")
            if response.status_code != 200:
                raise RecordingError(f"recording {redact(url)}: HTTP {response.status_code}")
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > max_bytes:
                raise RecordingError(f"recording {redact(url)} too big: {declared} bytes, cap {max_bytes}")
            body = bytearray()
            for block in response.iter_content(1 << 13):
                body += block
                if len(body) > max_bytes:
                    raise RecordingError(f"recording {redact(url)} too big: over the {max_bytes}-byte cap")
                if time.monotonic() > deadline:
                    raise RecordingError(f"recording {redact(url)}: download exceeded the time budget")
            return bytes(body)
    except requests.RequestException as error:
        raise RecordingError(f"recording {redact(url)} not fetched: {type(error).__name__}") from error


def redact(url: str) -> str:
    """Keep a URL's host and path for logs; drop user info and query."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{parts.path}"
