"""A streamed line: the app served on a loopback port, Twilio's REST API emulated beside it."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from ivr.qa.streams import StreamedCall
from ivr.qa.twilio_api import Rerouted, TwilioApi
from ivr.store.models import Call, Turn
from tests.conftest import ACCOUNT_SID, PUBLIC_URL, TOKEN
from tests.sessions import session


@pytest.fixture
def twilio_api():
    api = TwilioApi(ACCOUNT_SID, TOKEN)
    yield api
    api.close()


@pytest.fixture
def settings(settings, twilio_api):
    return {**settings, "IVR_LISTEN": "stream", "IVR_TWILIO_API_URL": twilio_api.url}


@pytest.fixture
def server(app):
    """The app on a real server, as Twilio reaches it: webhooks and the media stream's socket."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def streamed(server, twilio_api, recordings):
    """Start a streamed call: streamed('+79161234567', locale='ko', speed=4.0)."""
    recordings.mock.add_passthru("http://127.0.0.1")  # the app, and the REST API it moves calls with
    calls = []

    def call(caller="+79161234567", locale=None, speed=8.0) -> StreamedCall:
        c = StreamedCall(Rerouted(PUBLIC_URL, f"http://{server}"), PUBLIC_URL, caller=caller, token=TOKEN,
                         account_sid=ACCOUNT_SID, recordings=recordings, ws_base=f"ws://{server}",
                         api=twilio_api, speed=speed)  # fmt: skip
        if locale:
            c.voice_path = f"/twilio/voice?locale={locale}"
        calls.append(c)
        return c

    yield call
    for c in calls:
        if c.line is not None and c.line.open:
            c.line.stop()


def call_row(app, sid):
    with app.app_context():
        return session().scalars(select(Call).where(Call.sid == sid)).one()


def turns(app, sid):
    with app.app_context():
        call = session().scalars(select(Call).where(Call.sid == sid)).one()
        return session().scalars(select(Turn).where(Turn.call_id == call.id).order_by(Turn.seq)).all()


from tests.speech.conftest import ko_model, ko_model_dir, korean  # noqa: E402,F401 - shared fixtures
