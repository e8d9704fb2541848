"""No phone number and no address in any log line of the production shape: gunicorn, two workers,
signed calls, forged and broken requests, database errors and the console's number search."""

import os
import re
from datetime import timedelta

import pytest
import requests
from sqlalchemy import create_engine, text

from ivr.clock import server_today
from ivr.qa.driver import CallError, HttpTransport, TwilioCall
from tests.serving import free_port, gunicorn_logged, ivr

pytestmark = pytest.mark.both_databases  # SQL behaviour: see tests/conftest.py

TOKEN = "private-logs-token"
PASSWORD = "correct horse battery"
HIDDEN = "+266696687"  # what Twilio sends for a withheld number
UNKNOWN = "+79990001122"  # in no account
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# Four ways the operator's file writes a number: the logs must show none of them.
WRITTEN = [
    lambda d: f"8 ({d[:3]}) {d[3:6]}-{d[6:8]}-{d[8:]}",
    lambda d: f"+7 {d[:3]} {d[3:6]} {d[6:8]} {d[8:]}",
    lambda d: f"+7{d}",
    lambda d: f"8-{d[:3]}-{d[3:6]}-{d[6:8]}-{d[8:]}",
]


class Account:
    def __init__(self, i: int) -> None:
        self.number = f"55{i:05d}"
        self.digits = f"916{i:02d}{(i * 37) % 100:02d}{i + 40:03d}"  # ten digits after +7
        self.e164 = f"+7{self.digits}"
        self.written = WRITTEN[i % len(WRITTEN)](self.digits)
        street = "ул. Доменная" if i == 20 else ("ул. Тестовая" if i % 2 else "пр. Мира")
        self.house = f"д. {i}, кв. {i + 100}"
        self.address = f"{street}, {self.house}"


ACCOUNTS = [Account(i) for i in range(1, 21)]
FAILS_TO_START = ACCOUNTS[18]  # the database refuses this caller's call row
FAILS_AT_ADDRESS = ACCOUNTS[19]  # ... and the call state that reads out this address


def test_no_phone_number_or_address_reaches_any_log(db_url, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = prepared(db_url, tmp_path, base)
    with gunicorn_logged(env, port, tmp_path) as base:
        calls(base)
        forged_and_broken(base)
        console_searches(base)
    logs = {name: (tmp_path / name).read_text() for name in ("stderr.log", "error.log", "access.log")}
    everything = "\n".join(logs.values())
    # The paths that could leak did run, and were logged:
    assert len(re.findall(r'"POST /twilio/answer', logs["access.log"])) > 60
    assert '"POST /twilio/voice?From=' in logs["access.log"] and '" 403 ' in logs["access.log"]
    assert "/console/calls?caller=" in logs["access.log"]
    assert "webhook /twilio/voice failed" in logs["stderr.log"]
    assert "webhook /twilio/answer failed" in logs["stderr.log"]
    assert "forced failure" in logs["stderr.log"] and "Traceback" in logs["stderr.log"]
    assert "recording not fetched" in logs["stderr.log"]
    # ... and no number, in any format or encoding, and no address:
    digits_only = re.sub(r"%2B|%28|%29|%20|[\s()+-]", "", everything, flags=re.IGNORECASE)
    for account in ACCOUNTS:
        assert account.digits not in digits_only, f"{account.written} in the logs"
        assert account.house not in everything and account.address not in everything
    assert UNKNOWN[2:] not in digits_only


def prepared(db_url: str, folder, base: str) -> dict:
    """Migrate, import the accounts, add a supervisor, and make the database fail two call steps."""
    regions = folder / "regions.csv"
    regions.write_text("region,start_day,end_day\nТестовый край,1,31\n", encoding="utf-8")
    env = {**os.environ, "IVR_DATABASE_URL": db_url, "TWILIO_AUTH_TOKEN": TOKEN,
           "IVR_PUBLIC_URL": base, "IVR_REGIONS_FILE": str(regions),
           "IVR_RECORDINGS_DIR": str(folder / "recordings"), "IVR_SECRET_KEY": "private-logs"}  # fmt: skip
    env.pop("IVR_VOSK_MODEL", None)
    read_on = (server_today() - timedelta(days=30)).isoformat()  # the server runs on the real clock
    rows = [f'{a.number},{a.written},"{a.address}",Тестовый край,M-{a.number},1,6,100,,,{read_on}'
            for a in ACCOUNTS]  # fmt: skip
    accounts = folder / "accounts.csv"
    accounts.write_text("account,phones,address,region,meter,zones,digits,t1,t2,t3,read_on\n"
                        + "\n".join(rows) + "\n", encoding="utf-8")  # fmt: skip
    ivr(env, "db", "upgrade")
    ivr(env, "accounts", "import", str(accounts))
    ivr(env, "users", "add", "sup", "--role", "supervisor", "--password", PASSWORD)
    force_failures(db_url)
    return env


def force_failures(db_url: str) -> None:
    """Database errors whose statements carry a caller's number and an address as parameters."""
    engine = create_engine(db_url)
    number, street = FAILS_TO_START.e164, FAILS_AT_ADDRESS.address.split(",")[0]
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text(f"CREATE TRIGGER refuse_caller BEFORE INSERT ON calls "
                              f"WHEN NEW.caller_e164 = '{number}' "
                              f"BEGIN SELECT RAISE(ABORT, 'forced failure'); END"))  # fmt: skip
            conn.execute(text(f"CREATE TRIGGER refuse_address BEFORE UPDATE ON calls "
                              f"WHEN NEW.last_twiml LIKE '%{street}%' "
                              f"BEGIN SELECT RAISE(ABORT, 'forced failure'); END"))  # fmt: skip
        else:
            conn.execute(text("CREATE FUNCTION forced_failure() RETURNS trigger LANGUAGE plpgsql "
                              "AS $$ BEGIN RAISE EXCEPTION 'forced failure'; END $$"))  # fmt: skip
            conn.execute(
                text(
                    f"CREATE TRIGGER refuse_caller BEFORE INSERT ON calls FOR EACH ROW "
                    f"WHEN (NEW.caller_e164 = '{number}') EXECUTE FUNCTION forced_failure()"
                )
            )
            conn.execute(
                text(
                    f"CREATE TRIGGER refuse_address BEFORE UPDATE ON calls FOR EACH ROW "
                    f"WHEN (NEW.last_twiml LIKE '%{street}%') EXECUTE FUNCTION forced_failure()"
                )
            )
    engine.dispose()


