"""`ivr db upgrade` builds the schema the models describe, on SQLite and PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from ivr import create_app
from ivr.runtime import runtime
from ivr.store.migrate import upgrade
from ivr.store.models import Base
from tests.conftest import NOW
from tests.sessions import engine

pytestmark = pytest.mark.both_databases


def test_migrations_match_the_models(app):
    with app.app_context():
        with engine().connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrade_twice_is_harmless(app):
    with app.app_context():
        upgrade(runtime(app).sessions)
        upgrade(runtime(app).sessions)


def test_db_upgrade_command_creates_the_schema(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("IVR_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    from ivr.cli import main

    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0 and "up to date" in result.output


def blank(settings: dict, tmp_path) -> dict:  # noqa: ANN001
    """The settings on an empty database: the test migrates it itself."""
    url = settings["IVR_DATABASE_URL"]
    if url.startswith("sqlite"):
        return {**settings, "IVR_DATABASE_URL": f"sqlite:///{tmp_path / 'blank.sqlite3'}"}
    admin = create_engine(url)
    with admin.begin() as conn:  # the fixture rebuilds its copy after a schema change
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    admin.dispose()
    return settings


def test_calls_taken_before_outcomes_were_data_keep_their_meaning(settings, tmp_path):
    """A transfer whose last reply dialled the operator was put through; any other was not."""
    app = create_app(blank(settings, tmp_path))
    replies = {
        "CA1": ("transferred", "<Response><Say>…</Say><Dial>+74950000001</Dial></Response>"),
        "CA2": ("transferred", "<Response><Say>…</Say><Hangup /></Response>"),
        "CA3": ("completed", "<Response><Hangup /></Response>"),
        "CA4": (None, "<Response><Gather /></Response>"),
    }
    with app.app_context():
        upgrade(runtime(app).sessions, "0009_message_cut")
        with engine().begin() as conn:
            conn.execute(text(
                "INSERT INTO calls (sid, caller, called, locale, state, seq, last_twiml, status, outcome,"
                " started_at, version) VALUES (:sid, '', '', 'ru', '{}', 1, :twiml, 'completed', :outcome,"
                " :at, 1)"
            ), [{"sid": sid, "outcome": o, "twiml": t, "at": NOW} for sid, (o, t) in replies.items()])  # fmt: skip
        upgrade(runtime(app).sessions)
        with engine().connect() as conn:
            dialled = dict(conn.execute(text("SELECT sid, operator_dialled FROM calls")).all())
    runtime(app).sessions.kw["bind"].dispose()
    assert dialled == {"CA1": True, "CA2": False, "CA3": False, "CA4": False}
