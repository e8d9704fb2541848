"""Zones named in one answer: each named zone filled, one read-back, the missing zones asked after."""

from dataclasses import replace
from datetime import datetime

from ivr.flows import SaveMeter, Speech, advance
from ivr.flows.state import CallState
from tests.flows.test_engine import asked, run, said, voice


def zones(*named):
    """A spoken answer naming zones: («день», "5100"), ...; the value is the first zone's."""
    return Speech("…", named[0][1], 0.95, readings=(named[0][1],), zones=tuple((z, (v,)) for z, v in named))


def at_two_zones(ctx):
    """Account 200002: M-2 with two zones (previous 5000 and 3000), then M-3 with three."""
    return run(ctx, None, voice("readings"), voice("200002"), voice("yes"))


def test_two_zones_named_in_one_answer_are_read_back_once_and_saved(ctx):
    state, _ = at_two_zones(ctx)
    state, actions = advance(state, zones(("day", "5100"), ("night", "3100")), ctx)
    ask = asked(actions)
    assert ask.prompt == "confirm_zones_2"
    assert ask.params == {"zone1": 1, "digits": "5100", "zone2": 2, "digits2": "3100"}
    state, actions = advance(state, voice("yes"), ctx)
    [save] = [a for a in actions if isinstance(a, SaveMeter)]
    assert [(r.zone, r.value) for r in save.readings] == [(1, 5100), (2, 3100)]
    assert said(actions) == ["meter_saved", "meter_intro", "reading_3_1"]


def test_a_zone_named_out_of_turn_is_taken_and_the_missing_one_asked_after(ctx):
    state, _ = at_two_zones(ctx)
    state, actions = advance(state, zones(("night", "3100")), ctx)
    assert asked(actions).prompt == "confirm" and asked(actions).params["digits"] == "3100"
    state, actions = advance(state, voice("yes"), ctx)
    assert state.node == "reading" and asked(actions).prompt == "reading_2_1"
    state, actions = advance(state, voice("5100"), ctx)
    state, actions = advance(state, voice("yes"), ctx)
    [save] = [a for a in actions if isinstance(a, SaveMeter)]
    assert sorted((r.zone, r.value) for r in save.readings) == [(1, 5100), (2, 3100)]


def test_a_suspicious_zone_gets_its_special_read_back_first(ctx):
    state, _ = at_two_zones(ctx)
    state, actions = advance(state, zones(("day", "5100"), ("night", "9000")), ctx)
    assert asked(actions).prompt == "confirm_high" and asked(actions).params["digits"] == "9000"
    state, actions = advance(state, voice("yes"), ctx)
    assert asked(actions).prompt == "confirm" and asked(actions).params["digits"] == "5100"
    state, actions = advance(state, voice("yes"), ctx)
    [save] = [a for a in actions if isinstance(a, SaveMeter)]
    assert sorted((r.zone, r.value) for r in save.readings) == [(1, 5100), (2, 9000)]


def test_no_asks_the_named_zones_again_one_by_one_on_an_attempt(ctx):
    state, _ = at_two_zones(ctx)
    state, _ = advance(state, zones(("day", "5100"), ("night", "3100")), ctx)
    state, actions = advance(state, voice("no"), ctx)
    assert said(actions) == ["reading_again", "reading_2_1"]
    assert state.node == "reading" and state.fails == 1 and state.named == [] and state.confirmed == []


def test_a_zone_named_twice_or_missing_from_the_meter_is_asked_again_with_the_reason(ctx):
    state, _ = at_two_zones(ctx)
    after, actions = advance(state, zones(("day", "5100"), ("day", "3100")), ctx)
    assert said(actions) == ["zone_twice", "reading_2_1"] and after.fails == 1
    after, actions = advance(state, zones(("shoulder", "5100")), ctx)  # a rate of three-zone meters
    assert said(actions) == ["zone_unknown", "reading_2_1"]
    after, actions = advance(state, zones((3, "5100")), ctx)
    assert said(actions) == ["zone_unknown", "reading_2_1"]


def test_a_refused_zone_reading_refuses_the_answer_with_its_reason(ctx):
    state, _ = at_two_zones(ctx)
    _, actions = advance(state, zones(("day", "5100"), ("night", "2000")), ctx)  # night below 3000
    assert said(actions) == ["reading_lower", "reading_2_1"]
    assert actions[0].params == {"previous": "3000"}


def test_zones_named_where_no_reading_is_asked_are_not_understood(ctx):
    state, _ = run(ctx, None, voice("readings"))
    state, actions = advance(state, zones(("day", "200002")), ctx)
    assert said(actions) == ["not_understood", "account"]


def test_the_zones_waiting_for_their_read_back_survive_the_state_round_trip(ctx):
    state, _ = at_two_zones(ctx)
    state, _ = advance(state, zones(("day", "5100"), ("night", "3100")), ctx)
    again = CallState.from_dict(state.to_dict())
    assert again == state and [p.value for p in again.named] == [5100, 3100]
    _, actions = advance(replace(again), voice("yes"), ctx)
    assert any(isinstance(a, SaveMeter) for a in actions)


def test_a_fraction_dropped_from_a_named_zone_is_said_before_the_read_back(ctx):
    state, _ = at_two_zones(ctx)
    event = replace(zones(("day", "5100"), ("night", "3100")), decimals=True)
    _, actions = advance(state, event, ctx)
    assert said(actions) == ["decimals_dropped", "confirm_zones_2"]


def test_a_named_zone_whose_verdict_changed_before_the_yes_is_read_back_again(ctx):
    """The store refused the «да» to both named zones (midnight closed the window meanwhile): the
    changed zone is read back again, the other keeps its «да», and one more «да» saves both."""
    from ivr.flows import reconfirm

    state, _ = at_two_zones(ctx)
    state, _ = advance(state, zones(("day", "5100"), ("night", "3100")), ctx)
    late = replace(ctx, now=datetime(2026, 11, 20, 21, 0, 5))  # 00:00:05 on the 21st in Moscow
    state, actions = reconfirm(state, 2, late)
    assert said(actions)[0] == "reading_changed" and asked(actions).prompt == "confirm"
    assert asked(actions).params["digits"] == "3100" and [p.zone for p in state.confirmed] == [1]
    state, actions = advance(state, voice("yes"), late)
    [save] = [a for a in actions if isinstance(a, SaveMeter)]
    assert sorted((r.zone, r.value) for r in save.readings) == [(1, 5100), (2, 3100)]
    assert "OUT_OF_WINDOW" in dict((r.zone, r.flags) for r in save.readings)[2]