def call(base: str, caller: str) -> TwilioCall:
    return TwilioCall(HttpTransport(), base, caller=caller, token=TOKEN)


def calls(base: str) -> None:
    """Complete keypad calls, a withheld number, an unknown one, and the two the database fails."""
    for account in ACCOUNTS[:16]:
        c = call(base, account.e164)
        c.dial(), c.press("1")  # readings
        assert c.press("1").waits_for == "gather"  # the address is right
        c.press("150#")
        assert c.press("1").waits_for == "hangup"
        c.hangup()
    for caller, account in ((HIDDEN, ACCOUNTS[16]), (UNKNOWN, ACCOUNTS[17])):
        c = call(base, caller)
        c.dial(), c.press("1")
        assert account.address.split(",")[0] in c.press(account.number + "#").text
        c.hangup()
    failing = call(base, FAILS_TO_START.e164)
    assert "<Redirect" in failing.post(base + "/twilio/voice", failing.params())[1]
    failing = call(base, FAILS_AT_ADDRESS.e164)
    failing.dial()
    try:
        failing.press("1")  # the state with the address is refused: an apology and a retry
    except CallError:
        pass
    failing.hangup()


def forged_and_broken(base: str) -> None:
    """A forged webhook with the number in its URL, and a recording URL that is not Twilio's."""
    victim = ACCOUNTS[0]
    forged = requests.post(f"{base}/twilio/voice?From=%2B7{victim.digits}", timeout=10,
                           data={"CallSid": "CA" + "f" * 32, "From": victim.e164},
                           headers={"X-Twilio-Signature": "bm9wZQ=="})  # fmt: skip
    assert forged.status_code == 403
    c = call(base, ACCOUNTS[1].e164)
    c.dial(), c.press("1")
    status, _ = c.post(
        c.heard.action,
        c.params(
            RecordingDuration="3",
            Digits="",
            RecordingUrl=f"https://evil.example/{ACCOUNTS[1].e164}/{ACCOUNTS[1].address}.wav",
        ),
    )
    assert status == 200
    c.hangup()


def console_searches(base: str) -> None:
    """A supervisor searches calls by number in every written format, and with an old bookmark's URL."""
    cookies: dict = {}

    def send(method: str, path: str, **kw) -> requests.Response:  # noqa: ANN003
        # The console's cookies are Secure, which requests keeps off plain http: send them by hand.
        r = requests.request(method, base + path, cookies=cookies, allow_redirects=False, timeout=10, **kw)
        cookies.update(r.cookies.get_dict())
        return r

    def token(path: str) -> str:
        return CSRF.search(send("GET", path).text).group(1)

    login = send("POST", "/console/login", data={"name": "sup", "password": PASSWORD,
                                                 "csrf_token": token("/console/login")})  # fmt: skip
    assert login.status_code == 302
    for account in ACCOUNTS[:4]:
        for written in (account.written, account.e164):
            form = {"caller": written, "csrf_token": token("/console/calls")}
            found = send("POST", "/console/calls", data=form)
            assert found.status_code == 303
            assert send("GET", found.headers["Location"].replace(base, "")).status_code == 200
    victim = ACCOUNTS[2]
    for query in (f"caller=%2B7{victim.digits}", "caller=" + requests.utils.quote(victim.written)):
        assert send("GET", f"/console/calls?{query}").status_code in (200, 400)
