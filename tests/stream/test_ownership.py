"""A stream belongs to one call: its start carries the call's own token, and a call is claimed by one
stream only, whichever worker each start reaches. The upgrade's signature is the same for every call."""

import json
import threading
import xml.etree.ElementTree as ET

import pytest
from twilio.request_validator import RequestValidator
from websockets.exceptions import ConnectionClosed
from werkzeug.serving import make_server

from ivr import create_app
from ivr.qa.streams import StreamLine
from ivr.runtime import runtime
from tests.conftest import ACCOUNT_SID, TOKEN
from tests.stream.conftest import call_row
from tests.stream.test_socket import STREAM, connect, eventually, start

SIGNATURE = RequestValidator(TOKEN).compute_signature(STREAM, {})  # one header, captured once, fits all


def close_code(ws, *messages, wait=3.0):
    """Send messages; the code the app closed the socket with, or None while it stays open."""
    try:
        for message in messages:
            ws.send(json.dumps(message))
        ws.recv(timeout=wait)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else "no close frame"
    except TimeoutError:
        return None
    return "a message"


def token_of(call):
    return call.history[0].stream_parameters["token"]  # the greeting's <Stream><Parameter name="token">


def test_each_call_s_stream_carries_a_token_of_its_own_in_every_copy_of_its_greeting(phone):
    first, second = phone(), phone()
    first.dial(), second.dial()
    assert token_of(first) != token_of(second)
    assert len(token_of(first)) == 64 and first.sid not in token_of(first)
    root = ET.fromstring(first.replay_last()[1])  # Twilio retries the first webhook: the same stream
    parameters = [(p.get("name"), p.get("value")) for p in root.find("Start/Stream")]
    assert parameters == [("token", token_of(first))]


@pytest.mark.parametrize("token", ["missing", "the-attacker-s", "forged"])
@pytest.mark.parametrize("streaming", [False, True], ids=["other-call-starting", "other-call-streaming"])
def test_the_signature_opens_no_other_call_s_stream(app, server, streamed, phone, token, streaming):
    mine = streamed()  # the attacker's own call: its upgrade's signature, and its own token
    mine.dial()
    other = streamed("+74995509550") if streaming else phone("+74995509550")
    other.dial()
    state = "live" if streaming else "starting"
    assert eventually(lambda: call_row(app, other.sid).listen == state)
    assert eventually(lambda: call_row(app, mine.sid).listen == "live")
    tokens = {"missing": "", "the-attacker-s": token_of(mine), "forged": "0" * 64}
    attack = start(other.sid, token=tokens[token])
    if token == "missing":
        del attack["start"]["customParameters"]

    assert close_code(connect(server, SIGNATURE), {"event": "connected"}, attack) == 1008
    assert call_row(app, other.sid).listen == state and mine.line.open
    if streaming:  # the other call's own stream still holds it: its drop is what loses the call
        assert other.line.open
        other.line.drop()
        assert eventually(lambda: call_row(app, other.sid).listen == "lost")
    else:  # the other call's own stream, when Twilio opens it, still starts
        line = StreamLine(f"ws://{server}/twilio/stream", STREAM, TOKEN, other.sid, ACCOUNT_SID,
                          parameters={"token": token_of(other)})  # fmt: skip
        line.start()
        assert eventually(lambda: call_row(app, other.sid).listen == "live") and line.open
        line.stop()


@pytest.mark.both_databases
def test_a_second_start_for_a_live_call_is_refused_and_the_first_stream_keeps_the_call(app, server, streamed):
    call = streamed()
    call.dial()
    assert eventually(lambda: call_row(app, call.sid).listen == "live")
    second = connect(server, SIGNATURE)  # the call's own start again, token and all: a copy or a replay
    assert close_code(second, {"event": "connected"}, start(call.sid, token=token_of(call))) == 1008
    with pytest.raises(ConnectionClosed):
        second.send(json.dumps({"event": "stop"}))  # its stop ends nothing: it never had the call
    assert call.line.open and call_row(app, call.sid).listen == "live"
    call.line.drop()  # the first stream still holds the call: when it goes, <Record> takes over
    assert eventually(lambda: call_row(app, call.sid).listen == "lost")
    assert call.silence().waits_for == "record"


@pytest.fixture
def other_worker(settings):
    """A second app on the same database, served on its own port: another gunicorn worker, or node."""
    other = create_app(settings)
    httpd = make_server("127.0.0.1", 0, other, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()
    runtime(other).sessions.kw["bind"].dispose()


def at_once(sockets, message):
    """Send the message on every socket at the same moment; the close code of each (None: open)."""
    ready, codes = threading.Barrier(len(sockets)), [0] * len(sockets)

    def send(i):
        ready.wait()
        codes[i] = close_code(sockets[i], message, wait=1.0)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(sockets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


@pytest.mark.both_databases
def test_starts_for_one_call_at_once_on_two_workers_leave_one_stream(app, server, other_worker, phone):
    for _ in range(10):
        call = phone()
        call.dial()
        sockets = [connect(s, SIGNATURE) for s in (server, other_worker)]
        codes = at_once(sockets, start(call.sid, token=token_of(call)))
        assert sorted(codes, key=str) == [1008, None]  # one refused, one listening
        assert call_row(app, call.sid).listen == "live"
        sockets[codes.index(None)].close()  # the one that listens goes without a stop: the call is lost
        assert eventually(lambda sid=call.sid: call_row(app, sid).listen == "lost")
