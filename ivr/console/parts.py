"""What the console's pages use, handed over by the composition root when it builds the console: a
page reaches these, and nothing of the app it is mounted in."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from ivr.console.clock import ConsoleClock
from ivr.store import database

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from ivr.flows import Regions, Rules
    from ivr.recordings import Recordings
    from ivr.settings.mail import MailSettings


@dataclass(frozen=True)
class LoginLimits:
    max_failures: int  # per name within the window (IVR_LOGIN_MAX_FAILURES)
    window: timedelta  # IVR_LOGIN_WINDOW_S


@dataclass(frozen=True)
class ConsoleParts:
    sessions: sessionmaker
    clock: ConsoleClock
    regions: Regions  # the call windows, for the review's decisions and the accounts file
    rules: Rules  # the reading rules (IVR_RULE_*), for a supervisor's correction
    mail: MailSettings  # the e-mail poller's mailbox, for the letters it set aside
    # Caller audio, opened at its first use: no S3 client is made for every `ivr` command that builds the app.
    recordings: Callable[[], Recordings]
    logins: LoginLimits

    def session(self) -> Session:
        """The session of the current request, closed with it."""
        return database.session(self.sessions)

    def transaction(self) -> AbstractContextManager[Session]:
        """A fresh session committed on success and rolled back on error."""
        return database.transaction(self.sessions)
