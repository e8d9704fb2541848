"""The current app's sessions as a test reaches them: looked up in the app context it opened. The
product is handed its sessionmaker by the composition root instead."""

from __future__ import annotations

from contextlib import AbstractContextManager

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ivr.runtime import runtime
from ivr.store import database


def session() -> Session:
    """The session of the current app context, closed with it."""
    return database.session(runtime().sessions)


def transaction() -> AbstractContextManager[Session]:
    """A fresh session of the current app, committed on success and rolled back on error."""
    return database.transaction(runtime().sessions)


def engine() -> Engine:
    return database.engine(runtime().sessions)
