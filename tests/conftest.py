"""Shared fixtures: an app on SQLite or PostgreSQL, demo accounts, and a Twilio-like caller."""

from __future__ import annotations

import io
import itertools
import logging
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
import responses
from sqlalchemy import Engine, create_engine, select, text

from ivr import create_app
from ivr.qa.driver import FlaskTransport, TwilioCall
from ivr.runtime import runtime
from ivr.speech.recognizer import Recognition
from ivr.store.accounts_csv import import_accounts
from ivr.store.migrate import upgrade
from tests.databases import PgCopy, sqlite_copy
from tests.sessions import transaction

TOKEN = "test-auth-token"
ACCOUNT_SID = "AC" + "1" * 32
PUBLIC_URL = "https://hotline.example"
RECORDINGS = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/"
PG_URL = os.environ.get("IVR_TEST_POSTGRES_URL")
CHEAP_HASH = "pbkdf2:sha256:1"  # console passwords: the product's scrypt costs 0.1 s a hash
NOW = datetime(2026, 11, 17, 12, 0)  # inside Moscow's window (15-20)

ACCOUNTS_CSV = """account,phones,address,region,meter,zones,digits,t1,t2,t3,read_on
100001,8 (916) 123-45-67,"ул. Ленина, д. 1, кв. 1",Москва,M-1,1,6,1000,,,2026-10-17
200002,+7 (499) 550-9-550;8-495-728-70-10,"ул. Мира, д. 2",Москва,M-2,2,6,5000,3000,,2026-10-17
200002,+7 (499) 550-9-550,"ул. Мира, д. 2",Москва,M-3,3,6,100,200,300,2026-10-17
300003,+79031112233,"пр. Ленинский, д. 3",Якутия,M-4,1,5,99500,,,2026-10-17
400004,+79031112233,"ул. Садовая, д. 4",Москва,M-5,1,6,1000,,,2026-10-17
"""


def pytest_report_header() -> str:
    if PG_URL:
        return f"PostgreSQL tests: on ({PG_URL.rsplit('@', 1)[-1]})"
    return "PostgreSQL tests: skipped (set IVR_TEST_POSTGRES_URL to run them)"


@pytest.fixture(autouse=True)
def ivr_logger_level_restored() -> Iterator[None]:
    """`ivr replay` quiets the "ivr" logger for its table; the tests after it in this worker log (caplog)."""
    level = logging.getLogger("ivr").level
    yield
    logging.getLogger("ivr").setLevel(level)


@pytest.fixture(scope="session", autouse=True)
def instance_outside_the_checkout(tmp_path_factory) -> None:
    """Apps made by tests, in this process or in `ivr` subprocesses, keep their instance folder
    (default database, secret key) in a temporary folder: a test run leaves the checkout as it was."""
    os.environ["IVR_INSTANCE_DIR"] = str(tmp_path_factory.mktemp("instance"))


def pytest_generate_tests(metafunc) -> None:
    """Tests on a database run on SQLite; those marked `both_databases` on PostgreSQL as well."""
    if "db_url" not in metafunc.fixturenames or any(
        "db_url" in (names.replace(" ", "").split(",") if isinstance(names, str) else names)
        for names in (m.args[0] for m in metafunc.definition.iter_markers("parametrize"))
    ):
        return  # no database, or the test names its own
    both = metafunc.definition.get_closest_marker("both_databases")
    postgres = pytest.param("postgres", marks=pytest.mark.postgres)
    metafunc.parametrize("db_url", ["sqlite", postgres] if both else ["sqlite"], indirect=True)


def prepare(url: str) -> None:
    """Migrate a database and import the test accounts into it."""
    app = create_app({"IVR_DATABASE_URL": url, "RECOGNIZERS": {}, "SECRET_KEY": "test-secret"})
    with app.app_context():
        upgrade(runtime(app).sessions)
        with transaction() as s:
            import_accounts(s, io.StringIO(ACCOUNTS_CSV))
    runtime(app).sessions.kw["bind"].dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite database migrated once a test worker, holding the test accounts; tests get copies."""
    path = tmp_path_factory.mktemp("template") / "ivr.sqlite3"
    prepare(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    """A connection to the PostgreSQL server that creates and drops the test databases."""
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set IVR_TEST_POSTGRES_URL")
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        admin.connect().close()
    except Exception as e:  # noqa: BLE001
        admin.dispose()
        pytest.skip(f"PostgreSQL at {PG_URL} is not reachable: {e}")
    yield admin
    admin.dispose()


def pg_name(purpose: str) -> str:
    # The pid keeps two test runs on one server (two developers, or CI) out of each other's way.
    return f"ivr_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}_{purpose}"


@contextmanager
def pg_created(admin: Engine, name: str) -> Iterator[str]:
    """A new, empty database on the server, dropped afterwards; its URL."""
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_database(pg_admin) -> Iterator[str]:
    """An empty database of this test worker's own on the PostgreSQL server."""
    with pg_created(pg_admin, pg_name("db")) as url:
        yield url


@pytest.fixture(scope="session")
def pg_copy(pg_admin) -> Iterator[PgCopy]:
    """A PostgreSQL database migrated once a test worker, holding the test accounts, and its copy."""
    with pg_created(pg_admin, pg_name("template")) as url:
        prepare(url)
        copy = PgCopy(pg_admin, template=pg_name("template"), name=pg_name("test"))
        yield copy
        copy.drop()


