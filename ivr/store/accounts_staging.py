"""The accounts file in temporary tables of the import's own connection, loaded in batches (COPY on
PostgreSQL), checked there as a whole: a meter listed twice, an account with two addresses.

Temporary tables are private to the connection and lock nothing that calls and texts use: the
load may take minutes while the hotline saves readings for the same accounts.
"""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from ivr.store.accounts_csv import Row

BATCH = 5000
METERS = ("line", "account", "address", "region", "meter", "zones", "digits", "t1", "t2", "t3", "read_on")
PHONES = ("seq", "account", "e164", "raw")
TABLES = {
    "import_meters": "line INTEGER NOT NULL, account VARCHAR(32) NOT NULL, address TEXT NOT NULL, "
    "region VARCHAR(120) NOT NULL, meter VARCHAR(64) NOT NULL, zones INTEGER NOT NULL, "
    "digits INTEGER NOT NULL, t1 BIGINT, t2 BIGINT, t3 BIGINT, read_on DATE",
    "import_phones": "seq INTEGER NOT NULL, account VARCHAR(32) NOT NULL, e164 VARCHAR(20) NOT NULL, "
    "raw VARCHAR(64) NOT NULL",
}
MERGE_TABLES = ("import_next", "import_phone_firsts", "import_changed")  # made by ivr/store/accounts_store.py
# Used after loading, for the checks and the merge.
INDEXES = ("import_meters (meter)", "import_meters (account)", "import_meters (line)",
           "import_phones (account, e164)")  # fmt: skip
# PostgreSQL: the load and the merge may take minutes, longer than a webhook's 5 s statement limit.
IMPORT_STATEMENT_TIMEOUT = "600s"


class Staging:
    """`with Staging(session) as s: s.add(row) ...`; the tables are gone after the transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.rows = 0
        self._meters: list[tuple] = []
        self._phones: list[tuple] = []
        self._seq = 0

    def __enter__(self) -> Staging:
        run = self.session.execute
        if self.postgres:
            run(text(f"SET LOCAL statement_timeout = '{IMPORT_STATEMENT_TIMEOUT}'"))
        if not self.postgres:
            self._drop()  # a pooled connection may hold them from an import that failed on SQLite
        for name, columns in TABLES.items():
            # PostgreSQL drops them at the end of the transaction, committed or not; SQLite in __exit__.
            tail = " ON COMMIT DROP" if self.postgres else ""
            run(text(f"CREATE TEMPORARY TABLE {name} ({columns}){tail}"))
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.postgres:
            self._drop()

    def _drop(self) -> None:
        for name in (*TABLES, *MERGE_TABLES):
            self.session.execute(text(f"DROP TABLE IF EXISTS temp.{name}"))

    def add(self, row: Row) -> None:
        self.rows += 1
        read_on = row.read_on.isoformat() if row.read_on else None
        self._meters.append((row.line, row.account, row.address, row.region, row.meter, row.zones,
                             row.digits, *row.last, read_on))  # fmt: skip
        for raw, e164 in row.phones:
            self._seq += 1
            self._phones.append((self._seq, row.account, e164, raw))
        if len(self._meters) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        for table, columns, batch in (("import_meters", METERS, self._meters),
                                      ("import_phones", PHONES, self._phones)):  # fmt: skip
            if not batch:
                continue
            if self.postgres:
                with self.session.connection().connection.dbapi_connection.cursor() as cursor:
                    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for values in batch:
                            copy.write_row(values)
            else:
                marks = ", ".join("?" * len(columns))
                self.session.connection().exec_driver_sql(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", batch
                )
            batch.clear()

    def loaded(self) -> None:
        """Index the tables, for the checks and the merge that follow."""
        self._flush()
        for n, on in enumerate(INDEXES):
            self.session.execute(text(f"CREATE INDEX import_ix{n} ON {on}"))
        if self.postgres:  # autovacuum never analyses temporary tables: without this, plans are guesses
            self.session.execute(text("ANALYZE import_meters; ANALYZE import_phones"))

    def conflicts(self, limit: int) -> list[tuple[int, str]]:
        """Rows that contradict an earlier row of the file: the same meter, another address."""
        self.loaded()
        run = self.session.execute
        twice = run(text(
            "SELECT s.line, s.meter, f.first FROM import_meters s JOIN (SELECT meter, MIN(line) AS first "
            "FROM import_meters GROUP BY meter HAVING COUNT(*) > 1) f ON f.meter = s.meter "
            "WHERE s.line > f.first ORDER BY s.line LIMIT :limit"), {"limit": limit})  # fmt: skip
        errors = [
            (line, f"line {line}: meter: {meter} already on line {first}") for line, meter, first in twice
        ]
        differ = run(text(
            "SELECT s.line, f.line, s.address <> f.address, s.region <> f.region FROM import_meters s "
            "JOIN (SELECT account, MIN(line) AS first FROM import_meters GROUP BY account) m "
            "ON m.account = s.account JOIN import_meters f ON f.line = m.first "
            "WHERE s.address <> f.address OR s.region <> f.region ORDER BY s.line LIMIT :limit"), {"limit": limit})  # fmt: skip
        for line, first, address, region in differ:
            errors += [(line, f"line {line}: {name}: differs from line {first}")
                       for name, differs in (("address", address), ("region", region)) if differs]  # fmt: skip
        return errors[:limit]

    def unknown_regions(self, known: Container[str]) -> list[str]:
        """One warning per region without a submission window of its own, naming its first line."""
        regions = self.session.execute(text(
            "SELECT region, MIN(line), COUNT(*) FROM import_meters GROUP BY region ORDER BY MIN(line)"))  # fmt: skip
        warnings = []
        for region, line, count in regions:
            if region not in known:
                more = f"; {count - 1} more line(s)" if count > 1 else ""
                warnings.append(f"line {line}: region: {region!r} has no submission window (neither built in "
                                f"nor in IVR_REGIONS_FILE), so days 23-25 apply{more}")  # fmt: skip
        return warnings
