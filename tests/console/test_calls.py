"""The calls list and one call's conversation, with its audio."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from ivr.store.models import Turn
from tests.conftest import NOW
from tests.console.conftest import today as local_today
from tests.console.conftest import tone_wav
from tests.sessions import session, transaction

pytestmark = pytest.mark.both_databases  # SQL behaviour: see tests/conftest.py


def sids(response) -> list[str]:  # noqa: ANN001
    return re.findall(r"/console/calls/(CA\d+)", response.get_data(as_text=True))


@pytest.fixture
def calls(make_call):
    """Four calls: two days ago, yesterday, and two today, with different outcomes and flags."""
    now = NOW
    return [
        make_call(outcome="completed", flags="", started=now - timedelta(days=2), duration=30),
        make_call(
            outcome="transferred",
            reading=False,
            started=now - timedelta(days=1),
            duration=90,
            caller="+74957287010",
            account="200002",
            end_reason="reading",
        ),
        make_call(
            outcome="completed",
            flags="NEGATIVE",
            status="pending_review",
            value=900,
            started=now - timedelta(minutes=5),
            duration=60,
        ),
        make_call(
            outcome="abandoned",
            reading=False,
            started=now - timedelta(minutes=1),
            duration=10,
            caller="+79031112233",
        ),
    ]


def test_calls_are_listed_newest_first(login, calls):
    assert sids(login("qa").get("/console/calls")) == [c.sid for c in reversed(calls)]


def test_a_transferred_call_shows_why_beside_its_outcome_in_the_list_and_on_its_page(login, calls):
    console = login("qa")
    listed = console.get("/console/calls").get_data(as_text=True)
    assert listed.count('class="reason"') == 1
    assert re.search(
        r"переведён на оператора</span> <small class=\"reason\">показания не распознаны<", listed
    )
    page = console.get(f"/console/calls/{calls[1].sid}?lang=en").get_data(as_text=True)
    assert '<small class="reason">reading not recognised</small>' in page


def test_calls_sort_by_duration_both_ways(login, calls):
    console = login("qa")
    longest = sids(console.get("/console/calls?sort=duration&order=desc"))
    assert longest == [calls[1].sid, calls[2].sid, calls[0].sid, calls[3].sid]
    assert sids(console.get("/console/calls?sort=duration&order=asc")) == list(reversed(longest))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("outcome=transferred", [1]),
        ("outcome=completed", [2, 0]),
        ("outcome=abandoned", [3]),
        ("flag=NEGATIVE", [2]),
        ("account=1000", [3, 2, 0]),
        ("account=200002", [1]),
        ("account=999", []),
    ],
)
def test_calls_filter_by_outcome_flag_and_account(login, calls, query, expected):
    assert sids(login("supervisor").get(f"/console/calls?{query}")) == [calls[i].sid for i in expected]


def urls(response) -> list[str]:
    return re.findall(r'(?:href|src|action)="([^"]*)"', response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("number", "expected"), [("495 728", [1]), ("+7 916 123-45-67", [2, 0]), ("", [3, 2, 1, 0])]
)
def test_calls_filter_by_a_caller_number_that_never_enters_a_url(login, calls, number, expected):
    console = login("supervisor")
    console.get("/console/calls")
    sent = console.post("/console/calls", {"caller": number, "outcome": "", "sort": "time"})
    assert sent.status_code == 303
    listing = console.get(sent.headers["Location"])
    assert sids(listing) == [calls[i].sid for i in expected]
    digits = re.sub(r"\D", "", number)
    seen = [sent.headers["Location"], *urls(listing)]
    assert not [u for u in seen if digits and digits in re.sub(r"\D", "", u)], seen
    # sorting keeps the number filter, still outside the URL
    resorted = next(u for u in urls(listing) if "sort=duration" in u)
    assert sorted(sids(console.get(resorted))) == sorted(calls[i].sid for i in expected)


def test_calls_filter_by_date_range_includes_both_days(login, calls):
    today = local_today()
    yesterday = today - timedelta(days=1)
    console = login("qa")
    assert sids(console.get(f"/console/calls?start={yesterday}&end={yesterday}")) == [calls[1].sid]
    assert len(sids(console.get(f"/console/calls?start={yesterday}"))) == 3
    assert sids(console.get("/console/calls?start=not-a-date")) == [c.sid for c in reversed(calls)]


def test_calls_are_paginated_25_a_page(login, make_call):
    for _ in range(27):
        make_call(reading=False)
    console = login("qa")
    first, second = console.get("/console/calls"), console.get("/console/calls?page=2")
    assert len(sids(first)) == 25 and len(sids(second)) == 2
    assert "Страница 1 из 2" in first.get_data(as_text=True)
    assert set(sids(first)).isdisjoint(sids(second))


def test_call_page_shows_every_turn_with_prompt_words_keys_timing_and_decision(login, make_call):
    made = make_call()
    page = login("qa").get(f"/console/calls/{made.sid}").get_data(as_text=True)
    assert "Назовите показания" in page and "Верно?" in page
    assert re.search(r'class="w c9 high" title="Уверенность 93%">девять<', page)
    assert re.search(r'class="w c3 low" title="Уверенность 31%">девять<', page)
    assert "<kbd>1</kbd>" in page
    assert "ответ через 4.0 с" in page and "распознавание 0.40 с" in page
    assert "Дальше: <b>Подтверждение показаний</b>" in page and "завершение звонка" in page
    assert f'src="/console/audio/{made.turn_ids[0]}.wav"' in page
    assert page.count("<audio") == 1  # keypad turns have no recording
    assert f"/console/readings/{made.reading_id}" in page


def test_unknown_call_is_404(login):
    assert login("qa").get("/console/calls/CAnothing").status_code == 404


def test_audio_is_served_to_logged_in_users(login, make_call):
    made = make_call()
    response = login("qa").get(f"/console/audio/{made.turn_ids[0]}.wav")
    assert response.status_code == 200 and response.mimetype == "audio/wav"
    assert response.data == tone_wav() and "no-store" in response.headers["Cache-Control"]


def test_audio_supports_range_requests_for_seeking(login, make_call):
    made = make_call()
    response = login("qa").get(f"/console/audio/{made.turn_ids[0]}.wav", headers={"Range": "bytes=0-99"})
    assert response.status_code == 206 and len(response.data) == 100


def test_audio_needs_a_login(anonymous, make_call):
    made = make_call()
    assert anonymous.get(f"/console/audio/{made.turn_ids[0]}.wav").status_code == 302


@pytest.mark.parametrize("path", ["../secret_key", "/etc/passwd", "../../etc/passwd", None])
def test_audio_outside_the_recordings_folder_is_never_served(app, login, make_call, path):
    made = make_call()
    with app.app_context(), transaction() as s:
        s.get(Turn, made.turn_ids[0]).recording_path = path
    assert login("qa").get(f"/console/audio/{made.turn_ids[0]}.wav").status_code == 404


def test_keypad_turn_has_no_audio(app, login, make_call):
    made = make_call()
    with app.app_context():
        turn = session().scalars(select(Turn).where(Turn.id == made.turn_ids[1])).one()
    assert turn.recording_path is None
    assert login("qa").get(f"/console/audio/{made.turn_ids[1]}.wav").status_code == 404
