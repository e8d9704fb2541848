"""Console fixtures: users of each role, logged-in clients with CSRF tokens, calls with turns."""

from __future__ import annotations

import io
import itertools
import re
import threading
import wave
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from ivr import recordings
from ivr.calls.messages import Incoming
from ivr.clock import day_of, day_start
from ivr.console.accounts import add_user
from ivr.runtime import runtime
from ivr.store.models import Account, Call, Message, Meter, Reading, Turn
from tests.conftest import NOW
from tests.sessions import session, transaction

BASE = "https://hotline.example"
PASSWORD = "correct horse battery"
ROLES = ("qa", "supervisor", "admin")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
MOSCOW = ZoneInfo("Europe/Moscow")
KNOWN = "+79161234567"  # on account 100001 (one zone, previous 1000)
STRANGER = "+79260000000"  # on no account
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]


def tone_wav(seconds: float = 2.0, rate: int = 8000) -> bytes:
    """A short audible WAV, like a caller's recording."""
    import math

    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(rate)
        frames = bytearray()
        for i in range(int(seconds * rate)):
            frames += int(8000 * math.sin(2 * math.pi * 440 * i / rate)).to_bytes(2, "little", signed=True)
        w.writeframes(bytes(frames))
    return out.getvalue()


class Console:
    """A test client logged in to the console, which sends the CSRF token with every form."""

    def __init__(self, client) -> None:  # noqa: ANN001
        self.client = client
        self.token = ""

    def get(self, path: str, **kw):  # noqa: ANN201
        response = self.client.get(BASE + path, **kw)
        found = TOKEN.search(response.get_data(as_text=True)) if response.mimetype == "text/html" else None
        self.token = found.group(1) if found else self.token
        return response

    def post(self, path: str, data: dict | None = None, csrf: bool = True, **kw):  # noqa: ANN201
        if csrf and not self.token:
            self.get("/console/login")
        form = {**({"csrf_token": self.token} if csrf else {}), **(data or {})}
        return self.client.post(BASE + path, data=form, headers={"Referer": BASE + "/console/"}, **kw)

    def login(self, name: str, password: str = PASSWORD):  # noqa: ANN201
        self.get("/console/login")
        return self.post("/console/login", {"name": name, "password": password})


@pytest.fixture
def users(app) -> dict[str, str]:
    """One user per role, named after the role."""
    with app.app_context(), transaction() as s:
        for role in ROLES:
            add_user(s, role, role, PASSWORD, NOW)
    return {role: role for role in ROLES}


@pytest.fixture
def anonymous(app) -> Console:
    return Console(app.test_client())


@pytest.fixture
def login(app, users):
    """login('qa') -> a Console logged in with that role."""

    def log_in(role: str) -> Console:
        console = Console(app.test_client())
        assert console.login(role).status_code == 302
        return console

    return log_in


@pytest.fixture
def server(app):
    """The console on a real HTTP server on 127.0.0.1, in a thread."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(5)


@pytest.fixture
def browser_context():
    """new(**options) -> a context of a real headless Chromium, Russian, 1280 px wide by default."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def new(**options: object):  # noqa: ANN202
            defaults = {"viewport": {"width": 1280, "height": 860}, "locale": "ru-RU"}
            return browser.new_context(**{**defaults, **options})

        yield new
        browser.close()


@pytest.fixture
def page(browser_context):
    return browser_context().new_page()


@dataclass
class MadeCall:
    sid: str
    call_id: int
    turn_ids: list[int]
    reading_id: int
    meter_id: int


