"""The media stream's socket: signed upgrades only, Twilio's protocol, live calls only, caps."""

import json
import time
import xml.etree.ElementTree as ET

import pytest
from twilio.request_validator import RequestValidator
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.protocol import State
from websockets.sync.client import connect as open_socket

from ivr import create_app
from ivr.runtime import runtime
from ivr.settings import ConfigError
from ivr.telephony.media import MAX_STREAMS
from ivr.telephony.signature import stream_token
from tests.conftest import ACCOUNT_SID, PUBLIC_URL, TOKEN
from tests.stream.conftest import call_row

STREAM = "wss://hotline.example/twilio/stream"


def test_stream_mode_refuses_to_start_without_what_the_rest_api_and_twilio_need(tmp_path):
    base = {"IVR_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "RECOGNIZERS": {}, "IVR_LISTEN": "stream"}
    with pytest.raises(
        ConfigError, match="IVR_LISTEN: stream needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"
    ):
        create_app({**base, "IVR_PUBLIC_URL": PUBLIC_URL})
    with pytest.raises(ConfigError, match="IVR_LISTEN: stream needs IVR_PUBLIC_URL"):
        create_app({**base, "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": TOKEN})
    with pytest.raises(ConfigError, match="IVR_LISTEN: 'rtp' is not one of record, stream"):
        create_app({**base, "IVR_LISTEN": "rtp"})


def test_the_greeting_starts_the_stream_and_voice_questions_take_keys_while_it_listens(phone):
    body = phone().post(PUBLIC_URL + "/twilio/voice", phone().params())[1]
    root = ET.fromstring(body)
    assert [v.tag for v in root] == ["Start", "Gather", "Pause", "Redirect"]
    stream = root.find("Start/Stream")
    assert (stream.get("url"), stream.get("track")) == (STREAM, "inbound_track")
    gather = root.find("Gather")
    assert gather.get("input") == "dtmf" and gather.get("numDigits") == "1"
    assert [v.tag for v in gather] == ["Say", "Say"] and "q=1" in gather.get("action")
    assert root.find("Record") is None and "silence?q=1" in root.find("Redirect").text


@pytest.mark.settings(RECOGNIZERS={})
def test_a_line_without_speech_starts_no_stream(phone):
    assert "<Start>" not in phone().post(PUBLIC_URL + "/twilio/voice", phone().params())[1]


def connect(server, signature):
    return open_socket(
        f"ws://{server}/twilio/stream",
        additional_headers={"X-Twilio-Signature": signature} if signature else None,
        legacy=True,
    )


@pytest.mark.parametrize("signature", [None, "forged", RequestValidator("another-token").compute_signature(STREAM, {}),
                                       RequestValidator(TOKEN).compute_signature(STREAM + "?x=1", {})],
                         ids=["unsigned", "forged", "other-token", "other-url"])  # fmt: skip
def test_an_upgrade_without_a_good_signature_is_refused_with_403_before_upgrading(server, signature):
    with pytest.raises(InvalidStatus) as refused:
        connect(server, signature)
    assert refused.value.response.status_code == 403


def test_the_upgrade_signature_covers_the_query(server):
    signed = RequestValidator(TOKEN).compute_signature(STREAM + "?line=2", {})
    ws = open_socket(
        f"ws://{server}/twilio/stream?line=2", additional_headers={"X-Twilio-Signature": signed}, legacy=True
    )
    assert ws.protocol.state is State.OPEN
    ws.close()


def closed_after(ws, *messages) -> bool:
    """Send messages; say whether the app closed the socket."""
    try:
        for message in messages:
            ws.send(message if isinstance(message, str) else json.dumps(message))
        ws.recv(timeout=3)
    except ConnectionClosed:
        return True
    except TimeoutError:
        pass
    return ws.protocol.state is not State.OPEN


def start(sid, account=ACCOUNT_SID, encoding="audio/x-mulaw", token=None):
    """Twilio's start for the call, with the token its greeting's <Parameter> carries (by default)."""
    return {
        "event": "start",
        "start": {
            "callSid": sid,
            "accountSid": account,
            "streamSid": "MZ1",
            "customParameters": {"token": stream_token(TOKEN, sid) if token is None else token},
            "mediaFormat": {"encoding": encoding, "sampleRate": 8000, "channels": 1},
        },
    }


@pytest.mark.parametrize("messages", [
    pytest.param(lambda sid: [start("CA" + "9" * 32)], id="not-our-call"),
    pytest.param(lambda sid: [start(sid, account="AC" + "2" * 32)], id="another-account"),
    pytest.param(lambda sid: [start(sid, encoding="audio/l16")], id="not-mu-law"),
    pytest.param(lambda sid: ["not json"], id="not-json"),
    pytest.param(lambda sid: [{"event": "media", "media": {"payload": "AAAA"}}], id="media-before-start"),
    pytest.param(lambda sid: [start(sid), {"event": "media", "media": {"payload": "@@@"}}], id="bad-base64"),
    pytest.param(lambda sid: [start(sid), {"event": "media", "media": {"payload": "A" * 4000}}], id="payload-cap"),
    pytest.param(lambda sid: [start(sid), {"event": "mark", "pad": "x" * 9000}], id="message-cap"),
])  # fmt: skip
def test_a_peer_that_breaks_the_protocol_or_is_not_our_call_is_closed(server, phone, messages):
    call = phone()
    call.dial()
    ws = connect(server, RequestValidator(TOKEN).compute_signature(STREAM, {}))
    assert closed_after(ws, {"event": "connected"}, *messages(call.sid))


def test_a_stream_for_an_ended_call_is_closed(server, phone):
    call = phone()
    call.dial()
    call.hangup()
    ws = connect(server, RequestValidator(TOKEN).compute_signature(STREAM, {}))
    assert closed_after(ws, {"event": "connected"}, start(call.sid))


def eventually(check, seconds=3.0) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_started_stream_makes_the_call_live_and_a_stop_ends_it_quietly(app, streamed):
    call = streamed()
    call.dial()
    assert eventually(lambda: call_row(app, call.sid).listen == "live")
    call.line.stop()
    time.sleep(0.3)
    assert call_row(app, call.sid).listen == "live"  # the call ended; nothing was lost


def test_a_dropped_stream_puts_the_call_on_record_from_the_next_question(app, streamed):
    call = streamed()
    assert call.dial().waits_for == "gather"
    assert eventually(lambda: call_row(app, call.sid).listen == "live")
    call.line.drop()
    assert eventually(lambda: call_row(app, call.sid).listen == "lost")
    again = call.silence()  # the caller's words went nowhere: the question's own timer moves on
    assert again.waits_for == "record" and "Start" not in again.says


def test_streams_over_the_process_cap_are_refused_with_503(app, server, phone):
    slots = runtime(app).streams
    held = MAX_STREAMS - 1  # all but one slot are taken
    for _ in range(held):
        slots.acquire()
    try:
        first = connect(server, RequestValidator(TOKEN).compute_signature(STREAM, {}))
        with pytest.raises(InvalidStatus) as refused:
            connect(server, RequestValidator(TOKEN).compute_signature(STREAM, {}))
        assert refused.value.response.status_code == 503
        first.close()
    finally:
        for _ in range(held):
            slots.release()


def test_a_stream_that_never_connects_leaves_the_call_on_record_after_the_first_question(app, phone):
    call = phone()  # Twilio could not reach the socket: no stream ever starts
    assert call.dial().waits_for == "gather"
    assert call.silence().waits_for == "record"
    assert call_row(app, call.sid).listen == "starting"


def test_listening_stops_the_prompt_keeps_keys_and_outlasts_the_longest_answer(phone):
    call = phone()
    call.dial()
    body = call.post(PUBLIC_URL + "/twilio/listening?q=1", call.params())[1]
    root = ET.fromstring(body)
    gather = root.find("Gather")
    assert [v.tag for v in root] == ["Gather", "Redirect"] and [v.tag for v in gather] == ["Pause"]
    assert gather.get("numDigits") == "1" and "answer?q=1" in gather.get("action")
    assert int(gather.find("Pause").get("length")) > 5  # the intent answer's longest
    assert "silence?q=1" in root.find("Redirect").text


def test_listening_after_the_answer_was_taken_goes_on_with_the_call(phone):
    call = phone()
    call.dial()
    call.press("1")  # the intent, by key: the call moved on before Twilio fetched the listening TwiML
    body = call.post(PUBLIC_URL + "/twilio/listening?q=1", call.params())[1]
    assert "<Pause" not in body and "q=2" in body
