"""Engine and sessions: one engine per app, one session per request."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL and a busy timeout so several workers can share it."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(conn, _record):  # noqa: ANN001
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL stays consistent after a crash and skips an fsync per commit.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def init_app(app: Flask) -> None:
    """Bind an engine and session factory to the app."""
    engine = make_engine(app.config["IVR_DATABASE_URL"])
    app.extensions["ivr.db"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["ivr.db"].kw["bind"]


def session() -> Session:
    """The session of the current app context."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["ivr.db"]()
    return g.db_session


@contextmanager
def transaction() -> Iterator[Session]:
    """A fresh session committed on success and rolled back on error."""
    with current_app.extensions["ivr.db"]() as s, s.begin():
        yield s


def _close_session(_exc: BaseException | None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()
