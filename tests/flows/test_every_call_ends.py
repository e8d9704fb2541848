"""Whatever the caller does, the call ends within a fixed number of answers, storing only what was confirmed."""

from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st

from ivr.flows import Ask, Keys, SaveMeter, Silence, Speech, Start, advance, start
from ivr.flows.common import MAX_FAILS
from tests.flows.conftest import ACCOUNTS

# A question (a zone's reading with its read-back counts as one) takes at most 2 answers per attempt:
# a reading and its «нет», or «оператор» and «нет». One more answer in a call is the key that moves
# it to the keypad. A call meets the greeting, the account number and the address at most
# MAX_FAILS times each (a wrong address sends the caller back to the account), and each zone once.
PER_QUESTION = 2 * MAX_FAILS
MOST_ZONES = max(sum(len(m.zones) for m in a.meters) for a in ACCOUNTS.values())  # 200002: 2 + 3
MOST_ANSWERS = PER_QUESTION * (1 + 2 * MAX_FAILS + MOST_ZONES) + 1

# What a caller says or presses: most often what the question asks for.
numbers = st.sampled_from(["100001", "200002", "300003", "400004", "1100", "900", "2600", "5100",
                           "3100", "110", "210", "310", "99600", "00020", "1234567"])  # fmt: skip
numbers |= st.text("0123456789", min_size=1, max_size=7)
meant = {"intent": st.sampled_from(["readings", "readings", "operator", None]), "digits": numbers,
         "yesno": st.sampled_from(["yes", "yes", "no", "no", "operator", None])}  # fmt: skip
anything = st.sampled_from([None, "operator", "yes", "no", "readings"]) | numbers
typed = {"intent": st.sampled_from(["1", "1", "5"]), "digits": numbers.map(lambda n: n + "#"),
         "yesno": st.sampled_from(["1", "2", "2", "7"])}  # fmt: skip
stray_keys = st.sampled_from(["0", "5", "#", "*"])
zone_names = st.sampled_from([1, 2, 3, 4, "day", "night", "peak", "shoulder"])


def weighted(*choices):
    """One of the strategies, each as often as its weight says."""
    picks = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.integers(0, len(picks) - 1).flatmap(lambda i: picks[i])


# How far a «да» beat the best other answer: none for typed transcripts, clear or not.
margins = weighted((2, st.none()), (1, st.floats(0, 0.3, exclude_max=True)), (2, st.floats(0.3, 1)))


def answers(ask: Ask):
    keys = weighted((9, typed[ask.kind.name]), (1, stray_keys)).map(Keys)
    if ask.keypad:
        return weighted((9, keys), (1, st.just(Silence())))
    said = st.builds(Speech, st.just("…"), meant[ask.kind.name], st.floats(0, 1), margins)
    if ask.kind.number:  # a spoken number may mean several readings, which may fit equally
        said = (
            st.tuples(numbers, st.lists(numbers, max_size=3), st.floats(0, 1)).map(
                lambda n: Speech("…", n[0], n[2], readings=(n[0], *n[1]))
            )
            | said
        )
    other = st.builds(Speech, st.just("…"), anything, st.floats(0, 1), margins)
    if ask.kind.number:  # zones named in one answer, some twice or missing from the meter
        named = st.lists(st.tuples(zone_names, numbers), min_size=1, max_size=3)
        zones = st.tuples(named, st.floats(0, 1)).map(
            lambda n: Speech(
                "…", n[0][0][1], n[1], readings=(n[0][0][1],), zones=tuple((z, (v,)) for z, v in n[0])
            )
        )
        other |= zones
    return weighted((16, said), (2, other), (1, keys), (1, st.just(Silence())))


def clean_yes(event, ask, rules):
    """An answer that confirms a read-back, as the caller gave it."""
    if ask.keypad:
        return isinstance(event, Keys) and event.digits.strip("#*")[:1] == "1"
    return (isinstance(event, Speech) and event.value == "yes"
            and (event.margin is None or event.margin >= rules.confirm_margin))  # fmt: skip


def question_of(state):
    """The question an answer spends attempts of: a zone for its reading and read-back."""
    node = state.back_to if state.node == "operator" else state.node
    return ("zone", state.meter, state.zone) if node in ("reading", "confirm", "confirm_zones") else (node,)


def opening(caller, *values):
    """A caller, and what they answer first to get where the search should spend its examples."""
    return caller, tuple(Keys(v) if v[0].isdigit() else Speech("…", v) for v in values)


# Any caller from the greeting, and callers at the first reading of one- and five-zone accounts.
OPENINGS = [
    opening(None),
    opening("+79161234567"),
    opening("+79031112233"),
    opening("+79990000000"),
    opening("+79161234567", "readings", "yes"),
    opening(None, "readings", "200002", "yes"),
]


@settings(
    max_examples=600,
    deadline=None,
    database=None,  # no examples saved into the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(opening=weighted((1, st.sampled_from(OPENINGS[:4])), (2, st.sampled_from(OPENINGS[4:]))),
       keypad=st.booleans(), data=st.data())  # fmt: skip
def test_every_call_ends_and_stores_only_readings_confirmed_with_a_clean_yes(ctx, opening, keypad, data):
    caller, first = opening
    state, actions = start(Start(caller), ctx, keypad=keypad)
    for event in first:
        state, actions = advance(state, event, ctx)
    answers_given, confirmed, saved = 0, {}, []
    question, spent, most_spent = None, 0, 0
    while not state.ended:
        assert answers_given < MOST_ANSWERS, f"still going after {answers_given} answers"
        ask = next(a for a in actions if isinstance(a, Ask))
        event = data.draw(answers(ask))
        if question_of(state) != question:
            question, spent = question_of(state), 0
        to_keypad = isinstance(event, Keys) and not state.on_keypad  # once a call: asks again
        # A «да» to one of several zones named in one answer is progress, not an attempt.
        progress = (state.node == "confirm_zones" and clean_yes(event, ask, ctx.rules)
                    and "zone1" not in ask.params and len(state.named) > 1)  # fmt: skip
        if state.node == "confirm" and clean_yes(event, ask, ctx.rules):
            meter = ACCOUNTS[state.account].meters[state.meter]
            confirmed[(meter.id, state.pending.zone)] = (state.pending.value, ask.params["digits"])
        if state.node == "confirm_zones" and clean_yes(event, ask, ctx.rules):
            meter = ACCOUNTS[state.account].meters[state.meter]
            covered = state.named[:1] if "zone1" not in ask.params else state.named
            for n, p in enumerate(covered, 1):
                confirmed[(meter.id, p.zone)] = (p.value, ask.params["digits" if n == 1 else f"digits{n}"])
        state, actions = advance(state, event, ctx)
        answers_given += 1
        spent += 0 if to_keypad or progress else 1
        most_spent = max(most_spent, spent)
        assert spent <= PER_QUESTION, f"{spent} answers at {question}"
        saved += [(s.meter_id, r) for s in actions if isinstance(s, SaveMeter) for r in s.readings]
    target(float(most_spent), label="answers at one question")
    target(float(answers_given), label="answers in the call")
    for meter_id, reading in saved:
        value, read_back = confirmed[(meter_id, reading.zone)]
        assert reading.value == value == int(read_back)
