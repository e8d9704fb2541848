"""The bill's template read in one place: many ways of writing it, keywords, and what is no template."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivr.flows import Number, Text, TextKind, parse_text
from ivr.locales.lexicon import lexicon

LEXICON = lexicon()  # the installed packs' words


def n(digits, zone=None, decimals=False):
    return Number(digits, zone, decimals)


@pytest.mark.parametrize(
    ("body", "numbers"),
    [
        ("100001 12345", (n("100001"), n("12345"))),
        ("100001 12345 6789", (n("100001"), n("12345"), n("6789"))),
        ("100001,12345,6789", (n("100001"), n("12345"), n("6789"))),
        ("100001; 12345; 6789", (n("100001"), n("12345"), n("6789"))),
        ("100001\n12345\r\n6789\n", (n("100001"), n("12345"), n("6789"))),
        ("  100001   12345  ", (n("100001"), n("12345"))),
        ("100001 Т1 12345 Т2 6789", (n("100001"), n("12345", 1), n("6789", 2))),  # Cyrillic Т
        ("100001 T1 12345 T2 6789", (n("100001"), n("12345", 1), n("6789", 2))),  # Latin T
        ("100001 T1=12345 T2=6789", (n("100001"), n("12345", 1), n("6789", 2))),
        ("100001 т1:12345, т2: 6789", (n("100001"), n("12345", 1), n("6789", 2))),
        ("100001 t2 6789 t1 12345", (n("100001"), n("6789", 2), n("12345", 1))),
        ("T1=12345 T2=6789", (n("12345", 1), n("6789", 2))),
        ("показания 100001 12345", (n("100001"), n("12345"))),
        ("Показания: 100001 12345", (n("100001"), n("12345"))),
        ("счёт 100001 12345", (n("100001"), n("12345"))),
        ("Счет 100001 показания 12345", (n("100001"), n("12345"))),
        ("лс 100001 12345", (n("100001"), n("12345"))),
        ("л/с 100001 12345", (n("100001"), n("12345"))),
        ("readings 100001 12345", (n("100001"), n("12345"))),
        ("Account #100001 reading 12345", (n("100001"), n("12345"))),
        ("100001 12345,6", (n("100001"), n("12345", decimals=True))),
        ("100001 12345.6", (n("100001"), n("12345", decimals=True))),
        ("100001 12345.67 6789,5", (n("100001"), n("12345", decimals=True), n("6789", decimals=True))),
        ("100001, 12345, 6", (n("100001"), n("12345"), n("6"))),  # a comma and a space: a separator
        ("12345", (n("12345"),)),
        ("100001 12 500,7", (n("100001"), n("12500", decimals=True))),  # thousands before a decimal comma
        ("100001 12\u202f500,7", (n("100001"), n("12500", decimals=True))),  # a narrow no-break space
        ("100001 12\u00a0500,75", (n("100001"), n("12500", decimals=True))),  # a no-break space
        ("100001 1 012 500,7", (n("100001"), n("1012500", decimals=True))),
        ("100001 12.500", (n("100001"), n("12", decimals=True))),  # no comma: a decimal, as ever
        ("100001 12 500", (n("100001"), n("12"), n("500"))),  # as written; the flow may group them
        ("100001 12 500,7 6 789,1", (n("100001"), n("12500", decimals=True), n("6789", decimals=True))),
        ("ЛС 100001 показания 12345 кВт·ч", (n("100001"), n("12345"))),
        ("л/с 100001 12345 кВт", (n("100001"), n("12345"))),
        ("Л/С 100001 Т1 12345 кВт.ч Т2 6789 квтч", (n("100001"), n("12345", 1), n("6789", 2))),
        ("100001 12345кВт·ч", (n("100001"), n("12345"))),
        ("100001 12345 kWh", (n("100001"), n("12345"))),
    ],
)
def test_the_template_in_its_many_forms(body, numbers):
    text = parse_text(body, LEXICON)
    assert (text.kind, text.numbers) == (TextKind.READINGS, numbers)


@pytest.mark.parametrize(
    ("body", "grouped"),
    [
        ("100001 12 500", [(n("100001"), n("12500"))]),
        ("100001 12\u202f500", [(n("100001"), n("12500"))]),
        ("1 100", [(n("1100"),)]),
        ("100001 Т1 12 500 Т2 6 789", [(n("100001"), n("12500", 1), n("6789", 2))]),
        ("100001 12 500.5", [(n("100001"), n("12500", decimals=True))]),
        ("100001 123 500", [(n("100001"), n("123500"))]),  # a three-digit lead only when all may join
        ("6 000 4 000 150 250", [(n("6000"), n("4000"), n("150"), n("250")), (n("6000"), n("4000150250"))]),
        ("100001 12500", []),  # nothing grouped: no other reading
        ("100001 12 50", []),  # a group is three digits
        ("100001 1234 500", []),  # and follows one to three
    ],
)
def test_space_grouped_thousands_are_offered_as_another_reading(body, grouped):
    assert parse_text(body, LEXICON).grouped == tuple(grouped)


@pytest.mark.parametrize(
    ("body", "kind", "locale"),
    [
        ("HELP", TextKind.HELP, "en"),
        ("help?", TextKind.HELP, "en"),
        ("Помощь", TextKind.HELP, "ru"),
        ("?", TextKind.HELP, None),
        ("STOP", TextKind.STOP, "en"),
        ("СТОП", TextKind.STOP, "ru"),
        ("start", TextKind.START, "en"),
        ("Старт", TextKind.START, "ru"),
        ("ДА", TextKind.CONFIRM, "ru"),
        ("да!", TextKind.CONFIRM, "ru"),
        ("1", TextKind.CONFIRM, None),
        ("YES", TextKind.CONFIRM, "en"),
        ("네", TextKind.CONFIRM, "ko"),
    ],
)
def test_keywords_alone(body, kind, locale):
    assert (parse_text(body, LEXICON).kind, parse_text(body, LEXICON).locale) == (kind, locale)


@pytest.mark.parametrize(
    "body",
    ["", "   ", "привет", "hello there", "100001 двенадцать тысяч", "мой счёт 100001 12345 спасибо большое",
     "stop 100001", "🙂", "100001 12345 abc",
     "@home 100001 12345", "100001 12345 @ivan_petrov", "@1 100001", "100001 @2 12345", "@", "@@1",
     "700031 -1200", "700031 −1200", "-100001 12345", "100001 T1 12345 -6789",
     "100001\x00 12345", "100001 12345\x00", "\x00", "100001 \x07 12345", "100001\x1b[0m 12345"],
)  # fmt: skip
def test_what_is_no_template_is_unknown(body):
    assert parse_text(body, LEXICON).kind == TextKind.UNKNOWN


@pytest.mark.parametrize(
    ("body", "locale"),
    [
        ("100001 12345", None),  # digits tell no language
        ("T1=12345 T2=6789", None),  # zone labels are no words
        ("readings 100001 12345", "en"),
        ("показания 100001 12345", "ru"),
        ("검침 100001 12345", "ko"),
        ("hello", "en"),
        ("привет", "ru"),
    ],
)
def test_the_words_tell_the_language(body, locale):
    assert parse_text(body, LEXICON).locale == locale


@given(st.text(st.characters(exclude_categories=())))  # every code point, lone surrogates included
def test_any_text_is_read_as_something_and_never_raises(body):
    text = parse_text(body, LEXICON)
    assert isinstance(text, Text) and text.kind in TextKind
    assert text.kind == TextKind.READINGS or not text.numbers
    assert all(n.digits.isascii() and n.digits.isdigit() for n in text.numbers)


# The characters the template itself is made of, where a parser that marks or splits is likeliest to trip.
OWN = "@ т t 1 2 3 = : - − , . ; # 0 9 лс да".split() + [" ", "\n", "\x00"]


@given(st.lists(st.sampled_from(OWN)).map("".join))
def test_the_template_s_own_characters_in_any_order_never_raise(body):
    assert parse_text(body, LEXICON).kind in TextKind