@pytest.fixture
def make_call(app):
    """Store a finished call from +7 916 123-45-67: a voice turn, a keypad turn and a reading."""
    counter = iter(range(1, 1000))

    def make(
        flags: str = "HIGH",
        status: str = "accepted",
        value: int = 9999,
        outcome: str = "completed",
        started: datetime | None = None,
        duration: int = 42,
        caller: str = "+79161234567",
        reading: bool = True,
        account: str = "100001",
        operator: bool = True,
        end_reason: str | None = None,
    ) -> MadeCall:
        n = next(counter)
        now = runtime(app).clock.now().replace(microsecond=0)
        # Minutes ago, but never before midnight in Moscow (the console's days): a call made
        # "today" stays today at 00:01 too.
        midnight = day_start(today(), MOSCOW)
        started = started or max(now - timedelta(minutes=n), midnight + timedelta(seconds=n))
        sid = f"CA{n:032d}"
        recordings.store(runtime(app).config).save(f"{sid}/1.wav", tone_wav())  # a folder or S3
        with app.app_context(), transaction() as s:
            holder = s.scalars(select(Account).where(Account.number == account)).one()
            meter = s.scalars(select(Meter).where(Meter.serial == "M-1")).one()
            call = Call(
                sid=sid,
                caller=caller,
                caller_e164=caller,
                called="+74950000000",
                locale="ru",
                account_id=holder.id,
                state={},
                status="completed",
                outcome=outcome,
                end_reason=end_reason,
                started_at=started,
                ended_at=started + timedelta(seconds=duration),
                duration_s=duration,
                # A transfer dials the operator; without one the line apologises and hangs up.
                operator_dialled=outcome == "transferred" and operator,
            )
            s.add(call)
            s.flush()
            voice = Turn(
                call_id=call.id,
                seq=1,
                question="reading",
                kind="digits",
                mode="voice",
                prompt_id="reading",
                prompt_text=f"Ваш адрес: {holder.address}. Назовите показания.",
                asked_at=started,
                answered_at=started + timedelta(seconds=4),
                heard="девять девять",
                value=str(value),
                confidence=0.62,
                outcome="answered",
                decision="confirm",
                words=[
                    {"word": "девять", "conf": 0.93, "start": 0.1, "end": 0.5},
                    {"word": "девять", "conf": 0.31, "start": 0.6, "end": 1.0},
                ],
                asr_seconds=0.4,
                recording_path=f"{sid}/1.wav",
            )
            keys = Turn(
                call_id=call.id,
                seq=2,
                question="confirm",
                kind="yesno",
                mode="keypad",
                prompt_id="confirm",
                prompt_text="Верно?",
                asked_at=started + timedelta(seconds=5),
                answered_at=started + timedelta(seconds=7),
                keys="1",
                value="1",
                outcome="keys",
                decision="hangup",
            )
            s.add_all([voice, keys])
            s.flush()
            if not reading:
                return MadeCall(sid, call.id, [voice.id, keys.id], 0, meter.id)
            taken = Reading(
                meter_id=meter.id,
                zone=1,
                value=value,
                previous=meter.last_t1,
                previous_on=meter.last_read_on,
                consumption=value - (meter.last_t1 or 0),
                days=31,
                period=started.strftime("%Y-%m"),
                status=status,
                flags=flags,
                confidence=0.62,
                received_at=started + timedelta(seconds=8),
                call_id=call.id,
                turn_id=voice.id,
            )
            s.add(taken)
            if status == "accepted":
                meter.last_t1, meter.last_read_on = value, started.date()
            s.flush()
            return MadeCall(sid, call.id, [voice.id, keys.id], taken.id, meter.id)

    return make


def today() -> date:
    """Today in the utility's time zone (IVR_TIMEZONE's default) on the app's clock (NOW)."""
    return day_of(NOW, MOSCOW)


@pytest.fixture
def send(app):
    """send("100001 1100", sender=...) -> the stored Message, through the real MessageService."""
    ids = itertools.count(1)

    def message(body: str, sender: str = KNOWN, channel: str = "sms") -> Message:
        sid = f"SM{next(ids):032d}"
        with app.app_context():
            runtime(app).messages.receive(Incoming(channel, sid, sender, body, NOW))
            return session().scalars(select(Message).where(Message.external_id == sid)).one()

    return message
