"""Black box: `ivr serve` driven over HTTP exactly as Twilio would, knowing only the contract."""

import csv
import io
import os
from datetime import timedelta

import pytest
import requests

from ivr.clock import server_today
from ivr.qa.driver import HttpTransport, TwilioCall
from tests.serving import free_port, ivr, serving

TOKEN = "blackbox-token"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("blackbox")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    regions = folder / "regions.csv"
    regions.write_text("region,start_day,end_day\nТестовый край,1,31\n", encoding="utf-8")
    env = {
        **os.environ,
        "IVR_DATABASE_URL": f"sqlite:///{folder / 'ivr.sqlite3'}",
        "TWILIO_AUTH_TOKEN": TOKEN,
        "IVR_PUBLIC_URL": base,
        "IVR_REGIONS_FILE": str(regions),
        "IVR_RECORDINGS_DIR": str(folder / "rec"),
    }
    env.pop("IVR_VOSK_MODEL", None)
    read_on = (server_today() - timedelta(days=30)).isoformat()  # the server runs on the real clock
    accounts = folder / "accounts.csv"
    accounts.write_text(
        "account,phones,address,region,meter,zones,digits,t1,t2,t3,read_on\n"
        f'0077001,8 (916) 700-00-01,"ул. Чёрная, 1",Тестовый край,BB-1,2,6,100,50,,{read_on}\n'
        f'0077001,8 (916) 700-00-01,"ул. Чёрная, 1",Тестовый край,BB-2,1,5,99990,,,{read_on}\n',
        encoding="utf-8",
    )
    ivr(env, "db", "upgrade")
    ivr(env, "accounts", "import", str(accounts))
    with serving(env, port):
        yield base, env


def test_healthz_reports_database_and_keypad_only_speech(server):
    base, _ = server
    body = requests.get(base + "/healthz", timeout=5).json()
    assert body["database"] == "ok" and "version" in body
    assert all("keypad" in v for v in body["speech"].values())


def test_a_keypad_call_over_http_lands_in_the_export(server):
    base, env = server
    call = TwilioCall(HttpTransport(), base, caller="+79167000001", token=TOKEN)
    heard = call.dial()
    assert heard.waits_for == "gather"  # no speech model: keypad from the first question
    assert "ул. Чёрная, 1" in call.press("1").text
    call.press("1")
    for value in ("150#", "1", "80#", "1", "00005#"):
        heard = call.press(value)
    assert heard.waits_for == "gather"
    heard = call.press("1")
    assert heard.waits_for == "hangup"
    assert call.hangup()[0] in (200, 204)
    out = ivr(env, "readings", "export")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [
        (r["account"], r["meter"], r["zone"], r["value"], r["consumption"], r["status"], r["flags"])
        for r in rows
    ] == [
        ("0077001", "BB-1", "T1", "150", "50", "accepted", ""),
        ("0077001", "BB-1", "T2", "80", "30", "accepted", ""),
        ("0077001", "BB-2", "T1", "5", "15", "accepted", "ROLLOVER"),
    ]
    assert all(r["call_sid"] == call.sid and r["channel"] == "ivr" for r in rows)


def test_unsigned_or_forged_requests_get_403_over_http(server):
    base, _ = server
    params = {"CallSid": "CAforged", "From": "+79167000001"}
    assert requests.post(base + "/twilio/voice", data=params, timeout=5).status_code == 403
    forged = requests.post(
        base + "/twilio/voice", data=params, timeout=5, headers={"X-Twilio-Signature": "bm9wZQ=="}
    )
    assert forged.status_code == 403
