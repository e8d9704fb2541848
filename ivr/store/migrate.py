"""Run Alembic migrations on the app's database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from ivr.settings import ConfigError
from ivr.store.database import engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(sessions: sessionmaker, revision: str = "head") -> None:
    """Create or migrate the schema of the app's database."""
    config = alembic_config()
    with _connected(engine(sessions)) as connection, connection.begin():
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@contextmanager
def _connected(bind: Engine) -> Iterator[Connection]:
    """A connection to the app's database; an unreachable one is a NotReady naming the URL."""
    try:
        connection = bind.connect()
    except DBAPIError as error:
        url = bind.url.render_as_string(hide_password=True)
        reason = str(error.orig or error).strip().splitlines()[0]
        raise NotReady(f"IVR_DATABASE_URL: cannot connect to {url}: {reason}") from None
    with connection:
        yield connection


class NotReady(ConfigError):
    """The database cannot serve this build: unreachable, or its schema is behind."""


def check_ready(sessions: sessionmaker) -> None:
    """Fail in one line when the database is unreachable or not migrated to this build's schema."""
    bind = engine(sessions)
    with _connected(bind) as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    url = bind.url.render_as_string(hide_password=True)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if current != head:
        raise NotReady(f"database schema at {url} is at {current or 'nothing'}, this build needs "
                       f"{head}: run `ivr db upgrade`")  # fmt: skip
