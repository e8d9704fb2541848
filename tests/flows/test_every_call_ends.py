"""Whatever the caller does, the call ends, within a fixed number of answers, storing only what was confirmed."""
from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st

from ivr.flows import Ask, Keys, SaveMeter, Silence, Speech, Start, advance, start
from ivr.flows.common import MAX_FAILS
from tests.flows.conftest import ACCOUNTS

# Questions a call can pass: the greeting, the account number and the address at most MAX_FAILS
# times each (a wrong address sends the caller back to the account), and one per zone. Each spends at
# most 2 answers per attempt (a reading and its «нет»; «оператор» and «нет»); one more answer is the
# key that moves a voice call to the keypad.
MOST_ZONES = max(sum(len(m.zones) for m in a.meters) for a in ACCOUNTS.values())  # 200002: 2 + 3
QUESTIONS = 1 + 2 * MAX_FAILS + MOST_ZONES
MOST_ANSWERS = 2 * MAX_FAILS * QUESTIONS + 1

callers = st.sampled_from([None, "+79161234567", "+79031112233", "+79990000000"])
numbers = st.sampled_from(["100001", "200002", "300003", "400004", "1100", "900", "5100", "99600",
                           "00020", "1234567"]) | st.text("0123456789", min_size=1, max_size=7)  # fmt: skip
meanings = st.sampled_from([None, "operator", "yes", "no", "readings"]) | numbers
speech = st.builds(Speech, st.just("…"), meanings, st.floats(0, 1),
                   st.none() | st.floats(0, 1))  # fmt: skip
keys = st.sampled_from(["1", "2", "0", "5", "#", "*"]) | numbers.map(lambda n: n + "#")
keypad_answers = st.one_of(keys.map(Keys), st.just(Silence()))
voice_answers = st.one_of(speech, speech, speech, keys.map(Keys), st.just(Silence()))


def clean_yes(event, ask, rules):
    """An answer that confirms a read-back, as the caller gave it."""
    if ask.keypad:
        return isinstance(event, Keys) and event.digits.strip("#*")[:1] == "1"
    return (isinstance(event, Speech) and event.value == "yes"
            and (event.margin is None or event.margin >= rules.confirm_margin))  # fmt: skip


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(caller=callers, keypad=st.booleans(), data=st.data())
def test_every_call_ends_and_stores_only_readings_confirmed_with_a_clean_yes(ctx, caller, keypad, data):
    state, actions = start(Start(caller), ctx, keypad=keypad)
    answers, confirmed, saved = 0, {}, []
    while not state.ended:
        assert answers < MOST_ANSWERS, f"still going after {answers} answers at {state.node}"
        ask = next(a for a in actions if isinstance(a, Ask))
        event = data.draw(keypad_answers if ask.keypad else voice_answers)
        if state.node == "confirm" and clean_yes(event, ask, ctx.rules):
            meter = ACCOUNTS[state.account].meters[state.meter]
            confirmed[(meter.id, state.pending.zone)] = (state.pending.value, ask.params["digits"])
        state, actions = advance(state, event, ctx)
        answers += 1
        saved += [(s.meter_id, r) for s in actions if isinstance(s, SaveMeter) for r in s.readings]
    target(float(answers))  # steer the search towards the longest calls
    for meter_id, reading in saved:
        value, read_back = confirmed[(meter_id, reading.zone)]
        assert reading.value == value == int(read_back)

