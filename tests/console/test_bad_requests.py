"""Requests no console page sends get a clear 4xx, with the console's headers, never a bare 500."""

from __future__ import annotations

import pytest

from ivr.console.blueprint import POLICY
from ivr.store.models import Call
from tests.sessions import transaction

pytestmark = pytest.mark.both_databases  # SQL behaviour: see tests/conftest.py

TOO_BIG = 2**31  # PostgreSQL's integer ends one below

# (who, method, path, form, status)
REQUESTS = [
    ("supervisor", "get", "/console/no-such-page", None, 404),
    ("supervisor", "get", "/console/calls/CA1/more", None, 404),
    ("supervisor", "get", "/console/logout", None, 405),
    ("anonymous", "get", "/console/no-such-page", None, 404),
    ("supervisor", "get", "/console/calls?end=9999-12-31", None, 400),
    ("supervisor", "get", "/console/readings?start=0001-01-01", None, 400),
    ("supervisor", "get", "/console/dashboard?end=9999-12-31", None, 400),
    ("supervisor", "get", "/console/dashboard?end=0001-01-01", None, 400),
    ("supervisor", "get", "/console/calls.csv?end=9999-12-31", None, 400),
    ("supervisor", "get", f"/console/readings/{TOO_BIG}", None, 404),
    ("supervisor", "post", f"/console/readings/{TOO_BIG}/approve", {"note": ""}, 404),
    ("supervisor", "get", f"/console/audio/{TOO_BIG}.wav", None, 404),
    ("admin", "post", f"/console/users/{TOO_BIG}/delete", {}, 404),
    ("supervisor", "post", "/console/readings/{reading}/correct", {"value": "²", "reason": "x"}, 400),
    ("supervisor", "post", "/console/readings/{reading}/correct", {"value": "١٢", "reason": "x"}, 400),
    ("supervisor", "get", "/console/calls?account=1%00", None, 400),
    ("supervisor", "get", "/console/calls/CA1%00", None, 400),
    ("supervisor", "post", "/console/readings/{reading}/approve", {"note": "ok\x00"}, 400),
    ("supervisor", "post", "/console/calls", {"caller": "916\x00"}, 400),
    ("anonymous", "post", "/console/login", {"name": "qa\x00", "password": "x"}, 400),
    ("supervisor", "get", "/console/calls/" + "C" * 65, None, 404),
]


@pytest.mark.parametrize(("who", "method", "path", "form", "status"), REQUESTS)
def test_a_request_the_console_never_sends_gets_a_4xx_page_with_the_console_headers(
    anonymous, login, make_call, who, method, path, form, status
):
    made = make_call(flags="NEGATIVE", status="pending_review", value=900)
    console = anonymous if who == "anonymous" else login(who)
    path = path.format(reading=made.reading_id)
    response = console.get(path) if method == "get" else console.post(path, form)
    assert response.status_code == status
    assert response.headers["Content-Security-Policy"] == POLICY
    assert response.headers["Cache-Control"] == "no-store"
    if response.mimetype == "text/html":
        assert f"<h1>{status} ·" in response.get_data(as_text=True)  # the console's error page


@pytest.mark.parametrize("query", ["endpoint=x", "_method=DELETE", "_external=1", "_anchor=x"])
def test_query_parameters_named_like_flasks_own_are_ignored_like_any_unknown_one(login, query):
    console = login("supervisor")
    for page in ("/console/calls", "/console/readings", "/console/dashboard"):
        response = console.get(f"{page}?{query}&lang=en")
        assert response.status_code == 200
        assert response.headers["Content-Security-Policy"] == POLICY


def test_a_call_with_a_64_character_sid_shows_its_personal_data_and_audits_it(app, login, make_call):
    made = make_call()
    sid = "CA" + "7" * 62
    with app.app_context(), transaction() as s:
        s.get(Call, made.call_id).sid = sid
    response = login("supervisor").get(f"/console/calls/{sid}?unmask=1")
    assert response.status_code == 200 and "+79161234567" in response.get_data(as_text=True)
