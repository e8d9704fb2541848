"""Twilio delivering the same SMS several times at once, to two gunicorn workers: one reading, one reply."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import create_engine, func, select, text
from twilio.request_validator import RequestValidator

from ivr.store.models import Message, Reading
from tests.serving import free_port, gunicorn, ivr
from tests.telephony.conftest import accounts_csv, phone
from tests.telephony.test_races import at_once

TOKEN = "gunicorn-token"
MESSAGES = 40
DUPLICATES = 4


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def line(request, tmp_path_factory):
    """gunicorn -w 2 on a migrated database with MESSAGES accounts; yields (base URL, engine)."""
    folder = tmp_path_factory.mktemp(f"sms-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'ivr.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_database")
        with create_engine(url).begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    port = free_port()
    regions, accounts = folder / "regions.csv", folder / "accounts.csv"
    regions.write_text("region,start_day,end_day\nТестовый край,1,31\n", encoding="utf-8")
    accounts.write_text(accounts_csv(MESSAGES), encoding="utf-8")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("IVR_VOSK_MODEL")},
           "IVR_DATABASE_URL": url, "TWILIO_AUTH_TOKEN": TOKEN, "IVR_PUBLIC_URL": f"http://127.0.0.1:{port}",
           "IVR_INSTANCE_DIR": str(folder), "IVR_REGIONS_FILE": str(regions)}  # fmt: skip
    ivr(env, "db", "upgrade")
    ivr(env, "accounts", "import", str(accounts))
    db = create_engine(url)
    with gunicorn(env, port) as server:
        yield server.base, db
    db.dispose()


def test_a_message_delivered_several_times_at_once_stores_one_reading_and_answers_alike(line):
    base, db = line
    url = base + "/twilio/sms"

    def deliveries(n: int) -> list[requests.Response]:
        params = {"MessageSid": f"SM{n:032d}", "AccountSid": "AC" + "1" * 32, "From": phone(n),
                  "To": "+74950000000", "Body": f"{500000 + n} 1100", "NumMedia": "0"}  # fmt: skip
        headers = {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, params),
                   "Connection": "close"}  # fmt: skip
        return at_once(*[lambda: requests.post(url, data=params, headers=headers, timeout=30)] * DUPLICATES)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(deliveries, range(MESSAGES)))
    with db.connect() as conn:
        per_message = dict(conn.execute(select(Message.external_id, func.count(Reading.id))
                                        .outerjoin(Reading, Reading.message_id == Message.id)
                                        .group_by(Message.external_id)).all())  # fmt: skip
    found = {
        "HTTP errors": sum(r.status_code != 200 for rs in results for r in rs),
        "deliveries answered differently": sum(len({r.text for r in rs}) > 1 for rs in results),
        "replies that are no receipt": sum("Принято: 1 показание" not in rs[0].text for rs in results),
        "messages without their one reading": sum(
            per_message.get(f"SM{n:032d}") != 1 for n in range(MESSAGES)
        ),
    }
    assert found == dict.fromkeys(found, 0), f"of {MESSAGES} messages x {DUPLICATES} deliveries"


def test_the_rate_limit_holds_across_workers_when_one_sender_floods(line):
    base, db = line
    url, sender, limit = base + "/twilio/sms", phone(MESSAGES + 1), 10  # IVR_TEXT_RATE_LIMIT's default

    def message(n: int) -> requests.Response:
        params = {"MessageSid": f"SMf{n:031d}", "From": sender, "Body": "помощь", "NumMedia": "0"}
        headers = {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, params),
                   "Connection": "close"}  # fmt: skip
        return requests.post(url, data=params, headers=headers, timeout=30)

    replies = at_once(*[lambda n=n: message(n) for n in range(2 * limit)])
    with db.connect() as conn:
        statuses = list(
            conn.execute(select(Message.status).where(Message.external_id.like("SMf%"))).scalars()
        )
    assert [r.status_code for r in replies] == [200] * 2 * limit
    assert sorted(statuses) == ["help"] * limit + ["rate_limited"] * limit
    assert sum("Слишком много сообщений" in r.text for r in replies) == 1  # one polite reply, then silence
