"""Run Alembic migrations on the app's database, and check at start-up that it is ready to serve."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from ivr.store.database import engine

MIGRATIONS = Path(__file__).parent / "migrations"


class StartupError(RuntimeError):
    """The database cannot serve this build; the message says why and what to do, in one line."""


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(revision: str = "head") -> None:
    """Create or migrate the schema of the current app's database."""
    config = alembic_config()
    with connected() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def check_ready() -> None:
    """Raise StartupError unless the database answers and its schema is the one this build needs."""
    with connected() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    script = ScriptDirectory.from_config(alembic_config())
    needed = set(script.get_heads())
    if current == needed:
        return
    known = {r.revision for r in script.walk_revisions()}
    if current - known:
        raise StartupError(f"database schema is at {_names(current)}, newer than this build "
                           f"({_names(needed)}): run the newer build")  # fmt: skip
    at = f"is at {_names(current)}" if current else "is missing"
    raise StartupError(f"database schema {at}, this build needs {_names(needed)}: run ivr db upgrade")


@contextmanager
def connected() -> Iterator[Connection]:
    """A transaction on the app's database; a failed connect is a StartupError naming the URL."""
    bind = engine()
    try:
        connection = bind.connect()
    except DBAPIError as error:
        reason = (str(error.orig).strip().splitlines() or [type(error.orig).__name__])[0]
        url = bind.url.render_as_string(hide_password=True)
        raise StartupError(f"IVR_DATABASE_URL: cannot connect to {url}: {reason}") from None
    with connection, connection.begin():
        yield connection


def _names(revisions: set[str]) -> str:
    return ", ".join(sorted(revisions))
