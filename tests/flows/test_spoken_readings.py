"""A spoken reading whose grouping is ambiguous: the meter's display and previous reading pick, or the
caller is asked digit by digit, on the zone's attempts."""

from dataclasses import replace

import pytest

from ivr.flows import AccountInfo, Keys, MeterInfo, Say, Speech, Transfer, advance
from tests.flows.conftest import zone
from tests.flows.test_engine import asked, run, said, voice

# One meter of five digits each; the callers are known, so the greeting and the address lead there.
ACCOUNTS = {
    "+70000000300": AccountInfo("700300", "ул. Тихая, 3", "Москва", (MeterInfo(7, "M-7", 5, (zone(1, 300),)),)),
    "+70000000030": AccountInfo("700030", "ул. Тихая, 4", "Москва", (MeterInfo(8, "M-8", 5, (zone(1, 30),)),)),
    "+70000000000": AccountInfo("700000", "ул. Тихая, 5", "Москва", (MeterInfo(9, "M-9", 5, (zone(1, None),)),)),
    "+70000000002": AccountInfo("700002", "ул. Тихая, 6", "Москва", (MeterInfo(6, "M-6", 2, (zone(1, None),)),)),
}  # fmt: skip


class Directory:
    def by_phone(self, e164):
        return [ACCOUNTS[e164].number] if e164 in ACCOUNTS else []

    def account(self, number):
        return next((a for a in ACCOUNTS.values() if a.number == number), None)


@pytest.fixture
def here(ctx):
    return replace(ctx, directory=Directory())


def thirty_five():
    """«тридцать пять»: 35, or 30 and 5 said with a pause the transcript lost."""
    return Speech("тридцать пять", "35", 0.95, readings=("35", "305"))


def at_reading(caller):
    return caller, voice("readings"), voice("yes")


@pytest.mark.parametrize(
    "caller, read_back",
    [
        ("+70000000300", "305"),  # 35 is below the previous reading: 305 fits
        ("+70000000030", "35"),  # both are above it: the closest
        ("+70000000002", "35"),  # 305 is longer than the display
    ],
)
def test_the_reading_that_fits_the_meter_is_read_back(here, caller, read_back):
    state, actions = run(here, *at_reading(caller), thirty_five())
    assert state.node == "confirm"
    assert asked(actions).params["digits"] == read_back and state.pending.value == int(read_back)


def test_groupings_that_fit_equally_ask_for_the_reading_digit_by_digit_on_an_attempt(here):
    state, actions = run(here, *at_reading("+70000000000"), thirty_five())
    assert said(actions) == ["by_digit", "reading"]
    assert state.node == "reading" and state.fails == 1 and state.pending is None
    state, actions = advance(state, Speech("три ноль пять", "305", 0.95, readings=("305",)), here)
    assert asked(actions).params["digits"] == "305"


def test_a_caller_who_keeps_saying_it_ambiguously_is_offered_the_keypad_then_handed_over(here):
    state, actions = run(here, *at_reading("+70000000000"), thirty_five(), thirty_five())
    assert said(actions) == ["by_digit", "keypad_offer", "reading_keys"]
    state, actions = advance(state, thirty_five(), here)
    assert actions == [Say("transfer_reading"), Transfer("reading")]


def test_typed_digits_and_single_readings_are_taken_as_they_are(here):
    _state, actions = run(here, "+70000000000", Keys("1"), Keys("1"), Keys("35#"), keypad=True)
    assert asked(actions).params["digits"] == "35"
    _state, actions = run(here, *at_reading("+70000000000"), Speech("тридцать пять", "35", 0.95))
    assert asked(actions).params["digits"] == "35"  # no readings to weigh: the joined one
