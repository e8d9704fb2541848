"""The console plays caller audio from S3 as from a folder: whole, by range for seeking, 416 past the end."""

from __future__ import annotations

import pytest

from ivr import recordings
from ivr.runtime import runtime
from ivr.store.models import Turn
from tests.console.conftest import tone_wav
from tests.sessions import transaction

SIZE = len(tone_wav())


@pytest.fixture(params=["file", "s3"])
def settings(request, settings) -> dict:
    return {**settings, **request.getfixturevalue("s3")} if request.param == "s3" else settings


def test_audio_plays_whole_with_ranges_offered(login, make_call):
    made = make_call()
    response = login("qa").get(f"/console/audio/{made.turn_ids[0]}.wav")
    assert response.status_code == 200 and response.mimetype == "audio/wav"
    assert response.headers["Accept-Ranges"] == "bytes" and response.headers["Content-Length"] == str(SIZE)
    assert response.data == tone_wav()


@pytest.mark.parametrize(("asked", "first", "last"), [
    ("bytes=0-99", 0, 99), ("bytes=1000-", 1000, SIZE - 1), ("bytes=-44", SIZE - 44, SIZE - 1),
    (f"bytes=100-{SIZE + 500}", 100, SIZE - 1),
])  # fmt: skip
def test_a_range_is_answered_with_206_and_its_bytes(login, make_call, asked, first, last):
    made = make_call()
    response = login("qa").get(f"/console/audio/{made.turn_ids[0]}.wav", headers={"Range": asked})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes {first}-{last}/{SIZE}"
    assert response.data == tone_wav()[first : last + 1]


@pytest.mark.parametrize("asked", [f"bytes={SIZE}-", f"bytes={SIZE + 10}-{SIZE + 20}"])
def test_a_range_past_the_end_is_416(login, make_call, asked):
    made = make_call()
    response = login("qa").get(f"/console/audio/{made.turn_ids[0]}.wav", headers={"Range": asked})
    assert response.status_code == 416 and response.headers["Content-Range"] == f"bytes */{SIZE}"


def test_a_malformed_range_gets_the_whole_file(login, make_call):
    made = make_call()
    response = login("qa").get(f"/console/audio/{made.turn_ids[0]}.wav", headers={"Range": "lines=1-2"})
    assert response.status_code == 200 and response.data == tone_wav()


def test_audio_gone_from_the_store_is_404_and_has_no_player(app, login, make_call):
    made = make_call()
    recordings.store(runtime(app).config).delete(f"{made.sid}/1.wav")
    console = login("qa")
    assert console.get(f"/console/audio/{made.turn_ids[0]}.wav").status_code == 404
    assert "<audio" not in console.get(f"/console/calls/{made.sid}").get_data(as_text=True)


def test_audio_removed_by_retention_is_said_so_instead_of_a_player(app, login, make_call):
    made = make_call()
    with app.app_context(), transaction() as s:
        s.get(Turn, made.turn_ids[0]).recording_removed_at = s.get(Turn, made.turn_ids[0]).asked_at
    console = login("qa")
    page = console.get(f"/console/calls/{made.sid}").get_data(as_text=True)
    assert "Запись удалена по сроку хранения" in page and "<audio" not in page
    assert console.get(f"/console/audio/{made.turn_ids[0]}.wav").status_code == 404
