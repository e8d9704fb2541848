"""SQL statements and transactions per webhook of a keypad call, on SQLite or PostgreSQL.

    python benchmarks/statements.py [DATABASE_URL]

Counts what the engine executes for each webhook of one keypad call (greeting, intent, address,
reading, confirmation that saves the meter). It runs on older commits too, to compare.
"""

from __future__ import annotations

import io
import sys
import tempfile
from collections import Counter

from sqlalchemy import event

from ivr import create_app
from ivr.qa.driver import FlaskTransport, TwilioCall
from ivr.runtime import runtime
from ivr.store.accounts_csv import import_accounts
from ivr.store.database import transaction
from ivr.store.migrate import upgrade

ACCOUNTS = (
    "account,phones,address,region,meter,zones,digits,t1,t2,t3,read_on\n"
    '100001,+79161234567,"ул. Ленина, д. 1",Москва,M-1,1,6,1000,,,2026-10-17\n'
)
TOKEN, BASE = "bench-token", "https://hotline.example"


def hotline(url: str):  # noqa: ANN201
    """The app on a migrated database with one account, keypad only, signed by TOKEN at BASE."""
    app = create_app({"IVR_DATABASE_URL": url, "TWILIO_AUTH_TOKEN": TOKEN, "IVR_PUBLIC_URL": BASE,
                      "RECOGNIZERS": {}, "SECRET_KEY": "x"})  # fmt: skip
    with app.app_context():
        upgrade()
        with transaction() as s:
            import_accounts(s, io.StringIO(ACCOUNTS))
    return app


def main(url: str) -> None:
    app = hotline(url)
    engine = runtime(app).sessions.kw["bind"]
    counts: Counter = Counter()
    event.listen(engine, "before_cursor_execute", lambda *a: counts.update(["statements"]))
    event.listen(engine, "begin", lambda *a: counts.update(["transactions"]))
    call = TwilioCall(FlaskTransport(app), BASE, token=TOKEN, account_sid="AC" + "1" * 32)
    steps = [("greeting", call.dial), ("intent (1)", lambda: call.press("1")),
             ("address (1)", lambda: call.press("1")), ("reading (1100#)", lambda: call.press("1100#")),
             ("confirm, saves (1)", lambda: call.press("1"))]  # fmt: skip
    print(f"{'webhook':<20} statements transactions")
    for name, step in steps:
        counts.clear()
        step()
        print(f"{name:<20} {counts['statements']:>10} {counts['transactions']:>12}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
