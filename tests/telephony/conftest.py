"""A hotline as in production: gunicorn, two workers, on SQLite or PostgreSQL, driven over HTTP."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

import pytest
import requests
from sqlalchemy import Engine, create_engine, func, select
from twilio.request_validator import RequestValidator

from ivr.clock import server_today
from ivr.qa.driver import Heard, HttpTransport, TwilioCall
from ivr.qa.replay import question_seq
from ivr.store.models import Call, Reading, Turn
from tests.serving import Gunicorn, blank_database, free_port, gunicorn, ivr

TOKEN = "gunicorn-token"
CALLERS = 300
READING = "1100#"  # against 1000 a month ago: an ordinary use


def phone(n: int) -> str:
    return f"+7916{n:07d}"


def accounts_csv(callers: int) -> str:
    """One account per caller, one single-zone meter each: calls race their own rows only."""
    read_on = (server_today() - timedelta(days=30)).isoformat()  # the server runs on the real clock
    rows = [f'{500000 + n},{phone(n)},"ул. Гонок, д. {n}",Тестовый край,R-{n},1,6,1000,,,{read_on}'
            for n in range(callers)]  # fmt: skip
    return "account,phones,address,region,meter,zones,digits,t1,t2,t3,read_on\n" + "\n".join(rows) + "\n"


class FreshConnections(HttpTransport):
    """A connection per webhook, as Twilio's come seconds apart: none is left open to a killed worker."""

    def post(self, url: str, params: dict, headers: dict) -> tuple[int, str]:
        return super().post(url, params, {**headers, "Connection": "close"})


@dataclass
class Hotline:
    server: Gunicorn
    env: dict
    db: Engine

    @property
    def base(self) -> str:
        return self.server.base

    def call(self, n: int) -> TwilioCall:
        """A call from caller n."""
        return TwilioCall(FreshConnections(timeout=30), self.base, caller=phone(n), token=TOKEN)

    def post(self, url: str, params: dict) -> requests.Response:
        """One signed webhook on a connection of its own, safe to send from any thread."""
        signature = RequestValidator(TOKEN).compute_signature(url, params)
        return requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=30)

    def readings(self, sids: list[str]) -> dict[str, int]:
        """Readings stored per call."""
        with self.db.connect() as conn:
            rows = conn.execute(select(Call.sid, func.count(Reading.id))
                                .outerjoin(Reading, Reading.call_id == Call.id)
                                .where(Call.sid.in_(sids)).group_by(Call.sid)).all()  # fmt: skip
        return {sid: 0 for sid in sids} | dict(rows)

    def outcomes(self, sids: list[str]) -> dict[str, str | None]:
        with self.db.connect() as conn:
            return dict(conn.execute(select(Call.sid, Call.outcome).where(Call.sid.in_(sids))).all())

    def turns(self, sid: str) -> list[tuple[int, bool]]:
        """The call's turns as (seq, answered), in the order they were asked."""
        with self.db.connect() as conn:
            rows = conn.execute(select(Turn.seq, Turn.answered_at.is_not(None)).join(Call)
                                .where(Call.sid == sid).order_by(Turn.id)).all()  # fmt: skip
        return [tuple(r) for r in rows]


def to_read_back(call: TwilioCall) -> Heard:
    """Dial, choose readings, confirm the address, give the reading: the call waits at the read-back."""
    call.dial()
    call.press("1")
    call.press("1")
    heard = call.press(READING)
    assert heard.waits_for == "gather" and question_seq(heard) == 4, heard  # the fourth question
    return heard


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def hotline(request, tmp_path_factory) -> Hotline:
    """gunicorn --preload -w 2 --threads 4 wsgi:app on a migrated database with CALLERS accounts."""
    folder = tmp_path_factory.mktemp(f"hotline-{request.param}")
    url = blank_database(request.param, folder, lambda: request.getfixturevalue("pg_database"))
    port = free_port()
    regions, accounts = folder / "regions.csv", folder / "accounts.csv"
    regions.write_text("region,start_day,end_day\nТестовый край,1,31\n", encoding="utf-8")
    accounts.write_text(accounts_csv(CALLERS), encoding="utf-8")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("IVR_VOSK_MODEL")},
           "IVR_DATABASE_URL": url, "TWILIO_AUTH_TOKEN": TOKEN, "IVR_PUBLIC_URL": f"http://127.0.0.1:{port}",
           "IVR_INSTANCE_DIR": str(folder), "IVR_REGIONS_FILE": str(regions),
           "IVR_RECORDINGS_DIR": str(folder / "recordings")}  # fmt: skip
    ivr(env, "db", "upgrade")
    ivr(env, "accounts", "import", str(accounts))
    db = create_engine(url)
    with gunicorn(env, port) as server:
        yield Hotline(server, env, db)
    db.dispose()
