"""The staged accounts file into the live tables: accounts, phones and meters updated in place, and
meters that left the file retired (no longer asked for, their readings kept).

A handful of set-based statements at the end of the import's transaction: rows are locked only
from here to the commit, and only the rows that change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import DateTime, bindparam, text
from sqlalchemy.orm import Session

# An existing meter the file changes; `n` is its row in import_next.
DIFFERS = (
    "(meters.account_id IS DISTINCT FROM n.account_id OR meters.position <> n.position "
    "OR meters.zones <> n.zones OR meters.digits <> n.digits OR meters.last_t1 IS DISTINCT FROM n.t1 "
    "OR meters.last_t2 IS DISTINCT FROM n.t2 OR meters.last_t3 IS DISTINCT FROM n.t3 "
    "OR meters.last_read_on IS DISTINCT FROM n.read_on OR meters.retired_at IS NOT NULL)"
)
UNLISTED = (
    "meters.retired_at IS NULL AND NOT EXISTS (SELECT 1 FROM import_meters s WHERE s.meter = meters.serial)"
)
# Without retire_missing only the file's accounts lose the meters the file leaves out.
OF_LISTED_ACCOUNTS = (
    " AND meters.account_id IN (SELECT account_id FROM import_next WHERE account_id IS NOT NULL)"
)
FIRST_ROWS = (
    "SELECT account, MIN(address) AS address, MIN(region) AS region FROM import_meters GROUP BY account"
)


@dataclass
class Changes:
    new: int = 0  # meters
    updated: int = 0
    retired: list[str] = field(default_factory=list)  # serials of the meters the hotline no longer asks for


def preview(session: Session, retire_missing: bool) -> Changes:
    """What merging the staged file would change; writes only to the import's temporary tables."""
    run = session.execute
    tail = " ON COMMIT DROP" if session.get_bind().dialect.name == "postgresql" else ""
    run(text(
        f"CREATE TEMPORARY TABLE import_next{tail} AS SELECT s.line, s.account, s.meter, a.id AS account_id, "
        "m.id AS meter_id, ROW_NUMBER() OVER (PARTITION BY s.account ORDER BY s.line) - 1 AS position, "
        "s.zones, s.digits, s.t1, s.t2, s.t3, s.read_on FROM import_meters s "
        "LEFT JOIN accounts a ON a.number = s.account LEFT JOIN meters m ON m.serial = s.meter"))  # fmt: skip
    run(text("CREATE INDEX import_next_meter ON import_next (meter_id)"))
    new = run(text("SELECT COUNT(*) FROM import_next WHERE meter_id IS NULL")).scalar_one()
    updated = run(
        text(f"SELECT COUNT(*) FROM import_next n JOIN meters ON meters.id = n.meter_id WHERE {DIFFERS}")
    )
    retired = run(text(f"SELECT serial FROM meters WHERE {_retiring(retire_missing)} ORDER BY serial"))
    return Changes(new, updated.scalar_one(), list(retired.scalars()))


def merge(session: Session, changes: Changes, retire_missing: bool, now: datetime) -> None:
    """Write the staged file over the live tables (after `preview`, in the same transaction)."""
    run = session.execute
    tail = " ON COMMIT DROP" if session.get_bind().dialect.name == "postgresql" else ""
    run(text(f"INSERT INTO accounts (number, address, region) SELECT f.account, f.address, f.region "
             f"FROM ({FIRST_ROWS}) f WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.number = f.account) "
             "ORDER BY f.account"))  # fmt: skip
    run(text(f"UPDATE accounts SET address = f.address, region = f.region FROM ({FIRST_ROWS}) f "
             "WHERE accounts.number = f.account AND (accounts.address <> f.address OR accounts.region <> f.region)"))  # fmt: skip
    run(text("UPDATE import_next SET account_id = (SELECT a.id FROM accounts a WHERE a.number = import_next.account) "
             "WHERE account_id IS NULL"))  # fmt: skip
    # The file is the truth for the phones of its accounts: each number once, as first written.
    run(text(f"CREATE TEMPORARY TABLE import_phone_firsts{tail} AS SELECT p.seq, a.id AS account_id, p.e164, "
             "p.raw FROM import_phones p JOIN accounts a ON a.number = p.account "
             "WHERE p.seq IN (SELECT MIN(seq) FROM import_phones GROUP BY account, e164)"))  # fmt: skip
    run(text("CREATE INDEX import_phone_firsts_key ON import_phone_firsts (account_id, e164)"))
    run(text("DELETE FROM phones WHERE account_id IN (SELECT account_id FROM import_next) AND NOT EXISTS "
             "(SELECT 1 FROM import_phone_firsts f WHERE f.account_id = phones.account_id AND f.e164 = phones.e164)"))  # fmt: skip
    run(text("UPDATE phones SET raw = f.raw FROM import_phone_firsts f WHERE phones.account_id = f.account_id "
             "AND phones.e164 = f.e164 AND phones.raw <> f.raw"))  # fmt: skip
    run(text("INSERT INTO phones (account_id, e164, raw) SELECT f.account_id, f.e164, f.raw FROM import_phone_firsts f "
             "WHERE NOT EXISTS (SELECT 1 FROM phones p WHERE p.account_id = f.account_id AND p.e164 = f.e164) "
             "ORDER BY f.seq"))  # fmt: skip
    if changes.retired:
        retire = text(f"UPDATE meters SET retired_at = :now WHERE {_retiring(retire_missing)}")
        run(retire.bindparams(bindparam("now", type_=DateTime)), {"now": now})
    if changes.new:
        run(text("INSERT INTO meters (account_id, serial, position, zones, digits, last_t1, last_t2, last_t3, "
                 "last_read_on) SELECT account_id, meter, position, zones, digits, t1, t2, t3, read_on "
                 "FROM import_next WHERE meter_id IS NULL ORDER BY line"))  # fmt: skip
    if changes.updated:
        # Calls and texts lock the meter they save. The changed rows are picked out first, without
        # locking anything; the UPDATE then goes straight to them, last, right before the commit.
        run(text(f"CREATE TEMPORARY TABLE import_changed{tail} AS SELECT n.* FROM import_next n "
                 f"JOIN meters ON meters.id = n.meter_id WHERE {DIFFERS} ORDER BY n.meter_id"))  # fmt: skip
        if tail:  # PostgreSQL: so that it looks the few rows up by id rather than scanning every meter
            run(text("ANALYZE import_changed"))
        run(text("UPDATE meters SET account_id = n.account_id, position = n.position, zones = n.zones, "
                 "digits = n.digits, last_t1 = n.t1, last_t2 = n.t2, last_t3 = n.t3, last_read_on = n.read_on, "
                 "retired_at = NULL FROM import_changed n WHERE meters.id = n.meter_id"))  # fmt: skip


def _retiring(retire_missing: bool) -> str:
    return UNLISTED + ("" if retire_missing else OF_LISTED_ACCOUNTS)
