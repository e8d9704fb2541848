"""A reading is judged once, on its region's clock: what the caller hears is what is stored, at
night, at noon and east of Moscow. Keypad calls through the signed webhooks on a fixed clock."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from ivr.store.models import Meter, Reading
from tests.sessions import session

pytestmark = pytest.mark.both_databases

NIGHT = datetime(2026, 11, 17, 21, 30)  # 00:30 on the 18th in Moscow
NOON = datetime(2026, 11, 18, 9, 0)  # 12:00 on the 18th in Moscow
YAKUTSK_NIGHT = datetime(2026, 11, 10, 16, 30)  # 01:30 on the 11th in Yakutsk, 19:30 on the 10th in Moscow


def stored(app, serial: str) -> tuple[Reading, Meter]:
    with app.app_context():
        meter = session().scalars(select(Meter).where(Meter.serial == serial)).one()
        return session().scalars(select(Reading).where(Reading.meter_id == meter.id)).one(), meter


def keypad_reading(phone, caller: str, account: str | None, digits: str):
    """Dial, choose readings on the keypad, name the account if asked, confirm the address, give
    the reading; return what the read-back said and what the caller heard at the end."""
    call = phone(caller)
    call.dial()
    heard = call.press("1")
    if account:
        heard = call.press(account + "#")
    assert "если верно" in heard.text.lower() or "нажмите 1" in heard.text.lower()
    call.press("1")
    read_back = call.press(digits + "#").text
    return read_back, call.press("1").text


def at(moment: datetime):  # noqa: ANN201
    return pytest.param(
        moment, marks=pytest.mark.settings(IVR_CLOCK=lambda: moment), id=f"{moment:%H:%M} UTC"
    )


@pytest.mark.parametrize("_", [at(NIGHT), at(NOON)])
def test_the_same_utility_day_gets_the_same_verdict_at_night_and_at_noon(app, phone, _):
    """Last read on 2026-10-17, 1575 used: 32 days in Moscow on the 18th (limit 1,600), not HIGH.
    At 00:30 the UTC date is still the 17th (31 days, limit 1,550): it must not decide."""
    read_back, end = keypad_reading(phone, "+79161234567", None, "2575")
    assert "больше обычного" not in read_back and "Принято показаний: 1" in end
    reading, meter = stored(app, "M-1")
    assert (reading.days, reading.consumption, reading.flag_list, reading.status) == (
        32,
        1575,
        [],
        "accepted",
    )
    assert (reading.period, meter.last_read_on) == ("2026-11", date(2026, 11, 18))


@pytest.mark.settings(IVR_CLOCK=lambda: YAKUTSK_NIGHT)
def test_yakutia_is_judged_on_its_own_day(app, phone):
    """Window 1-10: at 01:30 on the 11th in Yakutsk it is closed, though it is the 10th in Moscow."""
    read_back, end = keypad_reading(phone, "+79031112233", "300003", "99600")
    assert "следующем расчётном периоде" in end
    reading, meter = stored(app, "M-4")
    assert (reading.flag_list, reading.period) == (["OUT_OF_WINDOW"], "2026-12")
    assert meter.last_read_on == date(2026, 11, 11) and reading.days == 25


MIDNIGHT = [datetime(2026, 11, 20, 20, 59, 50)]  # the test sets it: a clock that moves


@pytest.mark.settings(IVR_CLOCK=lambda: MIDNIGHT[0])
def test_a_read_back_that_midnight_changed_is_read_back_again_before_it_is_stored(app, phone):
    """The reading is read back plainly at 23:59:50; the caller's «да» comes at 00:00:05, when the
    window has closed. The line tells the caller, reads it back again, and stores what they hear."""
    MIDNIGHT[0] = datetime(2026, 11, 20, 20, 59, 50)  # 23:59:50 on the 20th in Moscow, the window's last day
    call = phone("+79161234567")
    call.dial(), call.press("1"), call.press("1")
    assert "следующем" not in call.press("1100#").text
    MIDNIGHT[0] = datetime(2026, 11, 20, 21, 0, 5)
    again = call.press("1").text
    assert "данные по этому счётчику изменились" in again and "если верно" in again.lower()
    with app.app_context():
        assert session().scalars(select(Reading)).all() == []
    assert "следующем расчётном периоде" in call.press("1").text
    reading, _ = stored(app, "M-1")
    assert (reading.flag_list, reading.period) == (["OUT_OF_WINDOW"], "2026-12")
