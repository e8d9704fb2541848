"""The stream's socket under gunicorn, as production serves it: gunicorn hands over its socket, the
socket closes cleanly, and the worker serves on."""

import json
import os

import pytest
import requests
from twilio.request_validator import RequestValidator
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from ivr.telephony.signature import stream_url
from tests.conftest import ACCOUNT_SID, TOKEN
from tests.serving import free_port, gunicorn, ivr
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
