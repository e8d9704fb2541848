"""Telegram delivering the same update several times at once, to two gunicorn workers: one message,
one reading, one reply; `ivr outbox send` then sends each reply once."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import create_engine, func, select

from ivr.qa.bot_api import BotApi
from ivr.store.models import Message, Notice, Reading
from tests.serving import blank_database, free_port, gunicorn, ivr
from tests.telegram.conftest import SECRET, TOKEN, update
from tests.telephony.conftest import accounts_csv
from tests.telephony.test_races import at_once

UPDATES = 30
DUPLICATES = 4


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def bot_hotline(request, tmp_path_factory):
    """gunicorn -w 2 with a Telegram bot whose Bot API is a stand-in; (base URL, env, engine, stand-in)."""
    folder = tmp_path_factory.mktemp(f"telegram-{request.param}")
    url = blank_database(request.param, folder, lambda: request.getfixturevalue("pg_database"))
    regions, accounts = folder / "regions.csv", folder / "accounts.csv"
    regions.write_text("region,start_day,end_day\nТестовый край,1,31\n", encoding="utf-8")
    accounts.write_text(accounts_csv(UPDATES), encoding="utf-8")
    with BotApi(TOKEN) as bot:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("IVR_VOSK_MODEL")},
               "IVR_DATABASE_URL": url, "TWILIO_AUTH_TOKEN": "unused", "IVR_INSTANCE_DIR": str(folder),
               "IVR_REGIONS_FILE": str(regions), "IVR_TELEGRAM_BOT_TOKEN": TOKEN,
               "IVR_TELEGRAM_SECRET": SECRET, "IVR_TELEGRAM_API_URL": bot.url}  # fmt: skip
        ivr(env, "db", "upgrade")
        ivr(env, "accounts", "import", str(accounts))
        db = create_engine(url)
        with gunicorn(env, free_port()) as server:
            yield server.base, env, db, bot
        db.dispose()


def test_an_update_delivered_several_times_at_once_is_taken_once_and_answered_once(bot_hotline):
    base, env, db, bot = bot_hotline
    url = base + "/telegram/webhook"

    def deliveries(n: int) -> list[requests.Response]:
        body = json.dumps(update(700000 + n, 5_000_000_000 + n, text=f"{500000 + n} 1100"))
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        return at_once(*[lambda: requests.post(url, data=body, headers=headers, timeout=30)] * DUPLICATES)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(deliveries, range(UPDATES)))
    assert ivr(env, "outbox", "send").returncode == 0
    with db.connect() as conn:
        per_update = dict(conn.execute(select(Message.external_id, func.count(Reading.id))
                                       .outerjoin(Reading, Reading.message_id == Message.id)
                                       .group_by(Message.external_id)).all())  # fmt: skip
        notices = conn.scalar(select(func.count()).select_from(Notice))
    sent = bot.delivered()
    found = {
        "answers other than an empty 200": sum(
            (r.status_code, r.text) != (200, "{}") for rs in results for r in rs
        ),
        "updates without their one reading": sum(
            per_update.get(str(700000 + n)) != 1 for n in range(UPDATES)
        ),
        "notices beyond one per update": notices - UPDATES,
        "chats without exactly one reply": sum(
            [s.chat_id for s in sent].count(str(5_000_000_000 + n)) != 1 for n in range(UPDATES)
        ),
        "replies that are no receipt": sum(not s.text.startswith("Принято: 1 показание") for s in sent),
    }
    assert found == dict.fromkeys(found, 0), f"of {UPDATES} updates x {DUPLICATES} deliveries"