@pytest.fixture
def pg_url(pg_copy) -> str:
    """A migrated PostgreSQL database holding the test accounts, as the template left it."""
    return pg_copy.reset()


@pytest.fixture
def db_url(request, tmp_path) -> str:
    """A migrated database holding the test accounts, fresh for each test."""
    if request.param == "postgres":
        return request.getfixturevalue("pg_url")
    return sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path / "ivr.sqlite3")


class TranscriptRecognizer:
    """A test double: the 'audio' is the transcript, optionally prefixed with 'confidence|'."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.calls = 0

    def recognize(self, audio: bytes, kind: str) -> Recognition:
        self.calls += 1
        body = audio.decode("utf-8")
        conf, _, transcript = body.rpartition("|")
        return Recognition(transcript, float(conf) if conf else 0.95)


class MockedRecordings:
    """Serves caller audio at Twilio-like recording URLs, through `responses`."""

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.mock = mock
        self.ids = itertools.count(1)

    def publish(self, audio: bytes) -> str:
        url = f"{RECORDINGS}RE{next(self.ids):032d}"
        self.mock.add(responses.GET, re.compile(re.escape(url) + r"(\.wav)?$"), body=audio)
        return url


@pytest.fixture
def settings(request, db_url, tmp_path) -> dict:
    """The app's settings; a test changes some with @pytest.mark.settings(IVR_...=...)."""
    marker = request.node.get_closest_marker("settings")
    defaults = {
        "TESTING": True,
        "IVR_DATABASE_URL": db_url,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "IVR_PUBLIC_URL": PUBLIC_URL,
        "IVR_RECORDINGS_DIR": str(tmp_path / "recordings"),
        "IVR_RECORDING_BUDGET_S": 1.0,
        "IVR_CLOCK": lambda: NOW,
        "RECOGNIZERS": {code: TranscriptRecognizer(code) for code in ("ru", "en")},
        "SECRET_KEY": "test-secret",
        "PASSWORD_HASH_METHOD": CHEAP_HASH,
    }
    return {**defaults, **(marker.kwargs if marker else {})}


@contextmanager
def migrated_app(settings: dict) -> Iterator:
    """An app on its settings' database (db_url's: migrated, with the test accounts); its engine
    closed afterwards."""
    app = create_app(settings)
    yield app
    runtime(app).sessions.kw["bind"].dispose()


@pytest.fixture
def app(settings):
    with migrated_app(settings) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def recordings():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield MockedRecordings(mock)


@pytest.fixture
def phone(app, recordings):
    """Start a call from a number: phone('+79161234567')."""

    def call(caller: str = "+79161234567", sid: str | None = None) -> TwilioCall:
        c = TwilioCall(FlaskTransport(app), PUBLIC_URL, caller=caller, token=TOKEN,
                       account_sid=ACCOUNT_SID, recordings=recordings)  # fmt: skip
        if sid:
            c.sid = sid
        return c

    return call


def say(call: TwilioCall, transcript: str):
    """Answer the current voice question with a transcript the test recogniser 'hears'."""
    return call.say(transcript.encode("utf-8"))


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """An S3-compatible server (moto's server mode) in the test process, on a free port."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer("127.0.0.1", 0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_server, monkeypatch, tmp_path) -> dict:
    """A fresh bucket on the S3 server, and the settings that keep caller audio in it."""
    import boto3

    aws = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}  # fmt: skip
    for name, value in aws.items():
        monkeypatch.setenv(name, value)
    bucket = f"recordings-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_server).create_bucket(Bucket=bucket)
    return {"IVR_RECORDINGS_URL": f"s3://{bucket}/hotline", "IVR_STORAGE_ENDPOINT_URL": s3_server}


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:8]


def store_readings(s, serial: str, values: list[int], now: datetime, told=(), insist: bool = False):  # noqa: ANN001, ANN201
    """Store a meter's readings at `now` as the hotline does: each zone judged on its region's day
    by the product's judgement, then saved under the meter's lock. `told` are the channel's flags;
    `insist` takes a lower value as a caller who gave it twice."""
    from ivr.flows import SaveMeter, ZoneReading, judge
    from ivr.flows.regions import load
    from ivr.store.directory import StoreDirectory
    from ivr.store.models import Account, Meter
    from ivr.store.readings import save_meter

    regions = load(None)
    meter = s.scalars(select(Meter).where(Meter.serial == serial)).one()
    account = s.get(Account, meter.account_id)
    info = next(m for m in StoreDirectory(s, regions, now).account(account.number).meters if m.id == meter.id)
    day, window = regions.day(account.region, now), regions.window(account.region)
    readings = []
    for zone, value in zip(info.zones, values):  # the first zones: a test may give fewer
        v = judge(str(value), info.digits, zone, day, window, told, value if insist else None)
        assert v.outcome == "accept", v
        readings.append(ZoneReading(zone.zone, v.value, v.flags, None, v.period, use=v.consumption))
    return save_meter(s, SaveMeter(meter.id, tuple(readings)), regions, now)
