"""The call state between webhooks: JSON in and out, typed pending readings, older stored states."""

import json
from dataclasses import replace

from ivr.flows import (
    CallState,
    Flag,
    PendingReading,
    SaveMeter,
    Speech,
    Start,
    advance,
    start,
)


def answered(ctx, caller, *values):
    """Drive a call answer by answer, numbering the questions as the call service does."""
    state, actions = start(Start(caller), ctx)
    for seq, value in enumerate(values, start=1):
        state, actions = advance(state, Speech("x", value, 0.95), replace(ctx, seq=seq))
    return state, actions


def stored(state):
    return CallState.from_dict(json.loads(json.dumps(state.to_dict())))


def test_a_pending_reading_is_typed_and_survives_the_json_round_trip_with_the_turn_it_was_given_at(ctx):
    state, _ = answered(ctx, "+79161234567", "readings", "yes", "2600")
    assert state.pending == PendingReading(1, 2600, "2600", 1000, 1600, (Flag.HIGH,), 0.95, "2026-11", 3)
    assert stored(state) == state


def test_confirmed_zones_survive_the_json_round_trip(ctx):
    state, _ = answered(ctx, None, "readings", "200002", "yes", "5100", "yes")
    assert [p.zone for p in state.confirmed] == [1] and stored(state) == state


def test_a_state_stored_before_readings_were_typed_still_loads_and_saves(ctx):
    pending = {"zone": 2, "value": 3100, "digits": "3100", "previous": 3000, "consumption": 100,
               "flags": [], "confidence": 0.9, "period": "2026-11"}  # fmt: skip
    confirmed = {**pending, "zone": 1, "value": 5100, "digits": "5100", "previous": 5000,
                 "flags": ["LOW_CONFIDENCE"]}  # fmt: skip
    old = {"node": "confirm", "locale": "ru", "account": "200002", "meter": 0, "zone": 1,
           "pending": pending, "confirmed": [confirmed]}  # fmt: skip
    _, actions = advance(CallState.from_dict(old), Speech("x", "yes", 0.95), ctx)
    save = next(a for a in actions if isinstance(a, SaveMeter))
    assert [(r.zone, r.value, r.flags, r.turn) for r in save.readings] == [
        (1, 5100, (Flag.LOW_CONFIDENCE,), None),
        (2, 3100, (), None),
    ]


def test_two_zones_with_the_same_value_carry_the_turns_they_were_given_at(ctx):
    _, actions = answered(ctx, None, "readings", "200002", "yes", "5100", "yes", "5100", "yes")
    save = next(a for a in actions if isinstance(a, SaveMeter))
    assert [(r.zone, r.value, r.turn) for r in save.readings] == [(1, 5100, 4), (2, 5100, 6)]
