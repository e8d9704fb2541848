"""`ivr db upgrade` builds the schema the models describe, on SQLite and PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ivr.store.database import engine
from ivr.store.migrate import upgrade
from ivr.store.models import Base

pytestmark = pytest.mark.both_databases


def test_migrations_match_the_models(app):
    with app.app_context():
        with engine().connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrade_twice_is_harmless(app):
    with app.app_context():
        upgrade()
        upgrade()


def test_db_upgrade_command_creates_the_schema(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("IVR_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    from ivr.cli import main

    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0 and "up to date" in result.output
