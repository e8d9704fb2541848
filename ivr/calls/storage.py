"""The text service's way into the database: what a column can hold, and a failure for now told apart."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from ivr.store import database

T = TypeVar("T")
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class StorageUnavailable(Exception):
    """The database failed for now (down, timed out): the message was not taken; give it again later."""


def storable(text: str) -> str:
    """The text as a database can hold it: NUL and lone surrogates (no text column takes them) become
    U+FFFD, which the console shows as such."""
    return UNSTORABLE.sub("\ufffd", text)


def run(sessions: sessionmaker, work: Callable[[Session], T]) -> T:
    """database.run, with the database's failures for now raised as StorageUnavailable, so that a
    channel adapter can tell them from a failure of the message itself without knowing SQLAlchemy."""
    try:
        return database.run(sessions, work)
    except Exception as error:
        if database.transient(error):
            raise StorageUnavailable(str(error).splitlines()[0]) from error
        raise
