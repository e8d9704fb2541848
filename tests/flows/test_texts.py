"""The text flow: which number is the account, the zone order, and the voice line's rules."""

from dataclasses import replace
from datetime import datetime

import pytest

from ivr.flows import Flag, MessageStatus, Rules, Say, held_json, parse_text, take_text, texts_from_held
from ivr.locales.lexicon import lexicon
from tests.flows.conftest import ACCOUNTS

SENDER = "+79161234567"  # on 100001 only
SHARED = "+79031112233"  # on 100001 and 200002


def take(body, ctx, sender=SENDER, lower=None):
    return take_text(parse_text(body, lexicon()), sender, ctx, lower or {}, 60)


def values(result):
    return [(s.meter_id, r.zone, r.value, r.flags) for s in (result.saves or result.held) for r in s.readings]


def test_account_and_reading_are_stored(ctx):
    result = take("100001 1100", ctx)
    assert result.status == MessageStatus.STORED and result.account == "100001"
    assert values(result) == [(1, 1, 1100, ())]
    assert result.says == [Say("stored", {"count": 1})]
    assert result.saves[0].readings[0].period == "2026-11"


def test_a_known_sender_may_leave_the_account_out(ctx):
    assert values(take("1100", ctx)) == [(1, 1, 1100, ())]


def test_a_sender_of_several_accounts_must_name_one(ctx):
    result = take("1100", ctx, sender=SHARED)
    assert result.status == MessageStatus.REFUSED and result.saves == ()
    assert result.says == [Say("account_missing"), Say("template")]


def test_an_unknown_account_is_named_in_the_reply(ctx):
    result = take("999999 1100", ctx, sender=None)
    assert result.says == [Say("account_unknown", {"account": "999999"})]


@pytest.mark.parametrize("body", ["200002 6000 4000", "200002 1 2 3 4 5 6", "200002 T1=6000 T2=4000"])
def test_a_count_that_does_not_fit_names_what_the_account_needs(ctx, body):
    result = take(body, ctx, sender=SHARED)
    assert result.status == MessageStatus.REFUSED and result.saves == result.held == ()
    labels = [(2, 1, "M-2"), (2, 2, "M-2"), (3, 1, "M-3"), (3, 2, "M-3"), (3, 3, "M-3")]
    assert result.says == [Say("needs", {"account": "200002", "count": 5, "zones": labels})]


def test_all_zones_of_all_meters_go_in_the_accounts_order(ctx):
    result = take("200002 6000 4000 150 250 350", ctx, sender=SHARED)
    assert values(result) == [
        (2, 1, 6000, ()),
        (2, 2, 4000, ()),
        (3, 1, 150, ()),
        (3, 2, 250, ()),
        (3, 3, 350, ()),
    ]


def test_zone_labels_put_one_meters_zones_in_order(ctx):
    account = replace(ACCOUNTS["200002"], meters=ACCOUNTS["200002"].meters[:1])
    ctx.directory.account = lambda number: account if number == "200002" else None
    result = take("200002 T2=4000 T1=6000", ctx, sender=SHARED)
    assert values(result) == [(2, 1, 6000, ()), (2, 2, 4000, ())]


def test_a_lower_value_is_refused_naming_the_previous_one_and_again_goes_to_review(ctx):
    first = take("100001 900", ctx)
    assert first.status == MessageStatus.REFUSED and first.saves == ()
    assert first.says == [Say("reading_lower", {"label": (1, 1, ""), "digits": "900", "previous": "1000"})]
    assert first.lower == {"1:1": 900}
    again = take("100001 900", ctx, lower=first.lower)
    assert again.status == MessageStatus.STORED and values(again) == [(1, 1, 900, (Flag.NEGATIVE,))]
    assert Say("review") in again.says


def test_a_rollover_waits_for_yes(ctx):
    result = take("300003 00100", ctx, sender=None)
    assert result.status == MessageStatus.AWAITING_CONFIRMATION and result.saves == ()
    assert values(result) == [
        (4, 1, 100, (Flag.ROLLOVER, Flag.OUT_OF_WINDOW, Flag.UNVERIFIED_SENDER))
    ]  # Якутия: 1-10
    assert result.says[-1] == Say("confirm_ask", {"minutes": 60})
    assert result.says[0].prompt == "confirm_rollover"
    assert texts_from_held(held_json(result.held), ctx.rules) == result.held


def test_high_use_waits_for_yes(ctx):
    result = take("100001 99000", ctx)
    assert result.status == MessageStatus.AWAITING_CONFIRMATION
    assert result.says[0] == Say(
        "confirm_high", {"label": (1, 1, ""), "digits": "99000", "consumption": 98000}
    )


def test_too_many_digits_are_refused(ctx):
    assert take("100001 1234567", ctx).says == [Say("reading_invalid", {"max": 6})]


def test_decimals_are_dropped_and_the_reply_says_so(ctx):
    result = take("100001 1100,5", ctx)
    assert values(result) == [(1, 1, 1100, ())] and result.says[0] == Say("decimals_dropped")


def test_outside_the_window_it_counts_for_the_next_period(ctx):
    late = replace(ctx, now=datetime(2026, 11, 25, 9, 0))
    result = take("100001 1100", late)
    assert values(result) == [(1, 1, 1100, (Flag.OUT_OF_WINDOW,))]
    assert result.saves[0].readings[0].period == "2026-12" and Say("next_period") in result.says


def test_a_sender_not_on_the_account_is_flagged_and_told(ctx):
    result = take("100001 1100", ctx, sender="+79260000000")
    assert values(result) == [(1, 1, 1100, (Flag.UNVERIFIED_SENDER,))]
    assert result.says[-1] == Say("unverified_sender") and Say("review") not in result.says


def test_the_rule_may_send_unverified_senders_to_review(ctx):
    strict = replace(ctx, rules=Rules(unverified_sender_review=True))
    assert Say("review") in take("100001 1100", strict, sender="+79260000000").says


@pytest.mark.parametrize(
    ("body", "sender", "readings"),
    [
        ("100001 1 100", SENDER, [(1, 1, 1100, ())]),  # three numbers for one zone: 1 100 is 1100
        ("1\u202f100", SENDER, [(1, 1, 1100, ())]),  # the account left out, a narrow no-break space
        ("100001 1 100,5", SENDER, [(1, 1, 1100, ())]),  # before a decimal comma, always
        ("200002 6 000 4 000 150 250 350", SHARED, [(2, 1, 6000, ()), (2, 2, 4000, ()), (3, 1, 150, ()),
                                                    (3, 2, 250, ()), (3, 3, 350, ())]),
    ],
)  # fmt: skip
def test_space_grouped_thousands_are_read_when_the_numbers_are_too_many(ctx, body, sender, readings):
    assert values(take(body, ctx, sender=sender)) == readings


def test_space_grouped_numbers_that_fit_the_zones_stay_as_written(ctx):
    result = take("200002 6000 4000 150 250 350", ctx, sender=SHARED)
    assert [r.value for s in result.saves for r in s.readings] == [6000, 4000, 150, 250, 350]
    assert take("100001 1100 500", ctx).status == MessageStatus.REFUSED  # no thousands: 1100 is no group
