"""The stream's WebSocket, served on the request's own thread: whole messages, pings, caps, bad handshakes."""

import json
import time

import pytest
import requests
from twilio.request_validator import RequestValidator
from websockets.exceptions import ConnectionClosed

from ivr.telephony import media
from tests.conftest import TOKEN
from tests.stream.conftest import call_row
from tests.stream.test_socket import STREAM, connect, eventually, start

SIGNATURE = RequestValidator(TOKEN).compute_signature(STREAM, {})
SIGNED = {"X-Twilio-Signature": SIGNATURE}


def line(server):
    return connect(server, SIGNATURE)


def test_a_start_in_fragments_is_heard_whole_and_pings_are_answered(app, server, phone):
    call = phone()
    call.dial()
    with line(server) as ws:
        ws.send(json.dumps({"event": "connected"}))
        text = json.dumps(start(call.sid))
        ws.send(iter([text[:20], text[20:60], text[60:]]))  # one message in three frames
        assert eventually(lambda: call_row(app, call.sid).listen == "live")
        assert ws.ping().wait(3)  # the pong comes from the same thread that reads the audio
        ws.send(json.dumps({"event": "stop"}))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=3)
    assert closed.value.rcvd.code == 1000  # a stop ends the stream cleanly


@pytest.mark.parametrize("message, code", [
    pytest.param(["x" * 3000] * 4, 1009, id="over-the-cap-in-small-fragments"),
    pytest.param(["{"] + [""] * 100 + ["}"], 1008, id="in-too-many-fragments"),
    pytest.param(b'{"event": "\xff"}', 1007, id="text-not-utf8"),
])  # fmt: skip
def test_a_message_that_breaks_the_rules_closes_the_stream_after_the_messages_before_it(
    app, server, phone, message, code
):
    call = phone()
    call.dial()
    with line(server) as ws:
        ws.send(json.dumps(start(call.sid)))
        with pytest.raises(ConnectionClosed) as closed:
            ws.send(iter(message) if isinstance(message, list) else message, text=True)  # a list: fragments
            ws.recv(timeout=3)
    assert closed.value.rcvd.code == code
    assert eventually(lambda: call_row(app, call.sid).listen == "lost")  # the start before it was heard


def test_a_signed_upgrade_that_is_no_websocket_handshake_is_refused_with_400(server):
    upgrade = {"Upgrade": "websocket", "Connection": "Upgrade", **SIGNED}  # no key, no version
    assert requests.get(f"http://{server}/twilio/stream", headers=upgrade, timeout=5).status_code == 400


@pytest.mark.parametrize("method", ["HEAD", "POST"])
def test_an_upgrade_that_is_not_a_get_is_no_handshake(server, method):
    upgrade = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", **SIGNED}  # fmt: skip
    done = requests.request(method, f"http://{server}/twilio/stream", headers=upgrade, timeout=5)
    assert done.status_code in (400, 405)


@pytest.fixture
def impatient(monkeypatch):
    """A stream that waits half a second for its start, then for audio."""
    monkeypatch.setattr(media, "START_WAIT_S", 0.5)
    monkeypatch.setattr(media, "IDLE_S", 0.5)


def chatter(ws, message: dict, seconds: float = 2.0) -> bool:
    """Send a message every 0.1 s; say whether the app closed the socket meanwhile (1008)."""
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            ws.send(json.dumps(message))
            time.sleep(0.1)
        ws.recv(timeout=1)
    except ConnectionClosed as closed:
        return closed.rcvd is not None and closed.rcvd.code == 1008
    return False


def test_messages_without_a_start_do_not_hold_a_stream(server, impatient):
    with line(server) as ws:
        assert chatter(ws, {"event": "connected"})


def test_marks_without_audio_do_not_hold_a_stream_and_the_call_goes_on_with_record(
    app, server, phone, impatient
):
    call = phone()
    call.dial()
    with line(server) as ws:
        ws.send(json.dumps(start(call.sid)))
        assert chatter(ws, {"event": "mark", "mark": {"name": "x"}})
    assert eventually(lambda: call_row(app, call.sid).listen == "lost")
