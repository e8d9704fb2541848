"""The tests' databases: migrated once a test worker, and as the template left them for every test.

SQLite: every test gets a copy of the template file. PostgreSQL: every test gets the worker's one
copy of the template database with its rows put back to the template's. A DROP DATABASE a test
would force a checkpoint on a server that several test runs share; deleting a few rows does not.
A test that changed more than rows (a trigger, a function, a table) gets a new copy.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import Engine, MetaData, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

# What a test may add to the schema besides rows; counted, compared with the template's.
SCHEMA = """
SELECT (SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace),
       (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped),
       (SELECT count(*) FROM pg_constraint WHERE connamespace = 'public'::regnamespace),
       (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal),
       (SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace),
       (SELECT string_agg(version_num, ',') FROM alembic_version)
"""
SEQUENCES = "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"


def sqlite_copy(template: Path, path: Path) -> str:
    """A copy of the template database at `path`; its URL."""
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(path)) as copy:
        source.backup(copy)
    return f"sqlite:///{path}"


class PgCopy:
    """A copy of the template database, put back to the template's rows by `reset`."""

    def __init__(self, admin: Engine, template: str, name: str) -> None:
        self.admin, self.template, self.name = admin, template, name
        self.url = admin.url.set(database=name).render_as_string(hide_password=False)
        self._create()
        self.engine = create_engine(self.url, poolclass=NullPool)
        with self.engine.connect() as conn:
            self.schema = tuple(conn.execute(text(SCHEMA)).one())
            self.tables = MetaData()
            self.tables.reflect(conn)
            self.rows = {t.name: conn.execute(t.select()).mappings().all() for t in self.tables.sorted_tables}
            self.sequences = conn.execute(text(SEQUENCES)).all()

    def reset(self) -> str:
        """The template's rows and sequences again, or a new copy if the schema changed; the URL."""
        try:
            with self.engine.begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = '3s'"))  # a connection a test left open
                if tuple(conn.execute(text(SCHEMA)).one()) != self.schema:
                    raise LookupError("the schema changed")
                for table in reversed(self.tables.sorted_tables):
                    conn.execute(table.delete())
                for table in self.tables.sorted_tables:
                    if self.rows[table.name]:
                        conn.execute(table.insert(), [dict(row) for row in self.rows[table.name]])
                for name, last in self.sequences:
                    conn.execute(text("SELECT setval(:name, :value, :called)"),
                                 {"name": f'"{name}"', "value": last or 1, "called": last is not None})  # fmt: skip
        except (LookupError, DBAPIError):
            self._create()
        return self.url

    def drop(self) -> None:
        self.engine.dispose()
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))

    def _create(self) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.template}"'))
