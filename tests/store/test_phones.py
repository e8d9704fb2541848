"""Phone numbers in any human format match the caller ID Twilio sends."""

import pytest

from ivr.store.phones import mask, normalise, normalise_many


@pytest.mark.parametrize(
    "raw, e164",
    [
        ("8-495-728-70-10", "+74957287010"),
        ("+7 (499) 550-9-550", "+74995509550"),
        ("8 (916) 123-45-67", "+79161234567"),
        ("+79161234567", "+79161234567"),
        ("9161234567", "+79161234567"),
    ],
)
def test_human_formats_normalise_to_e164(raw, e164):
    assert normalise(raw) == e164


@pytest.mark.parametrize("raw", ["", None, "anonymous", "+266696687", "Restricted", "12", "+7378742833"])
def test_hidden_or_odd_caller_ids_are_no_number(raw):
    assert normalise(raw) is None


def test_mask_keeps_operator_code_and_last_two_digits():
    assert mask("+79161234567") == "+7 916 ***-**-67"
    assert "1234" not in mask("+441234567890")
    assert mask(None) == "—"


def test_a_retention_pseudonym_is_shown_as_it_is_not_as_a_number():
    assert mask("anon:0123456789abcde") == "anon:0123456789abcde"


def test_the_bulk_check_answers_as_phonenumbers_does_for_every_prefix_and_layout():
    # Two numbers per prefix, with different tails: the bulk check asks phonenumbers about one of them.
    prefixes = [f"{p:03d}{q:04d}" for p in range(300, 1000, 7) for q in (0, 37, 500, 999)]
    numbers = [f"{lead}{p}{tail}" for p in prefixes for tail in ("000", "987")
               for lead in ("+7", "8", "7")]  # fmt: skip
    numbers += [
        "8 (916) 123-45-67",
        "+7 (499) 550-9-550",
        "8 10 375 29 123-45-67",
        "+7 378742833",
        "+1 212 555 0100",
    ]
    assert [normalise_many(n) for n in numbers] == [normalise(n) for n in numbers]
