"""Move a live call with Twilio's REST API: what it plays stops, and Twilio fetches the new URL."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future

import requests

from ivr import metrics
from ivr.config import Config
from ivr.pools import pool

log = logging.getLogger(__name__)

TIMEOUT_S = (1.0, 3.0)  # connect, read: a move that takes longer is retried, then left to the redirect
RETRY_PAUSE_S = 0.2
_local = threading.local()


def update(config: Config, sid: str, url: str) -> bool:
    """POST the call's new Url, retried once; False when both tries failed.

    The caller is never left hanging: the question's own silence redirect finds the answer taken
    and moves on.
    """
    endpoint = f"{config.twilio_api_url}/2010-04-01/Accounts/{config.account_sid}/Calls/{sid}.json"
    for attempt in (1, 2):
        try:
            response = _session().post(endpoint, data={"Url": url, "Method": "POST"},
                                       auth=(config.account_sid, config.auth_token),
                                       timeout=TIMEOUT_S, allow_redirects=False)  # fmt: skip
            if response.status_code < 300:
                return True
            problem = f"HTTP {response.status_code}"
        except requests.RequestException as error:
            problem = type(error).__name__
        log.warning("call %s: REST update failed (%s), try %d of 2", sid, problem, attempt)
        if attempt == 1:
            time.sleep(RETRY_PAUSE_S)
    return False


def _session() -> requests.Session:
    # One connection per thread, kept alive: a move must not wait for a new TLS handshake.
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


class Updates:
    """One call's moves, sent off the socket's thread, in order; a barge-in a move overtakes is dropped."""

    def __init__(self, config: Config, sid: str) -> None:
        self.config, self.sid = config, sid
        self.sent = 0
        self.last: Future | None = None
        self.lock = threading.Lock()

    def listening(self, url: str) -> None:
        """Stop the prompt: the caller is answering."""
        self._send(url, skippable=True)

    def move(self, url: str, heard_at: float) -> None:
        """Go on to what the call now waits for; heard_at (perf_counter) is when the answer ended."""
        self._send(url, skippable=False, heard_at=heard_at)

    def _send(self, url: str, skippable: bool, heard_at: float | None = None) -> None:
        with self.lock:
            self.sent += 1
            self.last = pool("twilio-rest", 16).submit(self._run, self.last, self.sent, url, skippable,
                                                       heard_at)  # fmt: skip

    def _run(self, previous: Future | None, number: int, url: str, skippable: bool,
             heard_at: float | None) -> None:  # fmt: skip
        if previous is not None:
            previous.exception()  # wait for it: Twilio applies updates in the order they come
        if skippable and self.sent > number:
            return  # a later move stops the prompt anyway
        if update(self.config, self.sid, url) and heard_at is not None:
            metrics.end_of_speech_seconds.observe(time.perf_counter() - heard_at)
