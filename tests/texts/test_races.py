"""Twilio delivering the same SMS several times at once, to two gunicorn workers: one reading, one reply."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from ivr.store.models import Message, Reading
from tests.telephony.conftest import CALLERS, Hotline, phone
from tests.telephony.conftest import hotline as hotline  # gunicorn -w 2 on SQLite and PostgreSQL
from tests.telephony.test_races import at_once

pytestmark = pytest.mark.both_databases  # SQL behaviour: see tests/conftest.py

MESSAGES = 40
DUPLICATES = 4


def test_a_message_delivered_several_times_at_once_stores_one_reading_and_answers_alike(hotline: Hotline):
    url = hotline.base + "/twilio/sms"

    def deliveries(n: int) -> list[requests.Response]:
        params = {"MessageSid": f"SM{n:032d}", "AccountSid": "AC" + "1" * 32, "From": phone(n),
                  "To": "+74950000000", "Body": f"{500000 + n} 1100", "NumMedia": "0"}  # fmt: skip
        return at_once(*[lambda: hotline.post(url, params)] * DUPLICATES)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(deliveries, range(MESSAGES)))
    with hotline.db.connect() as conn:
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


def test_the_rate_limit_holds_across_workers_when_one_sender_floods(hotline: Hotline):
    url, sender, limit = hotline.base + "/twilio/sms", phone(CALLERS + 1), 10  # IVR_TEXT_RATE_LIMIT's default

    def message(n: int) -> requests.Response:
        params = {"MessageSid": f"SMf{n:031d}", "From": sender, "Body": "помощь", "NumMedia": "0"}
        return hotline.post(url, params)

    replies = at_once(*[lambda n=n: message(n) for n in range(2 * limit)])
    with hotline.db.connect() as conn:
        statuses = list(
            conn.execute(select(Message.status).where(Message.external_id.like("SMf%"))).scalars()
        )
    assert [r.status_code for r in replies] == [200] * 2 * limit
    assert sorted(statuses) == ["help"] * limit + ["rate_limited"] * limit
    assert sum("Слишком много сообщений" in r.text for r in replies) == 1  # one polite reply, then silence
