"""The call service: effects saved once, readings linked to their turn, few round trips."""

import io

import pytest
from sqlalchemy import event, select

from ivr.runtime import runtime
from ivr.store.accounts_csv import import_accounts
from ivr.store.models import Meter, Reading, Turn
from tests.conftest import say
from tests.sessions import session, transaction

pytestmark = pytest.mark.both_databases
TWO_ZONES = "+74995509550"  # account 200002: M-2 with T1 5000 and T2 3000, then M-3


def test_two_zones_read_alike_are_linked_to_the_turns_they_were_given_in(app, phone):
    call = phone(TWO_ZONES)
    call.dial(), call.press("1"), call.press("1")  # readings, keypad; the address is right
    call.press("5100#"), call.press("1")  # T1, confirmed
    call.press("5100#"), call.press("1")  # T2 alike (high use: the special confirmation), confirmed
    with app.app_context():
        m2 = session().scalars(select(Meter.id).where(Meter.serial == "M-2")).one()
        rows = (
            session()
            .execute(
                select(Reading.zone, Reading.value, Turn.seq, Turn.question, Turn.value)
                .join(Turn, Turn.id == Reading.turn_id)
                .where(Reading.meter_id == m2)
                .order_by(Reading.zone)
            )
            .all()
        )
    assert [(r[0], r[1], r[3], r[4]) for r in rows] == [
        (1, 5100, "reading", "5100"),
        (2, 5100, "reading", "5100"),
    ]
    assert rows[0][2] < rows[1][2]  # two turns, in the order they were asked


class Statements:
    """Count SQL statements and transactions on the app's engine."""

    def __init__(self, app):
        self.engine = runtime(app).sessions.kw["bind"]
        self.sql, self.transactions = [], 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "begin", self._begin)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "begin", self._begin)

    def _statement(self, conn, cursor, statement, *args):  # noqa: ANN001
        self.sql.append(statement.split()[0])

    def _begin(self, conn):  # noqa: ANN001
        self.transactions += 1


def test_a_keypad_answer_costs_at_most_six_statements_in_one_transaction(app, phone):
    call = phone()
    call.dial(), call.press("1"), call.press("1")
    with Statements(app) as reading:
        call.press("1100#")
    with Statements(app) as confirm:
        call.press("1")  # confirmed: the meter is saved too
    assert len(reading.sql) <= 6 and reading.transactions == 1, reading.sql
    # One of them judges high use again under the meter's lock: another call may have moved the baseline.
    assert confirm.transactions == 1 and len(confirm.sql) <= 10, confirm.sql


def test_a_spoken_reading_grouped_two_ways_is_read_back_as_the_meter_allows(app, phone):
    call = phone()  # account 100001: six digits, previous 1000
    call.dial(), say(call, "показания"), say(call, "да")
    # «сто двадцать»: 120, or 100 and 20 with a pause between; only 10020 is at or above 1000.
    assert "Вы назвали: один ноль ноль два ноль." in say(call, "сто двадцать").text
    say(call, "да")
    with app.app_context():
        assert session().scalars(select(Reading.value).where(Reading.zone == 1)).all() == [10020]


def test_a_spoken_reading_that_fits_two_ways_is_asked_for_digit_by_digit(app, phone):
    with app.app_context(), transaction() as s:  # a new meter: no previous reading to weigh by
        import_accounts(s, io.StringIO("account,phones,address,region,meter,zones,digits,t1,t2,t3,read_on\n"
                                       '500005,+79995550505,"ул. Новая, д. 5",Москва,M-9,1,6,,,,\n'))  # fmt: skip
    call = phone("+79995550505")
    call.dial(), say(call, "показания"), say(call, "да")
    asked = say(call, "тридцать пять")  # 35 or 305: both fit six digits
    assert "Не расслышала точно. Пожалуйста, каждую цифру отдельно." in asked.text
    assert "Вы назвали: три ноль пять." in say(call, "три ноль пять").text
