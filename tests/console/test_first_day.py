"""What supervisors ran into on their first day: dead audio players, 'transferred' without an
operator, and which readings the review queue shows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import select

import ivr.flows
from ivr.runtime import runtime
from ivr.store.models import Call
from tests.console.conftest import tone_wav
from tests.sessions import session

HEADER_ONLY = tone_wav(0)  # a WAV with no samples: the player shows 0:00 and plays nothing


@pytest.mark.parametrize("audio", [None, b"", HEADER_ONLY, b"<html>502 Bad Gateway</html>" * 3], ids=repr)
def test_a_turn_without_playable_audio_shows_no_player(app, login, make_call, audio):
    made = make_call()
    kept = Path(runtime(app).config.recordings_dir) / made.sid / "1.wav"
    if audio is None:
        kept.unlink()  # e.g. recorded on another server, or cleaned up since
    else:
        kept.write_bytes(audio)
    console = login("qa")
    for page in (f"/console/calls/{made.sid}", f"/console/readings/{made.reading_id}"):
        assert "<audio" not in console.get(page).get_data(as_text=True), page
    assert console.get(f"/console/audio/{made.turn_ids[0]}.wav").status_code == 404


def test_a_turn_with_audio_keeps_its_player(login, make_call):
    made = make_call()
    page = login("qa").get(f"/console/calls/{made.sid}").get_data(as_text=True)
    assert page.count("<audio") == 1


@pytest.fixture
def transfers(make_call):
    return {
        "dialled": make_call(outcome="transferred", reading=False),
        "no operator": make_call(outcome="transferred", reading=False, operator=False),
    }


def test_a_transfer_with_no_operator_to_dial_is_not_shown_as_transferred(login, transfers):
    console = login("qa")
    listing = console.get("/console/calls").get_data(as_text=True)
    badges = [listing.count(f'class="outcome outcome-{o}"') for o in ("transferred", "no_operator")]
    assert badges == [1, 1]
    page = console.get(f"/console/calls/{transfers['no operator'].sid}").get_data(as_text=True)
    assert ">оператора нет<" in page and "переведён на оператора" not in page
    for outcome, made in (("transferred", "dialled"), ("no_operator", "no operator")):
        found = console.get(f"/console/calls?outcome={outcome}").get_data(as_text=True)
        assert transfers[made].sid in found and found.count("/console/calls/CA") == 1
    rows = csv.DictReader(io.StringIO(console.get("/console/calls.csv").get_data(as_text=True)))
    assert sorted(r["outcome"] for r in rows) == ["no_operator", "transferred"]
    dashboard = console.get("/console/dashboard").get_data(as_text=True)
    assert "Оператора не было" in dashboard


def test_a_real_call_asking_for_an_operator_on_a_line_without_one_shows_no_operator(app, phone, login):
    call = phone()
    call.dial()
    call.press("0")
    call.hangup()
    with app.app_context():
        assert session().scalars(select(Call)).one().outcome == "transferred"  # the flow's word
    page = login("qa").get(f"/console/calls/{call.sid}").get_data(as_text=True)
    assert ">оператора нет<" in page and "переведён на оператора" not in page


@pytest.mark.settings(IVR_OPERATOR_NUMBER="+74950000001")
def test_a_real_call_put_through_to_the_operator_shows_transferred(app, phone, login):
    call = phone()
    call.dial()
    assert call.press("0").dialled == "+74950000001"
    call.hangup()
    page = login("qa").get(f"/console/calls/{call.sid}").get_data(as_text=True)
    assert "переведён на оператора" in page and ">оператора нет<" not in page


@pytest.mark.settings(IVR_OPERATOR_NUMBER="+74950000001")
def test_a_call_handed_to_the_operator_after_errors_shows_transferred(app, phone, login, monkeypatch):
    call = phone()
    call.dial()
    monkeypatch.setattr(ivr.flows, "advance", broken)
    call.press("1")
    assert call.press("1").dialled == "+74950000001"  # the transport's own hand-over, no flow ran
    page = login("qa").get(f"/console/calls/{call.sid}").get_data(as_text=True)
    assert "переведён на оператора" in page and ">оператора нет<" not in page


def broken(*args: object) -> None:
    raise RuntimeError("a deterministic bug")


def test_the_review_queue_shows_only_readings_waiting_for_a_decision_by_default(login, make_call):
    decided = make_call(flags="NEGATIVE", status="pending_review", value=950)
    accepted = make_call(flags="LOW_CONFIDENCE")
    pending = make_call(flags="NEGATIVE", status="pending_review", value=900)
    console = login("supervisor")
    console.post(f"/console/readings/{decided.reading_id}/approve", {"note": "checked"})
    queue = console.get("/console/readings").get_data(as_text=True)
    listed = [m for m in (decided, accepted, pending) if f'/readings/{m.reading_id}"' in queue]
    assert listed == [pending]
    everything = console.get("/console/readings?show=all").get_data(as_text=True)
    assert f'/readings/{decided.reading_id}"' in everything
