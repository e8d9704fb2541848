"""Download a caller's Twilio recording, safely and within the webhook's time."""

from __future__ import annotations

import time
from concurrent.futures import TimeoutError as FutureTimeout
from urllib.parse import urlsplit

import requests

from ivr.config import Config
from ivr.pools import pool

FIRST_BACKOFF_S = 0.25


class RecordingError(Exception):
    """The recording could not be fetched; the flow asks again."""


def fetch_recording(url: str, config: Config) -> bytes:
    """Fetch a RecordingUrl as WAV bytes within IVR_RECORDING_BUDGET_S, or raise RecordingError."""
    if not any(origin.allows(url) for origin in config.recording_origins) or any(c.isspace() for c in url):
        allowed = ", ".join(map(str, config.recording_origins))
        raise RecordingError(f"recording URL refused: {redact(url)} is not under {allowed}")
    deadline = time.monotonic() + config.recording_budget_s
    auth = (config.account_sid, config.auth_token) if config.account_sid and config.auth_token else None
    backoff, tries = FIRST_BACKOFF_S, 0
    while True:
        tries += 1
        body = _get(url, auth, config.recording_max_bytes, deadline)
        if body is not None:
            return body
        # 404: Twilio may post the action before the file is stored; wait and ask again.
        if time.monotonic() + backoff >= deadline:
            raise RecordingError(f"recording {redact(url)} still missing (404) after {tries} tries")
        time.sleep(backoff)
        backoff *= 2


def _get(url: str, auth: tuple[str, str] | None, max_bytes: int, deadline: float) -> bytes | None:
    """GET once under the size cap; None means 404. The deadline holds even for a trickling body."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise RecordingError(f"recording {redact(url)}: no time left in the budget")
    session = requests.Session()
    future = pool("recording", 16).submit(_download, session, url, auth, max_bytes, remaining)
    try:
        return future.result(timeout=remaining)
    except FutureTimeout:
        future.cancel()  # not started yet (a busy pool): it must not go out late
        session.close()  # unblocks the download thread's socket read
        raise RecordingError(f"recording {redact(url)}: download exceeded the time budget") from None


def _download(session: requests.Session, url: str, auth: tuple[str, str] | None, max_bytes: int,
              remaining: float) -> bytes | None:  # fmt: skip
    try:
        with session.get(
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
                raise RecordingError(
                    f"recording {redact(url)} redirected (HTTP {response.status_code}); not followed"
                )
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
            return bytes(body)
    except requests.RequestException as error:
        raise RecordingError(f"recording {redact(url)} not fetched: {type(error).__name__}") from error
    finally:
        session.close()


def redact(url: str) -> str:
    """Keep a URL's host and path for logs; drop user info and query."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{parts.path}"
