"""A real call through the webhooks shows up in the console; its review reaches the export."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import select

from ivr.runtime import runtime
from ivr.store.models import Reading, Turn
from ivr.store.readings_csv import export_readings
from tests.conftest import say
from tests.console.conftest import tone_wav
from tests.sessions import session


def test_a_disputed_call_is_heard_in_the_console_and_approved_into_the_export(app, phone, login):
    call = phone("+79161234567")
    call.dial(), say(call, "показания"), say(call, "да")
    say(call, "девятьсот"), say(call, "девятьсот"), say(call, "да")  # lower, twice: for review
    call.hangup()
    with app.app_context():  # the transcript double's "audio" is text: put sound where it went
        turn = session().scalars(select(Turn).where(Turn.recording_path.is_not(None))).first()
    (Path(runtime(app).config.recordings_dir) / turn.recording_path).write_bytes(tone_wav())
    console = login("supervisor")

    console.post("/console/calls", {"caller": "916", "flag": "NEGATIVE"})
    listing = console.get("/console/calls?by_number=1&flag=NEGATIVE").get_data(as_text=True)
    assert f"/console/calls/{call.sid}" in listing and "+7 916 ***-**-67" in listing
    page = console.get(f"/console/calls/{call.sid}").get_data(as_text=True)
    assert "Что Вас интересует" in page and "показания" in page and "д. 1, кв. 1" not in page
    audio = page.split('<audio controls preload="metadata" src="', 1)[1].split('"', 1)[0]
    assert console.get(audio).status_code == 200

    with app.app_context():
        reading = session().scalars(select(Reading)).one()
    assert reading.status == "pending_review"
    console.post(f"/console/readings/{reading.id}/approve", {"note": "confirmed by phone"})
    with app.app_context():
        out = io.BytesIO()  # the export writes a file's bytes
        export_readings(session(), out)
    [row] = csv.DictReader(io.StringIO(out.getvalue().decode()))
    assert (row["value"], row["status"], row["flags"]) == ("900", "accepted", "NEGATIVE")
