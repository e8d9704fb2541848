"""A failing database gets the sender an apology in the number's language, in time: never a 500 Twilio retries."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy import text as sql

from ivr.runtime import runtime
from ivr.store.models import Reading
from ivr.telephony import recovery
from tests.sessions import transaction

pytestmark = pytest.mark.both_databases


def test_a_database_that_is_down_gets_an_apology(app, text):
    working = runtime(app).sessions.kw["bind"]
    runtime(app).sessions.configure(bind=create_engine("sqlite:////nonexistent/dir/x.db"))
    code, reply, response = text("100001 1100")
    assert code == 200 and response.mimetype == "text/xml"
    assert reply.startswith("Извините, сейчас мы не можем принять показания")
    # The body is not read again for the apology (a body that failed to be read would fail again):
    # it speaks the number's language, Russian by default.
    assert text("HELP")[1].startswith("Извините, сейчас мы не можем принять показания")
    runtime(app).sessions.configure(bind=working)
    assert text("100001 1100")[1].startswith("Принято")


def test_a_row_lock_held_elsewhere_answers_an_apology_within_the_budget(app, text, settings, monkeypatch):
    if not settings["IVR_DATABASE_URL"].startswith("postgresql"):
        pytest.skip("row locks with a lock timeout are PostgreSQL's")
    monkeypatch.setattr(recovery, "WEBHOOK_BUDGET_S", 1.0)
    holder = create_engine(settings["IVR_DATABASE_URL"])
    with holder.connect() as conn:
        conn.execute(sql("SELECT id FROM meters FOR UPDATE"))
        started = time.monotonic()
        code, reply, _ = text("100001 1100", sid="SM" + "d" * 32)
        elapsed = time.monotonic() - started
        conn.rollback()
    holder.dispose()
    # In Twilio's 15 s, the lock still held: the apology did not wait for the lock.
    assert code == 200 and reply.startswith("Извините") and elapsed < 15
    stored = []
    deadline = time.monotonic() + 30  # the lock is gone: the late work goes through
    while not stored and time.monotonic() < deadline:
        with app.app_context(), transaction() as s:
            stored = [r.value for r in s.scalars(select(Reading))]
    code, reply, _ = text("100001 1100", sid="SM" + "d" * 32)  # the same message again
    assert reply.startswith("Принято")
    with app.app_context(), transaction() as s:  # once, as on the voice line
        assert [r.value for r in s.scalars(select(Reading))] == [1100]
