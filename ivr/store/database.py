"""Engine and sessions: one engine per app, one session per request, bounded waits everywhere."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)
T = TypeVar("T")

# Twilio waits 15 s for a webhook: no single wait on the database may take most of that.
CONNECT_TIMEOUT_S = 3
STATEMENT_TIMEOUT_MS = 5000
LOCK_TIMEOUT_MS = 4000
# SQLSTATEs worth a retry: serialization failure, deadlock. A lock timeout is not: something is
# stuck, and waiting again would spend the caller's time.
RETRY_PGCODES = {"40001", "40P01"}
ATTEMPTS = 5
# A restarting PostgreSQL refuses connections for a second or two: a transaction waits that long
# (delays 0.25, 0.5, 1, 2 s), so that a status callback, which Twilio never repeats, is not lost.
RECONNECT_WINDOW_S = 4.0
GONE_PGCODES = {"57P01", "57P02", "57P03"}  # shut down by an administrator, crashed, starting up


def make_engine(url: str) -> Engine:
    """Create an engine with bounded waits; SQLite gets WAL so several workers can share it."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            hide_parameters=True,  # never log callers' numbers and addresses
            connect_args={"timeout": CONNECT_TIMEOUT_S, "check_same_thread": False},
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(conn, _record):  # noqa: ANN001
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL stays consistent after a crash and skips an fsync per commit.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    options = f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout={LOCK_TIMEOUT_MS}"
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_timeout=CONNECT_TIMEOUT_S,
        hide_parameters=True,  # bound values are callers' numbers and addresses: never log them
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "options": options},
    )


def init_app(app: Flask, url: str) -> sessionmaker:
    """The app's session factory, for its Runtime; an app context's session is closed with the context."""
    app.teardown_appcontext(_close_session)
    return sessionmaker(make_engine(url), expire_on_commit=False)


def engine(sessions: sessionmaker) -> Engine:
    return sessions.kw["bind"]


# The app context's session below is Flask's: imported when used, so the call service, which runs
# on `run` alone, loads no web framework.
def session(sessions: sessionmaker) -> Session:
    """The session of the current app context, made by the app's `sessions` when first asked."""
    from flask import g

    if "db_session" not in g:
        g.db_session = sessions()
    return g.db_session


@contextmanager
def transaction(sessions: sessionmaker) -> Iterator[Session]:
    """A fresh session committed on success and rolled back on error."""
    with sessions() as s, s.begin():
        yield s


def run(sessions: sessionmaker, work: Callable[[Session], T]) -> T:
    """Run work in one transaction; a conflict with another worker is retried, never dropped, and
    so is a PostgreSQL server gone for a moment. Retrying is safe: every write is taken once.

    Callbacks registered with after_commit run once the transaction is durable.
    """
    started = time.monotonic()
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with sessions() as s:
                with s.begin():
                    result = work(s)
                for callback in s.info.pop("after_commit", []):
                    callback()
                return result
        except (StaleDataError, DBAPIError) as error:
            if attempt == ATTEMPTS:
                raise
            if _conflict(error):
                log.info("transaction conflict (%s), attempt %d: retrying", type(error).__name__, attempt)
                time.sleep(random.uniform(0.005, 0.02) * 2**attempt)
            elif (
                _gone(error) and time.monotonic() - started + _reconnect_delay(attempt) <= RECONNECT_WINDOW_S
            ):
                log.warning("the database is unreachable, attempt %d: retrying", attempt)
                time.sleep(_reconnect_delay(attempt))
            else:
                raise
    raise AssertionError("unreachable")


def transient(error: BaseException) -> bool:
    """Whether the database failed for now (down, timed out, a conflict), not at this data: worth
    trying again later, where a DataError or an IntegrityError would fail alike every time."""
    return isinstance(error, OperationalError | InterfaceError) or (
        isinstance(error, DBAPIError) and (_conflict(error) or _gone(error))
    )


def after_commit(s: Session, callback: Callable[[], None]) -> None:
    """Run callback after the session's transaction commits, never inside it."""
    s.info.setdefault("after_commit", []).append(callback)


def insert_ignoring(s: Session, model: type, values: dict):  # noqa: ANN201
    """INSERT that leaves an existing row with the same unique key alone, on SQLite and PostgreSQL."""
    dialect = postgresql if s.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model).values(**values).on_conflict_do_nothing()


def _conflict(error: Exception) -> bool:
    if isinstance(error, StaleDataError):
        return True
    code = getattr(getattr(error, "orig", None), "sqlstate", None)
    return code in RETRY_PGCODES or "database is locked" in str(getattr(error, "orig", error))


def _reconnect_delay(attempt: int) -> float:
    return 0.25 * 2 ** (attempt - 1)


def _gone(error: Exception) -> bool:
    """PostgreSQL went away or is not up yet, as in a restart (SQLite has no server to wait for)."""
    orig = getattr(error, "orig", None)
    if not isinstance(error, OperationalError) or not hasattr(orig, "sqlstate"):
        return False
    return error.connection_invalidated or orig.sqlstate is None or orig.sqlstate in GONE_PGCODES


def _close_session(_exc: BaseException | None) -> None:
    from flask import g

    s = g.pop("db_session", None)
    if s is not None:
        s.close()
